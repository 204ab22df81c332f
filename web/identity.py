"""Who is asking: read once per request from the trusted header (E5), into `flask.g.identity`."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, g, has_request_context, request


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


def username_from_request(header: str, dev_user: str | None) -> str | None:
    """The header's value when present (stripped), else the development user, else None."""
    value = request.headers.get(header, "").strip()
    if value:
        return value[:64]
    return dev_user or None


def lookup(username: str | None) -> Identity:
    """Resolve a username against the users table; any failure leaves an unregistered identity."""
    if not username:
        return ANONYMOUS
    try:
        from data.users import get_user
        from web.db import session_scope

        with session_scope(readonly=True) as session:
            user = get_user(session, username)
            if user is None:
                return Identity(username=username)
            groups = tuple(x.strip().lower() for x in (user.groups or "").split(":") if x.strip())
            return Identity(
                username=user.username,
                user_id=user.id,
                full_name=user.full_name,
                email=user.email,
                groups=groups,
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
    """Resolve identity lazily; nothing to do per request until a page asks."""
    server.extensions.setdefault("usint_identity", current_identity)
