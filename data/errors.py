"""The error tree of the data layer: each error carries a message for the user and an HTTP status."""

from __future__ import annotations

from collections.abc import Mapping


class UsintError(Exception):
    """Base error: `user_message` is safe to show; `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, user_message: str, status: int | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        if status is not None:
            self.status = status


class ValidationFailed(UsintError):
    """Input broke one or more rules; `errors` maps a parameter name (or field) to its message."""

    def __init__(self, errors: Mapping[str, str], user_message: str | None = None) -> None:
        self.errors = dict(errors)
        msg = user_message or "; ".join(f"{k}: {v}" for k, v in self.errors.items()) or "Invalid input"
        super().__init__(msg, 400)


class NotFound(UsintError):
    status = 404


class Forbidden(UsintError):
    status = 403


class Conflict(UsintError):
    """The state changed under the caller (a stale sign-off, the Ocat changed since the editor loaded)."""

    status = 409


class InvalidTransition(Conflict):
    """A sign-off column cannot move from its current state to the requested one."""


class OcatUnavailable(UsintError):
    """The Ocat source cannot be reached or answered with an error."""

    status = 503
