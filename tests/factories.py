"""Builders with valid defaults (E23): override only what a test is about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from data.models import SIGNOFF_PREFIXES, Revision, Signoff, User
from data.revisions.store import create_revision
from data.users import get_user

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
"""The fixed moment tests act at."""

DEFAULT_REQUESTS: dict[str, dict[str, Any]] = {
    "norm": {"comments": "Please observe earlier", "targname": "NGC 1234"},
    "clone": {"comments": "Split into two observations"},
    "asis": {},
    "remove": {},
}


def make_user(session: Session, username: str = "alice", *, groups: str = "usint", active: bool = True) -> User:
    """The user `username`, created when missing."""
    user = get_user(session, username)
    if user is None:
        user = User(
            username=username,
            groups=groups,
            is_active=active,
            email=f"{username}@example.org",
            full_name=username.title(),
        )
        session.add(user)
        session.flush()
    return user


def make_revision(session: Session, obsid: int = 12345, kind: str = "norm", **overrides: Any) -> Revision:
    """A revision written through `create_revision`; `signoff={"general": ("Signed", user, time)}` or
    `{"general": "Signed"}` then forces column states directly."""
    forced = overrides.pop("signoff", None)
    user = overrides.pop("user", None) or make_user(session)
    args: dict[str, Any] = {
        "kind": kind,
        "sequence_number": 500000 + obsid % 1000,
        "originals": {"comments": "Original comment", "targname": "NGC 1000", "ra": 10.5},
        "requests": DEFAULT_REQUESTS[kind],
        "notes": {"comment_change": True} if kind == "norm" else None,
        "user": user,
        "now": NOW,
    }
    args.update(overrides)
    revision = create_revision(session, obsid, **args)
    if forced:
        values: dict[str, Any] = {}
        for column, state in forced.items():
            assert column in SIGNOFF_PREFIXES, column
            status, signer, when = state if isinstance(state, tuple) else (state, None, None)
            values[f"{column}_status"] = status
            values[f"{column}_signoff_id"] = signer.id if signer is not None else None
            values[f"{column}_time"] = int(when.timestamp()) if when is not None else None
        session.execute(update(Signoff).where(Signoff.revision_id == revision.id).values(values))
        session.expire_all()
    return revision


def page_route_request(pathname: str, search: str = "") -> dict[str, Any]:
    """The body of the request Dash Pages makes when the browser opens `pathname` + `search`
    (POST /_dash-update-component)."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
        "state": [],
    }
