"""The history of one observation: every revision with its sign-offs as they happened, the audit events of its
revisions (undos, discards, approvals, deleted revisions), what each revision changed, and the current Ocat value
beside the latest requested value of every parameter that was ever requested (the one merge,
`data.revisions.compare.requested_rows`, over every revision still in the DB).

`obsid_history(session, source, obsid, *, now, obs_ss)` reads the revision DB (`data.revisions.store.history`, one
query for the events) and the Ocat (one `read_observations`); a down Ocat leaves `ocat_error` set and the
revision part complete. Dataclasses and the merge's rows out (no pandas, D23): the figures and grids are built
from them without a DB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import OcatUnavailable
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED, Event
from data.ocat.read import parameter_values, read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import PARAMETERS, SIGNOFF_COLUMNS
from data.revisions.compare import MergedRow, requested_rows
from data.revisions.store import RevisionView, history

MAX_EVENTS = 2000


@dataclass(frozen=True)
class Change:
    """One requested parameter of a revision, in catalogue terms."""

    name: str
    label: str
    unit: str | None
    original: Any
    requested: Any
    has_original: bool


@dataclass(frozen=True)
class Wait:
    """One sign-off column of a revision: from submission until it was signed/discarded (or `now` while pending)."""

    obsidrev: str
    column: str
    status: str
    start: datetime
    end: datetime
    user: str | None
    pending: bool


@dataclass(frozen=True)
class HistoryEvent:
    time: datetime
    user: str | None
    action: str
    target: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ObsidHistory:
    obsid: int
    now: datetime
    revisions: list[RevisionView]
    waits: list[Wait]
    events: list[HistoryEvent]
    changes: dict[str, list[Change]]
    current: list[MergedRow]
    """`compare.requested_rows` over every revision (discarded ones too): each parameter some revision requested,
    the latest request and its revision beside the Ocat value now; `state` applied, pending, or unknown when the
    Ocat could not be read."""
    targname: str | None = None
    status: str | None = None
    ocat_error: str | None = None
    ocat_missing: bool = False
    removed: list[str] = field(default_factory=list)
    """obsid.revs that were deleted (undo.revision events) and are no longer in the revision DB."""

    @property
    def empty(self) -> bool:
        return not self.revisions and not self.events


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def revision_changes(view: RevisionView) -> list[Change]:
    """What a revision requested, in catalogue order, with labels and units (names the catalogue lacks at the end)."""
    order = {n: i for i, n in enumerate(PARAMETERS)}
    out = []
    for name in sorted(view.requests, key=lambda n: (order.get(n, len(order)), n)):
        param = PARAMETERS.get(name)
        out.append(
            Change(
                name=name,
                label=param.label if param else name,
                unit=param.unit if param else None,
                original=view.originals.get(name),
                requested=view.requests[name],
                has_original=name in view.originals,
            )
        )
    return out


def signoff_waits(view: RevisionView, now: datetime) -> list[Wait]:
    """Each routed column's wait (Not Required columns are left out; columns signed at submission too)."""
    waits = []
    for column in SIGNOFF_COLUMNS:
        state = view.signoff[column]
        status = state["status"]
        if status == NOT_REQUIRED:
            continue
        if status == PENDING:
            waits.append(Wait(view.obsidrev, column, status, view.time, max(now, view.time), None, True))
            continue
        end = state["time"] or view.time
        if status == SIGNED and end <= view.time and view.kind in ("asis", "remove"):
            continue
        waits.append(Wait(view.obsidrev, column, status, view.time, max(end, view.time), state["user"], False))
    return waits


def events_of(session: Session, obsid: int) -> list[HistoryEvent]:
    """The audit events of every revision of `obsid` (targets `<obsid>.<rev>`), oldest first."""
    prefix = f"{int(obsid)}."
    stmt = select(Event).where(Event.target.like(f"{prefix}%")).order_by(Event.time, Event.id).limit(MAX_EVENTS)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE ignores case, so it cannot use ix_events_target; the same prefix as a range (BINARY) can.
        # PostgreSQL reads the LIKE itself through the index (text_pattern_ops, migration 0008).
        stmt = stmt.where(Event.target >= prefix, Event.target < f"{int(obsid)}/")
    return [
        HistoryEvent(_utc(e.time), e.username, e.action, e.target, e.before, e.after)
        for e in session.scalars(stmt)
        if e.target.startswith(prefix) and e.target[len(prefix) :].isdigit()
    ]


def obsid_history(
    session: Session, source: OcatSource | None, obsid: int, *, now: datetime, obs_ss: Path | str
) -> ObsidHistory:
    """Everything the history page shows for `obsid`. `source=None` skips the Ocat (as if it were down)."""
    obsid = int(obsid)
    revisions = history(session, obsid, with_values=True)
    events = events_of(session, obsid)
    present = {r.obsidrev for r in revisions}
    removed = sorted({e.target for e in events if e.action == "undo.revision" and e.target not in present})
    waits = [w for view in revisions for w in signoff_waits(view, now)]
    changes = {view.obsidrev: revision_changes(view) for view in revisions}
    current: dict[str, Any] | None = None
    ocat_error: str | None = None
    missing = False
    targname = status = None
    if revisions or events:
        if source is None:
            ocat_error = "The Ocat is not configured."
        else:
            try:
                found = read_observations(source, [obsid], obs_ss=obs_ss)
            except OcatUnavailable as err:
                ocat_error = err.user_message
            else:
                record = found.get(obsid)
                if record is None:
                    missing = True
                else:
                    current = parameter_values(record)
                    targname, status = record.get("targname"), record.get("status")
    return ObsidHistory(
        obsid=obsid,
        now=now,
        revisions=revisions,
        waits=waits,
        events=events,
        changes=changes,
        current=requested_rows(current, revisions, obsid=obsid),
        targname=targname,
        status=status,
        ocat_error=ocat_error,
        ocat_missing=missing,
        removed=removed,
    )


__all__ = [
    "DISCARD",
    "Change",
    "HistoryEvent",
    "ObsidHistory",
    "Wait",
    "events_of",
    "obsid_history",
    "revision_changes",
    "signoff_waits",
]
