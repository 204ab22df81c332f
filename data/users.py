"""Users and permissions (data-layer §3.9, D14): lookups, CLI edits, and the one permission check.

Groups are the colon-separated, lower-case names of `users.groups`. `admin` may do everything; an inactive
or unknown user (None) may only read. `permissions` maps an action to the groups allowed to do it
(`Settings.permissions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import Conflict, Forbidden, NotFound
from data.models import User

ADMIN = "admin"
_Who = TypeVar("_Who")
"""Whoever acts: a `User` row or the web identity (the checks read `groups`, `registered`, `is_active`/`active`)."""


def parse_groups(groups: str | Iterable[str] | None) -> tuple[str, ...]:
    """`"usint:TOO"` → `("usint", "too")`: lower-cased, stripped, de-duplicated, order kept."""
    if groups is None:
        return ()
    items = groups.split(":") if isinstance(groups, str) else list(groups)
    out: list[str] = []
    for item in items:
        name = item.strip().lower()
        if name and name not in out:
            out.append(name)
    return tuple(out)


def groups_of(user: Any) -> frozenset[str]:
    """The groups of a `User` (or anything with a `groups` string or sequence); empty for None."""
    if user is None:
        return frozenset()
    return frozenset(parse_groups(getattr(user, "groups", None)))


def _active(user: Any) -> bool:
    if user is None:
        return False
    if getattr(user, "registered", True) is False:
        return False
    return bool(getattr(user, "is_active", getattr(user, "active", False)))


def can(user: Any, action: str, permissions: Mapping[str, Sequence[str]]) -> bool:
    """True when `user` may do `action`: active, and admin or in one of the action's groups."""
    if not _active(user):
        return False
    groups = groups_of(user)
    return ADMIN in groups or bool(groups & set(permissions.get(action, ())))


GROUP_NAMES = {"arcops": "ArcOps", "usint": "USINT", "acis": "ACIS", "hrc": "HRC", "too": "TOO", "admin": "admin"}
"""How a group is written for people; any other group is shown as it is."""


def signers(column: str, permissions: Mapping[str, Sequence[str]]) -> str:
    """Who may sign `column` under `permissions`, for people: `signers("general", DEFAULT_PERMISSIONS)` →
    `"ArcOps or USINT"`; `"admin"` when no group is named (only admins may)."""
    names = [GROUP_NAMES.get(g, g) for g in parse_groups(permissions.get(column, ()))]
    if not names:
        return "admin"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def require(user: _Who, action: str, permissions: Mapping[str, Sequence[str]]) -> _Who:
    """Return `user` when `can(...)`, else raise Forbidden with a message the person understands."""
    if can(user, action, permissions):
        return user
    if user is None or getattr(user, "registered", True) is False:
        who = getattr(user, "username", None)
        raise Forbidden(f"{who + ' is' if who else 'You are'} not registered in USINT")
    if not _active(user):
        raise Forbidden(f"{user.username} is not an active USINT user")
    allowed = " or ".join(permissions.get(action, ())) or ADMIN
    raise Forbidden(f"{user.username} is not in the {allowed} group")


def acting_user(session: Session, identity: Any) -> User:
    """The `users` row of whoever acts: a `User` as it is, or an identity (anything with `user_id` or
    `username`) looked up; Forbidden for an anonymous or unregistered one. Activity and groups are checked by
    `require`, for the action at hand."""
    if isinstance(identity, User):
        return identity
    user_id = getattr(identity, "user_id", None)
    user = session.get(User, user_id) if user_id is not None else None
    username = getattr(identity, "username", None) if not isinstance(identity, str) else identity
    if user is None and username:
        user = get_user(session, str(username))
    if user is None:
        raise Forbidden(f"{username + ' is' if username else 'You are'} not registered in USINT")
    return user


def get_user(session: Session, username: str) -> User | None:
    """The user with this login name, or None."""
    return session.scalar(select(User).where(User.username == username.strip()))


def _must(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise NotFound(f"No USINT user {username!r}")
    return user


def add_user(
    session: Session,
    username: str,
    *,
    email: str | None = None,
    full_name: str | None = None,
    groups: str | Iterable[str] = "usint",
    is_active: bool = True,
) -> User:
    """Register a user (default group `usint`, as v2.1's CLI); Conflict when the name is taken."""
    username = username.strip()
    if not username:
        raise Conflict("A username is needed", 400)
    if get_user(session, username) is not None:
        raise Conflict(f"User {username!r} already exists")
    user = User(
        username=username,
        email=email,
        full_name=full_name,
        groups=":".join(parse_groups(groups)),
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    return user


def list_users(session: Session, *, active_only: bool = False, group: str | None = None) -> list[User]:
    """Users by username; optionally only active ones, or only members of `group`."""
    users = session.scalars(select(User).order_by(User.username)).all()
    return [u for u in users if (not active_only or u.is_active) and (group is None or group.lower() in groups_of(u))]


def deactivate_user(session: Session, username: str) -> User:
    """Mark a user inactive (kept for history: revisions and sign-offs point at it)."""
    user = _must(session, username)
    user.is_active = False
    session.flush()
    return user


def activate_user(session: Session, username: str) -> User:
    user = _must(session, username)
    user.is_active = True
    session.flush()
    return user


def change_groups(session: Session, username: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> User:
    """Add and remove groups (compared lower-case, K19); returns the user."""
    user = _must(session, username)
    drop = set(parse_groups(remove))
    groups = [g for g in parse_groups(user.groups) if g not in drop]
    groups += [g for g in parse_groups(add) if g not in groups and g not in drop]
    user.groups = ":".join(groups)
    session.flush()
    return user
