"""The e-mail outbox (D21): messages are queued in the caller's transaction and sent after commit.

`Mail` is what the e-mail builders return; `queue` stores it as an `outbox` row beside the change that
caused it, so a rolled-back change never mails and a failed send never rolls back a change. `queue` marks the
session, so the commit wakes the sender (`data.db.on_outbox_commit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data.db import mark_outbox_queued
from data.models import Outbox

OBSIDREV_PLACEHOLDER = "{obsidrev}"
"""Builders that run before a revision number exists may write this token; `create_revision` fills it in."""


def _addresses(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    seen: list[str] = []
    for address in value:
        address = (address or "").strip()
        if address and address not in seen:
            seen.append(address)
    return tuple(seen)


@dataclass(frozen=True)
class Mail:
    """One plain-text message. CUS is added to `cc` when it is sent (every v2.1 message copies CUS)."""

    subject: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    body: str = ""
    sender: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", _addresses(self.to))
        object.__setattr__(self, "cc", _addresses(self.cc))

    def filled(self, obsidrev: str) -> Mail:
        """This message with `{obsidrev}` replaced in subject and body."""
        return Mail(
            subject=self.subject.replace(OBSIDREV_PLACEHOLDER, obsidrev),
            to=self.to,
            cc=self.cc,
            body=self.body.replace(OBSIDREV_PLACEHOLDER, obsidrev),
            sender=self.sender,
        )


@dataclass(frozen=True)
class OutboxItem:
    id: int
    created: datetime
    subject: str
    recipients: tuple[str, ...]
    status: str
    attempts: int
    last_error: str | None
    obsidrevs: str | None


@dataclass(frozen=True)
class OutboxStatus:
    """For admins: counts per status and the messages that failed or are waiting after an error."""

    counts: dict[str, int]
    problems: list[OutboxItem] = field(default_factory=list)


def queue(
    session: Session,
    mails: Sequence[Mail],
    *,
    acting_user_email: str | None,
    now: datetime,
    obsidrevs: Sequence[str] = (),
) -> list[Outbox]:
    """Add one `outbox` row per message to the caller's transaction (flushed, not committed)."""
    rows = [
        Outbox(
            created=int(now.timestamp()),
            subject=mail.subject,
            sender=mail.sender,
            recipients=list(mail.to),
            cc=list(mail.cc),
            body=mail.body,
            status="queued",
            attempts=0,
            acting_email=acting_user_email,
            obsidrevs=",".join(obsidrevs) or None,
        )
        for mail in mails
    ]
    session.add_all(rows)
    session.flush()
    if rows:
        mark_outbox_queued(session)
    return rows


def _item(row: Outbox) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        created=datetime.fromtimestamp(row.created, UTC),
        subject=row.subject,
        recipients=tuple(row.recipients or ()),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        obsidrevs=row.obsidrevs,
    )


def outbox_status(session: Session, *, limit: int = 100) -> OutboxStatus:
    """Counts by status plus the newest failed rows and queued rows that already had an error."""
    counts = dict(session.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).tuples().all())
    rows = session.scalars(
        select(Outbox)
        .where((Outbox.status == "failed") | ((Outbox.status == "queued") & Outbox.last_error.is_not(None)))
        .order_by(Outbox.id.desc())
        .limit(limit)
    )
    return OutboxStatus(counts=counts, problems=[_item(r) for r in rows])


def retry_failed(session: Session, ids: Sequence[int] | None = None) -> int:
    """Put failed messages back in the queue with a fresh attempt count; returns how many."""
    stmt = update(Outbox).where(Outbox.status == "failed").values(status="queued", attempts=0)
    if ids is not None:
        stmt = stmt.where(Outbox.id.in_(list(ids)))
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount
