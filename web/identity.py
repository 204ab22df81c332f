"""Who is asking: read once per request from the trusted header (E5), into `flask.g.identity`.

The header is read exactly: ASCII whitespace around the name is stripped, nothing else. A value longer than
`MAX_USERNAME` or holding a control character or another kind of space is refused (400) on every request, never cut
or trimmed into someone's name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_request_context, request

from data.errors import UsintError
from data.users import get_user, parse_groups
from web.db import session_scope

MAX_USERNAME = 64
_ASCII_SPACE = " \t\n\r\f\v"


@dataclass(frozen=True)
class Identity:
    """The signed-in person as the pages see it. `registered` and `active` decide what they may do."""

    username: str | None
    user_id: int | None = None
    full_name: str | None = None
    email: str | None = None
    groups: tuple[str, ...] = field(default_factory=tuple)
    registered: bool = False
    active: bool = False

    @property
    def anonymous(self) -> bool:
        return self.username is None

    @property
    def read_only(self) -> bool:
        return not (self.registered and self.active)

    @property
    def notice(self) -> str | None:
        """The line the shell shows when the person cannot act, or None."""
        if self.anonymous:
            return "You are not signed in: pages are read only."
        if not self.registered:
            return f"{self.username} is not registered in USINT: pages are read only. Ask an admin to add you."
        if not self.active:
            return f"{self.username} is inactive in USINT: pages are read only."
        return None


ANONYMOUS = Identity(username=None)


def header_username(value: str, header: str = "Remote-User") -> str | None:
    """The user name an identity header carries: ASCII whitespace around it stripped; None when empty.

    UsintError (400) when the name is longer than MAX_USERNAME or holds a control character or a space other than
    the ASCII one; the message names the header, not the value."""
    name = value.strip(_ASCII_SPACE)
    if len(name) > MAX_USERNAME:
        raise UsintError(f"The {header} header is longer than {MAX_USERNAME} characters: refused", 400)
    if any(c != " " and unicodedata.category(c)[0] in "CZ" for c in name):
        raise UsintError(f"The {header} header holds control characters or unusual spaces: refused", 400)
    return name or None


def username_from_request(header: str, dev_user: str | None) -> str | None:
    """The header's user name when present (see `header_username`), else the development user, else None."""
    return header_username(request.headers.get(header, ""), header) or dev_user or None


def lookup(username: str | None) -> Identity:
    """Resolve a username against the users table; any failure leaves an unregistered identity."""
    if not username:
        return ANONYMOUS
    try:
        with session_scope(readonly=True) as session:
            user = get_user(session, username)
            if user is None:
                return Identity(username=username)
            return Identity(
                username=user.username,
                user_id=user.id,
                full_name=user.full_name,
                email=user.email,
                groups=parse_groups(user.groups),
                registered=True,
                active=bool(user.is_active),
            )
    except Exception:  # the users table may not exist yet; identity must never cause a 500
        current_app.logger.exception("identity lookup failed for %r", username)
        return Identity(username=username)


def current_identity() -> Identity:
    """The identity of this request (anonymous outside a request)."""
    if not has_request_context():
        return ANONYMOUS
    if "identity" not in g:
        settings = current_app.config["USINT"]
        g.identity = lookup(username_from_request(settings.auth_header, settings.dev_user))
    return g.identity


def init_app(server: Flask) -> None:
    """Resolve identity lazily (when a page asks); check the header's form on every request."""
    server.extensions.setdefault("usint_identity", current_identity)

    @server.before_request
    def refuse_malformed_identity() -> None:
        header = current_app.config["USINT"].auth_header
        header_username(request.headers.get(header, ""), header)
