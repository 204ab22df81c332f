"""Sign-off state changes (D13, D14, D17): one transition table, one guard, compare-and-set UPDATEs.

Every change is `UPDATE signoffs SET … WHERE id = :id AND <col>_status = :expected`; when no row matches,
someone else was first and the caller gets Conflict ("already signed by X at T"). Every change writes an
`events` row and, after commit, one operations-log line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, delete, select, union, update
from sqlalchemy.orm import Session

from data import oplog
from data.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from data.events import record
from data.mail.outbox import Mail, queue
from data.models import DISCARD, EDIT_COLUMNS, NOT_REQUIRED, PENDING, SIGNED, SIGNOFF_PREFIXES, Revision, Signoff, User
from data.revisions.store import (
    RevisionView,
    create_revision,
    get_revision,
    is_approved,
    revisions_where,
    unindexed,
)
from data.users import require

ALLOWED: dict[str, frozenset[str]] = {
    PENDING: frozenset({SIGNED, DISCARD}),
    SIGNED: frozenset({PENDING}),  # undo of one's own sign-off (D17)
    DISCARD: frozenset({PENDING}),  # undo of one's own discard (D17)
    NOT_REQUIRED: frozenset(),
}
"""Old status → the statuses a column may move to."""

MailsArg = Sequence[Mail] | Callable[[RevisionView], Sequence[Mail]]


def guard(obsidrev: str, column: str, old: str, new: str) -> None:
    """Raise InvalidTransition unless `old → new` is in ALLOWED."""
    if new not in ALLOWED.get(old, frozenset()):
        raise InvalidTransition(f"{obsidrev} {column}: cannot change from {old} to {new}")


@dataclass(frozen=True)
class ApproveResult:
    signed: RevisionView
    approval: RevisionView | None
    already_approved: bool

    @property
    def message(self) -> str:
        if self.already_approved:
            return f"Obsid {self.signed.obsid} is already approved: only the USINT verification was signed."
        assert self.approval is not None
        return f"{self.signed.obsidrev} verified; {self.approval.obsidrev} approves obsid {self.signed.obsid}."


def _fmt(epoch: int | None) -> str:
    if epoch is None:
        return "an unknown time"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _load(session: Session, obsid: int, rev: int) -> tuple[Revision, Signoff]:
    row = session.execute(
        select(Revision, Signoff)
        .join(Signoff, Signoff.revision_id == Revision.id)
        .where(Revision.obsid == obsid, Revision.revision_number == rev)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(f"No revision {obsid}.{rev:03}")
    return row[0], row[1]


def _column(column: str) -> str:
    if column not in SIGNOFF_PREFIXES:
        raise ValidationFailed({"column": f"unknown sign-off column {column!r}; one of {', '.join(SIGNOFF_PREFIXES)}"})
    return column


def _state(session: Session, signoff: Signoff, column: str) -> dict[str, Any]:
    signer = getattr(signoff, f"{column}_signoff_id")
    name = session.scalar(select(User.username).where(User.id == signer)) if signer is not None else None
    return {"status": getattr(signoff, f"{column}_status"), "user": name, "time": getattr(signoff, f"{column}_time")}


def _stale(obsidrev: str, column: str, state: Mapping[str, Any]) -> Conflict:
    if state["user"]:
        verb = "discarded" if state["status"] == DISCARD else "signed"
        return Conflict(f"{obsidrev} {column}: already {verb} by {state['user']} at {_fmt(state['time'])}")
    return Conflict(f"{obsidrev} {column}: is now {state['status']}")


def _set(
    session: Session, signoff: Signoff, column: str, *, expected: str, new: str, user_id: int | None, epoch: int | None
) -> bool:
    """Compare-and-set one column; True when this session won."""
    result = session.execute(
        update(Signoff)
        .where(Signoff.id == signoff.id, getattr(Signoff, f"{column}_status") == expected)
        .values({f"{column}_status": new, f"{column}_signoff_id": user_id, f"{column}_time": epoch})
        .execution_options(synchronize_session=False)
    )
    session.expire(signoff)
    return result.rowcount == 1


def _mails(session: Session, view: RevisionView, mails: MailsArg, user: User, now: datetime) -> None:
    built = mails(view) if callable(mails) else mails
    if built:
        queue(session, list(built), acting_user_email=user.email, now=now, obsidrevs=[view.obsidrev])


def sign(
    session: Session,
    obsid: int,
    rev: int,
    column: str,
    *,
    user: User,
    expected: str = PENDING,
    now: datetime,
    permissions: Mapping[str, Sequence[str]],
    mails: MailsArg = (),
    action: str | None = None,
) -> RevisionView:
    """Sign one column. Refused when the column is no longer `expected` (409), when the usint column is
    signed before general/acis/acis_si/hrc_si are all done (D13), or when the user may not (D14)."""
    column = _column(column)
    require(user, action or column, permissions)
    revision, signoff = _load(session, obsid, rev)
    obsidrev = revision.obsidrev
    before = _state(session, signoff, column)
    if before["status"] != expected:
        raise _stale(obsidrev, column, before)
    guard(obsidrev, column, before["status"], SIGNED)
    if column == "usint":
        waiting = [c for c in EDIT_COLUMNS if getattr(signoff, f"{c}_status") == PENDING]
        if waiting:
            raise InvalidTransition(f"{obsidrev}: USINT verification waits for {', '.join(waiting)} to be signed")
    epoch = int(now.timestamp())
    if not _set(session, signoff, column, expected=expected, new=SIGNED, user_id=user.id, epoch=epoch):
        raise _stale(obsidrev, column, _state(session, signoff, column))
    record(
        session,
        user=user,
        action=f"sign.{column}",
        target=obsidrev,
        before=before,
        after={"status": SIGNED, "user": user.username, "time": epoch},
        now=now,
    )
    oplog.after_commit(session, user, "sign", obsidrev, column=column)
    view = get_revision(session, obsid, rev, with_values=False)
    _mails(session, view, mails, user, now)
    return view


def approve(
    session: Session,
    obsid: int,
    rev: int,
    *,
    user: User,
    expected: str = PENDING,
    now: datetime,
    permissions: Mapping[str, Sequence[str]],
    mails: MailsArg = (),
    approval_mails: Callable[[Revision], Sequence[Mail]] | Sequence[Mail] = (),
) -> ApproveResult:
    """ "Signoff & Approve" (v2.1 perform_signoff `approve`): sign usint, then add an `asis` revision with the
    same sequence number unless the obsid is already approved. `approval_mails` go with the asis revision."""
    require(user, "approve", permissions)
    signed = sign(
        session,
        obsid,
        rev,
        "usint",
        user=user,
        expected=expected,
        now=now,
        permissions=permissions,
        mails=mails,
        action="approve",
    )
    if is_approved(session, obsid):
        oplog.after_commit(session, user, "approve", signed.obsidrev, note="already approved")
        return ApproveResult(signed=signed, approval=None, already_approved=True)
    asis = create_revision(
        session,
        obsid,
        kind="asis",
        sequence_number=signed.sequence_number,
        originals={},
        requests={},
        notes=None,
        user=user,
        now=now,
        mails=approval_mails,
    )
    oplog.after_commit(session, user, "approve", asis.obsidrev, verified=signed.obsidrev)
    return ApproveResult(
        signed=signed,
        approval=get_revision(session, obsid, asis.revision_number, with_values=False),
        already_approved=False,
    )


def discard(
    session: Session,
    obsid: int,
    rev: int,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]],
    expected: Mapping[str, str] | None = None,
) -> RevisionView:
    """Close an open revision: every Pending column becomes Discard, recorded as this user's action (D13).

    With `expected` ({column: status the user saw}), a column that changed meanwhile refuses it (409)."""
    require(user, "discard", permissions)
    revision, signoff = _load(session, obsid, rev)
    obsidrev = revision.obsidrev
    for column, seen in (expected or {}).items():
        state = _state(session, signoff, _column(column))
        if state["status"] != seen:
            raise _stale(obsidrev, column, state)
    pending = [p for p in SIGNOFF_PREFIXES if getattr(signoff, f"{p}_status") == PENDING]
    if not pending:
        raise Conflict(f"{obsidrev} is no longer open")
    for p in pending:
        guard(obsidrev, p, PENDING, DISCARD)
    epoch = int(now.timestamp())
    values: dict[str, Any] = {}
    for p in pending:
        col = getattr(Signoff, f"{p}_status")
        values[f"{p}_status"] = case((col == PENDING, DISCARD), else_=col)
        values[f"{p}_signoff_id"] = case((col == PENDING, user.id), else_=getattr(Signoff, f"{p}_signoff_id"))
        values[f"{p}_time"] = case((col == PENDING, epoch), else_=getattr(Signoff, f"{p}_time"))
    before = {p: _state(session, signoff, p) for p in pending}
    _set_all(
        session,
        signoff,
        pending,
        expected=PENDING,
        values=values,
        doing=f"{obsidrev} changed while you were discarding it",
    )
    record(
        session,
        user=user,
        action="discard",
        target=obsidrev,
        before=before,
        after={p: {"status": DISCARD, "user": user.username, "time": epoch} for p in pending},
        now=now,
    )
    oplog.after_commit(session, user, "discard", obsidrev, columns=",".join(pending))
    return get_revision(session, obsid, rev, with_values=False)


def _set_all(
    session: Session, signoff: Signoff, columns: Sequence[str], *, expected: str, values: dict[str, Any], doing: str
) -> None:
    """One compare-and-set UPDATE of several columns: it applies only while every one still has status
    `expected`; otherwise nothing is written and Conflict says `doing` (what changed while the user acted)."""
    result = session.execute(
        update(Signoff)
        .where(Signoff.id == signoff.id, *(getattr(Signoff, f"{p}_status") == expected for p in columns))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    session.expire(signoff)
    if result.rowcount != 1:
        raise Conflict(f"{doing}; reload and try again")


def _within(epoch: int | None, now: datetime, window_h: float) -> bool:
    return epoch is not None and epoch >= now.timestamp() - window_h * 3600


def _active(user: User | None) -> User:
    if user is None or getattr(user, "id", None) is None:
        raise Forbidden("You are not registered in USINT")
    if not user.is_active:
        raise Forbidden(f"{user.username} is not an active USINT user")
    return user


DISCARD_ITEM = "discard"
"""The pseudo-column for a whole Discard: undoing it puts back every column that Discard closed (D17)."""


def _discarded(signoff: Signoff, user: User) -> list[str]:
    """The columns this user's Discard closed: status Discard, signed by them (one Discard sets them together)."""
    return [
        p
        for p in SIGNOFF_PREFIXES
        if getattr(signoff, f"{p}_status") == DISCARD and getattr(signoff, f"{p}_signoff_id") == user.id
    ]


def _later_dependant(session: Session, revision: Revision, signoff: Signoff, column: str) -> str | None:
    """Why undoing `column` would break the sign-off order, or None.

    The order is general, acis, acis_si, hrc_si → usint (verify, or Discard) → approval. An undo never leaves a
    later step standing on an earlier one that is Pending again: the later step must be undone first."""
    obsidrev = revision.obsidrev
    if column in EDIT_COLUMNS:
        usint = _state(session, signoff, "usint")
        if usint["status"] != PENDING:
            verb = "verified" if usint["status"] == SIGNED else "discarded"
            who = f" by {usint['user']}" if usint["user"] else ""
            return (
                f"{obsidrev} {column}: USINT {verb} this revision{who} at {_fmt(usint['time'])} after your sign-off; "
                "that must be undone first"
            )
    if column == "usint":
        when = signoff.usint_time or 0
        approval = session.execute(
            select(Revision.revision_number)
            .where(
                Revision.obsid == revision.obsid,
                Revision.id != revision.id,
                Revision.kind == "asis",
                Revision.time >= when,
            )
            .order_by(Revision.revision_number)
            .limit(1)
        ).scalar()
        if approval is not None:
            return (
                f"{obsidrev} usint: the approval {revision.obsid}.{approval:03} was made with this verification; "
                "remove that approval first"
            )
    return None


def undo_signoff(
    session: Session, obsid: int, rev: int, column: str, *, user: User, now: datetime, window_h: float = 36.0
) -> RevisionView:
    """Reset one's own sign-off of the last `window_h` hours to Pending (D17, v2.1 `remove`).

    A Discard is one action: undoing it (`column` "discard", or any column it closed) puts back every column it
    closed. An undo that a later step depends on (USINT's verify or Discard over a team sign-off, an approval
    over USINT's verify) is refused with the step to undo first."""
    _active(user)
    if column == DISCARD_ITEM:
        return undo_discard(session, obsid, rev, user=user, now=now, window_h=window_h)
    column = _column(column)
    revision, signoff = _load(session, obsid, rev)
    obsidrev = revision.obsidrev
    before = _state(session, signoff, column)
    signer = getattr(signoff, f"{column}_signoff_id")
    if signer != user.id:
        raise Forbidden(f"{obsidrev} {column}: only {before['user'] or 'the signer'} can undo this sign-off")
    if before["status"] == DISCARD:
        return undo_discard(session, obsid, rev, user=user, now=now, window_h=window_h)
    if not _within(before["time"], now, window_h):
        raise Forbidden(f"{obsidrev} {column}: sign-offs can be undone only within {window_h:g} hours")
    guard(obsidrev, column, before["status"], PENDING)
    blocked = _later_dependant(session, revision, signoff, column)
    if blocked:
        raise Conflict(blocked)
    if not _set(session, signoff, column, expected=before["status"], new=PENDING, user_id=None, epoch=None):
        raise _stale(obsidrev, column, _state(session, signoff, column))
    record(
        session,
        user=user,
        action=f"undo.{column}",
        target=obsidrev,
        before=before,
        after={"status": PENDING, "user": None, "time": None},
        now=now,
    )
    oplog.after_commit(session, user, "undo_signoff", obsidrev, column=column)
    return get_revision(session, obsid, rev, with_values=False)


def undo_discard(
    session: Session, obsid: int, rev: int, *, user: User, now: datetime, window_h: float = 36.0
) -> RevisionView:
    """Undo one's own Discard of the last `window_h` hours: every column it closed is Pending again, in one
    compare-and-set UPDATE and one `undo.discard` event."""
    _active(user)
    revision, signoff = _load(session, obsid, rev)
    obsidrev = revision.obsidrev
    columns = _discarded(signoff, user)
    if not columns:
        raise Forbidden(f"{obsidrev}: you have no Discard to undo on this revision")
    before = {p: _state(session, signoff, p) for p in columns}
    if not all(_within(b["time"], now, window_h) for b in before.values()):
        raise Forbidden(f"{obsidrev}: a Discard can be undone only within {window_h:g} hours")
    for p in columns:
        guard(obsidrev, p, DISCARD, PENDING)
    values: dict[str, Any] = {}
    for p in columns:
        values.update({f"{p}_status": PENDING, f"{p}_signoff_id": None, f"{p}_time": None})
    _set_all(
        session,
        signoff,
        columns,
        expected=DISCARD,
        values=values,
        doing=f"{obsidrev} changed while you were undoing its Discard",
    )
    record(
        session,
        user=user,
        action="undo.discard",
        target=obsidrev,
        before=before,
        after={p: {"status": PENDING, "user": None, "time": None} for p in columns},
        now=now,
    )
    oplog.after_commit(session, user, "undo_discard", obsidrev, columns=",".join(columns))
    return get_revision(session, obsid, rev, with_values=False)


def can_undo_revision(view: RevisionView, *, user: User, now: datetime, window_h: float = 36.0) -> bool:
    """Own revision, younger than `window_h` hours, and no column signed or discarded by someone else."""
    if view.user_id != getattr(user, "id", None) or view.time.timestamp() < now.timestamp() - window_h * 3600:
        return False
    return all(s["status"] not in (SIGNED, DISCARD) or s["user"] == user.username for s in view.signoff.values())


def undo_revision(
    session: Session, obsid: int, rev: int, *, user: User, now: datetime, window_h: float = 36.0
) -> RevisionView:
    """Delete one's own recent revision nobody else signed (D17); the events row keeps its full before-state."""
    _active(user)
    view = get_revision(session, obsid, rev, with_values=True)
    if view.user_id != user.id:
        raise Forbidden(f"{view.obsidrev}: only its submitter {view.user} can remove it")
    if not can_undo_revision(view, user=user, now=now, window_h=window_h):
        raise Forbidden(
            f"{view.obsidrev}: a revision can be removed only within {window_h:g} hours and before anyone else signs it"
        )
    result = session.execute(
        delete(Revision).where(Revision.id == view.id).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"{view.obsidrev} was removed meanwhile")
    before = {
        "kind": view.kind,
        "sequence_number": view.sequence_number,
        "time": view.time,
        "user": view.user,
        "notes": view.notes,
        "signoff": view.signoff,
        "originals": view.originals,
        "requests": view.requests,
    }
    record(session, user=user, action="undo.revision", target=view.obsidrev, before=before, after=None, now=now)
    oplog.after_commit(session, user, "remove_revision", view.obsidrev)
    return view


@dataclass(frozen=True)
class Undoable:
    """One row of rm_submission: a revision and what this user may undo on it."""

    revision: RevisionView
    columns: tuple[str, ...]
    revision_removable: bool


def undoable(
    session: Session, *, user: User, now: datetime, window_h: float = 36.0, limit: int = 200
) -> list[Undoable]:
    """The user's reversible actions of the last `window_h` hours, newest revision first (other-pages §7.2)."""
    if user is None or getattr(user, "id", None) is None:
        return []
    cutoff = int(now.timestamp() - window_h * 3600)
    # A UNION of parts the time indexes answer (one OR across the joined tables scans every revision).
    mine = select(Revision.id).where(Revision.time >= cutoff, unindexed(Revision.user_id) == user.id)
    signed = [
        select(Signoff.revision_id).where(
            getattr(Signoff, f"{p}_time") >= cutoff, unindexed(getattr(Signoff, f"{p}_signoff_id")) == user.id
        )
        for p in SIGNOFF_PREFIXES
    ]
    ids = union(mine, *signed).subquery()
    views = revisions_where(session, Revision.id.in_(select(ids.c[0])), limit=limit)
    out = []
    for v in views:
        own = [
            (p, s["status"])
            for p, s in v.signoff.items()
            if s["user"] == user.username
            and s["status"] in (SIGNED, DISCARD)
            and s["time"]
            and s["time"].timestamp() >= cutoff
        ]
        cols = tuple(p for p, status in own if status == SIGNED)
        if any(status == DISCARD for _, status in own):
            cols += (DISCARD_ITEM,)
        removable = can_undo_revision(v, user=user, now=now, window_h=window_h)
        if cols or removable:
            out.append(Undoable(revision=v, columns=cols, revision_removable=removable))
    return out
