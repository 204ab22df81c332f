"""The operations log (D22): one line per submission, sign-off, approval, discard, removal, schedule change.

Lines go to the `usint.operations` logger; the app attaches the rotating file handler. `after_commit`
defers a line until the session's transaction commits, so a rolled-back action is never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from data.models import User

log = logging.getLogger("usint.operations")
_PENDING = "usint_oplog"


def _name(user: User | str | None) -> str:
    if user is None:
        return "-"
    return str(getattr(user, "username", user))


def operation(user: User | str | None, action: str, target: str, **details: Any) -> str:
    """Write one line `user=… action=… target=… key=value…` now; returns the line."""
    extra = "".join(f" {k}={v}" for k, v in details.items() if v is not None)
    line = f"user={_name(user)} action={action} target={target}{extra}"
    log.info(line)
    return line


def after_commit(session: Session, user: User | str | None, action: str, target: str, **details: Any) -> None:
    """Queue a line that is written when `session` commits and dropped when it rolls back."""
    session.info.setdefault(_PENDING, []).append((_name(user), action, target, details))


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    for user, action, target, details in session.info.pop(_PENDING, []):
        operation(user, action, target, **details)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
