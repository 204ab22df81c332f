"""The append-only audit trail (D1, D17): one `events` row per state change, with before/after JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Event, User


def jsonable(value: Any) -> Any:
    """`value` with datetimes as ISO text and anything else JSON cannot hold as its string."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def record(
    session: Session, *, user: User | None, action: str, target: str, before: Any, after: Any, now: datetime
) -> Event:
    """Append one event (flushed with the caller's transaction)."""
    event = Event(
        time=int(now.timestamp()),
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        action=action,
        target=target,
        before=jsonable(before),
        after=jsonable(after),
    )
    session.add(event)
    session.flush()
    return event


def events_for(session: Session, target: str | None = None, *, limit: int = 200) -> list[Event]:
    """The newest events, optionally of one target (an obsidrev), newest first."""
    stmt = select(Event).order_by(Event.id.desc()).limit(limit)
    if target is not None:
        stmt = stmt.where(Event.target == target)
    return list(session.scalars(stmt))
