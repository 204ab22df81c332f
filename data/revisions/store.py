"""Revision services (data-layer §3.5–§3.8, D1–D3): numbering, the one-transaction submit, and read views.

Session first, actor and clock as keywords (E16): functions flush, never commit, and raise typed errors.
Read results are `RevisionView` dataclasses with values decoded from their JSON text (data-layer §3.3, D2).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, insert, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data import ids, oplog
from data.errors import Conflict, Forbidden, NotFound, ValidationFailed
from data.events import record
from data.mail.outbox import Mail, queue
from data.models import (
    KINDS,
    NOT_REQUIRED,
    PENDING,
    SIGNED,
    SIGNOFF_PREFIXES,
    Original,
    Parameter,
    Request,
    Revision,
    Signoff,
    User,
)
from data.parameters import catalogue
from data.parameters.table import parameter_ids
from data.parameters.values import STORAGE_FORMAT, is_null
from data.users import require

MAX_NUMBER_ATTEMPTS = 25
_CHUNK = 500

MailsArg = Sequence[Mail] | Callable[[Revision], Sequence[Mail]]


# ------------------------------------------------------------------------------------------ value encoding


def _plain(value: Any) -> Any:
    if is_null(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime(STORAGE_FORMAT)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%dT00:00:00Z")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()  # numpy / pandas scalars
    return value


def encode_value(value: Any) -> str | None:
    """A value → its `originals`/`requests` text: JSON, with NULL_LIST members as SQL NULL (data-layer §3.3)."""
    plain = _plain(value)
    return None if plain is None else json.dumps(plain)


def decode_value(text: str | None) -> Any:
    """Stored text → the value (`json.loads`; NULL → None)."""
    return None if text is None else json.loads(text)


# ------------------------------------------------------------------------------------------------ views


@dataclass(frozen=True)
class RevisionView:
    """One revision as pages, API and e-mails read it."""

    id: int
    obsid: int
    revision_number: int
    kind: str
    sequence_number: int
    time: datetime
    user: str
    user_id: int
    notes: dict[str, Any]
    signoff: dict[str, dict[str, Any]]
    originals: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)

    @property
    def obsidrev(self) -> str:
        return f"{self.obsid}.{self.revision_number:03}"

    @property
    def is_open(self) -> bool:
        return is_open(self)

    @property
    def pending(self) -> list[str]:
        return [c for c, s in self.signoff.items() if s["status"] == PENDING]


def _utc(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def is_open(signoff: Signoff | RevisionView | Mapping[str, Any]) -> bool:
    """True while any of the five columns is Pending (`Discard` counts as closed)."""
    if isinstance(signoff, Signoff):
        return signoff.is_open
    statuses = signoff.signoff if isinstance(signoff, RevisionView) else signoff
    return any((s["status"] if isinstance(s, Mapping) else s) == PENDING for s in statuses.values())


def _open_clause() -> ColumnElement[bool]:
    return or_(*(getattr(Signoff, f"{p}_status") == PENDING for p in SIGNOFF_PREFIXES))


def _open_ids() -> Select[Any]:
    """The ids of the open revisions, from the sign-off rows alone (the five status indexes)."""
    return select(Signoff.revision_id).where(_open_clause())


def unindexed(column: ColumnElement[int]) -> ColumnElement[int]:
    """`column + 0`: the same value, but no index on `column` answers a condition on it. Without ANALYZE statistics
    SQLite prefers any equality (a user's 30k revisions through `ix_revisions_user_id`) to a range of a few hundred
    rows (the time indexes). PostgreSQL, with its statistics, picks the range anyway."""
    return column + 0


def _usernames(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.username)).tuples().all())


def _values(session: Session, model: type[Original] | type[Request], ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {} for i in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = session.execute(
            select(model.revision_id, Parameter.name, model.value)
            .join(Parameter, Parameter.id == model.parameter_id)
            .where(model.revision_id.in_(chunk))
            .order_by(model.id)
        )
        for rid, name, value in rows:
            out[rid][name] = decode_value(value)
    return out


def _views(session: Session, stmt: Select[Any], *, with_values: bool) -> list[RevisionView]:
    rows = session.execute(stmt).all()
    names = _usernames(session)
    originals = requests = None
    if with_values:
        ids = [rev.id for rev, _ in rows]
        originals, requests = _values(session, Original, ids), _values(session, Request, ids)
    views = []
    for rev, so in rows:
        signoff = {
            p: {
                "status": getattr(so, f"{p}_status"),
                "user": names.get(getattr(so, f"{p}_signoff_id")),
                "time": _utc(getattr(so, f"{p}_time")),
            }
            for p in SIGNOFF_PREFIXES
        }
        views.append(
            RevisionView(
                id=rev.id,
                obsid=rev.obsid,
                revision_number=rev.revision_number,
                kind=rev.kind,
                sequence_number=rev.sequence_number,
                time=_utc(rev.time),
                user=names.get(rev.user_id, ""),
                user_id=rev.user_id,
                notes=json.loads(rev.notes) if rev.notes else {},
                signoff=signoff,
                originals=originals[rev.id] if originals is not None else {},
                requests=requests[rev.id] if requests is not None else {},
            )
        )
    return views


def _select() -> Select[Any]:
    return select(Revision, Signoff).join(Signoff, Signoff.revision_id == Revision.id)


# ------------------------------------------------------------------------------------------------ reads


def parse_obsidrev(text: str) -> tuple[int, int]:
    """`"12345.004"` → `(12345, 4)` (data.ids: ASCII digits, bounded); ValidationFailed for anything else."""
    parsed = ids.parse_obsidrev(text)
    if parsed is None:
        raise ValidationFailed({"obsidrev": f"{str(text)[:40]!r} is not <obsid>.<rev>, e.g. 12345.004"})
    return parsed


def next_revision_number(session: Session, obsid: int) -> int:
    """`max(revision_number) + 1` for `obsid`, or 1."""
    top = session.scalar(select(func.max(Revision.revision_number)).where(Revision.obsid == obsid))
    return (top or 0) + 1


def get_revision(session: Session, obsid: int, rev: int, *, with_values: bool = True) -> RevisionView:
    """One revision with its originals and requests; NotFound when there is none."""
    stmt = _select().where(Revision.obsid == obsid, Revision.revision_number == rev)
    views = _views(session, stmt, with_values=with_values)
    if not views:
        raise NotFound(f"No revision {obsid}.{rev:03}")
    return views[0]


def history(session: Session, obsid: int, *, with_values: bool = True) -> list[RevisionView]:
    """Every revision of `obsid`, by revision number."""
    stmt = _select().where(Revision.obsid == obsid).order_by(Revision.revision_number)
    return _views(session, stmt, with_values=with_values)


def revisions_after(session: Session, obsid: int, after: int) -> list[RevisionView]:
    """The revisions of `obsid` numbered above `after`, oldest first, without values: what others submitted
    since a page read `after` as the newest (the editor's confirm step)."""
    stmt = _select().where(Revision.obsid == obsid, Revision.revision_number > after)
    return _views(session, stmt.order_by(Revision.revision_number), with_values=False)


def open_revisions(
    session: Session,
    obsids: Iterable[int] | None = None,
    *,
    with_values: bool = False,
    submitter_id: int | None = None,
    limit: int | None = None,
) -> list[RevisionView]:
    """Open revisions (any column Pending), by obsid then revision number; optionally only of `obsids`, or only
    those `submitter_id` submitted, or only the first `limit` (`count_open` counts them all)."""
    stmt = _select().order_by(Revision.obsid, Revision.revision_number)
    if submitter_id is None:
        stmt = stmt.where(_open_clause())
    else:  # the open ids first (status indexes): a join on both conditions reads the user's every revision
        stmt = stmt.where(Revision.id.in_(_open_ids()), Revision.user_id == submitter_id)
    if obsids is not None:
        wanted = sorted(set(obsids))
        if not wanted:
            return []
        stmt = stmt.where(Revision.obsid.in_(wanted))
    if limit is not None:
        stmt = stmt.limit(limit)
    return _views(session, stmt, with_values=with_values)


def count_open(session: Session, *, submitter_id: int | None = None) -> int:
    """How many revisions are open (any column Pending), optionally only those `submitter_id` submitted."""
    if submitter_id is None:
        return session.scalar(select(func.count()).select_from(_open_ids().subquery())) or 0
    stmt = select(func.count()).select_from(Revision)
    stmt = stmt.where(Revision.id.in_(_open_ids()), Revision.user_id == submitter_id)
    return session.scalar(stmt) or 0


def board_ids_query(cutoff: int | ColumnElement[int]) -> CompoundSelect:
    """The ids of the revisions the status board lists (D12): open (any column Pending), submitted since
    `cutoff` (epoch seconds, or a bound parameter), or signed since `cutoff` in any column. The one statement of that rule (`data.board.rows.listed` is
    its Python twin for rows already read).

    A UNION of index-only parts instead of one OR across the joined tables (which scans every sign-off row):
    the five `ix_signoffs_*_status` indexes answer the first part (SQLite's multi-index OR, PostgreSQL's
    BitmapOr), `ix_revisions_time` the second and the five `ix_signoffs_*_time` indexes one SELECT each.
    """
    pending = select(Signoff.revision_id).where(_open_clause())
    submitted = select(Revision.id).where(Revision.time >= cutoff)
    # One SELECT per time column: without ANALYZE statistics SQLite costs an OR of five open ranges above a scan.
    signed = [select(Signoff.revision_id).where(getattr(Signoff, f"{p}_time") >= cutoff) for p in SIGNOFF_PREFIXES]
    return union(pending, submitted, *signed)


def board_revisions(session: Session, *, now: datetime, window_h: float) -> list[RevisionView]:
    """What the status board lists (D12): every open revision plus those closed within `window_h` hours
    (by their last sign-off time, or creation time when nobody signed), newest first."""
    ids = board_ids_query(int(now.timestamp() - window_h * 3600)).subquery()
    stmt = _select().where(Revision.id.in_(select(ids.c[0]))).order_by(Revision.id.desc())
    return _views(session, stmt, with_values=False)


def revisions_where(
    session: Session, *conditions: ColumnElement[bool], limit: int | None = None, with_values: bool = False
) -> list[RevisionView]:
    """Views of the revisions (joined with their sign-off row) matching `conditions`, newest first."""
    stmt = _select().where(*conditions).order_by(Revision.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return _views(session, stmt, with_values=with_values)


def is_approved(session: Session, obsid: int) -> bool:
    """True when the obsid's latest asis/remove revision is an asis (v2.1's walk; default False)."""
    kind = session.scalar(
        select(Revision.kind)
        .where(Revision.obsid == obsid, Revision.kind.in_(("asis", "remove")))
        .order_by(Revision.revision_number.desc())
        .limit(1)
    )
    return kind == "asis"


def _approving(*columns: Any) -> Select[Any]:
    """`columns` of each obsid's approving revision: its newest asis/remove revision, when that is an asis."""
    last = (
        select(Revision.obsid, func.max(Revision.revision_number).label("n"))
        .where(Revision.kind.in_(("asis", "remove")))
        .group_by(Revision.obsid)
        .subquery()
    )
    return (
        select(*columns)
        .join(last, (last.c.obsid == Revision.obsid) & (last.c.n == Revision.revision_number))
        .where(Revision.kind == "asis")
    )


def approved_obsids(session: Session) -> list[int]:
    """Every approved obsid, ascending."""
    return list(session.scalars(_approving(Revision.obsid).order_by(Revision.obsid)))


@dataclass(frozen=True)
class Approval:
    """An approved obsid with the asis revision that approved it: when (UTC) and by whom."""

    obsid: int
    revision_number: int
    sequence_number: int | None
    time: datetime
    user: str | None
    full_name: str | None

    @property
    def obsidrev(self) -> str:
        return f"{self.obsid}.{self.revision_number:03}"


def approvals(session: Session) -> list[Approval]:
    """Every approved obsid with its approving revision, newest approval first (one query)."""
    stmt = (
        _approving(
            Revision.obsid,
            Revision.revision_number,
            Revision.sequence_number,
            Revision.time,
            User.username,
            User.full_name,
        )
        .outerjoin(User, User.id == Revision.user_id)
        .order_by(Revision.time.desc(), Revision.obsid)
    )
    return [
        Approval(obsid, number, seq, datetime.fromtimestamp(epoch or 0, UTC), user, name)
        for obsid, number, seq, epoch, user, name in session.execute(stmt)
    ]


def has_open_revision(session: Session, obsid: int) -> bool:
    stmt = select(Revision.id).join(Signoff).where(Revision.obsid == obsid, _open_clause()).limit(1)
    return session.scalar(stmt) is not None


def requested_values(session: Session, obsids: Iterable[int], *, open_only: bool = True) -> dict[int, dict[str, Any]]:
    """Per obsid, the values its (open) revisions request, merged in revision order (a later one wins)."""
    wanted = sorted(set(obsids))
    out: dict[int, dict[str, Any]] = {o: {} for o in wanted}
    for start in range(0, len(wanted), _CHUNK):
        stmt = (
            select(Revision.obsid, Parameter.name, Request.value)
            .join(Request, Request.revision_id == Revision.id)
            .join(Parameter, Parameter.id == Request.parameter_id)
            .where(Revision.obsid.in_(wanted[start : start + _CHUNK]))
            .order_by(Revision.obsid, Revision.revision_number, Request.id)
        )
        if open_only:
            stmt = stmt.join(Signoff, Signoff.revision_id == Revision.id).where(_open_clause())
        for obsid, name, value in session.execute(stmt):
            out[obsid][name] = decode_value(value)
    return out


# ------------------------------------------------------------------------------------------------ writes


def _insert_numbered(session: Session, obsid: int, **columns: Any) -> Revision:
    """Insert with the next number; a clash with a concurrent submitter rolls back a SAVEPOINT and retries."""
    for _ in range(MAX_NUMBER_ATTEMPTS):
        revision = Revision(obsid=obsid, revision_number=next_revision_number(session, obsid), **columns)
        try:
            with session.begin_nested():
                session.add(revision)
        except IntegrityError as exc:
            if "revision_number" not in str(exc.orig):
                raise
            continue
        return revision
    raise Conflict(f"Could not number a new revision of {obsid}: too many concurrent submissions, try again")


def _check_names(names: Iterable[str], what: str) -> None:
    stored = set(catalogue.stored_names())
    unknown = sorted(n for n in names if n not in stored)
    if unknown:
        raise ValidationFailed({n: f"{n} is not a stored parameter ({what})" for n in unknown})


def _check_submission(
    kind: str, requests: Mapping[str, object], user: User, permissions: Mapping[str, Sequence[str]] | None
) -> None:
    """A known kind, a registered user allowed to submit (with `permissions`) and stored parameter names only."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": f"kind must be one of {', '.join(KINDS)}, not {kind!r}"})
    if user is None or getattr(user, "id", None) is None:
        raise Forbidden("You are not registered in USINT")
    if permissions is not None:
        require(user, "submit", permissions)
    _check_names(requests, "request")


def _routed_signoff(revision: Revision, kind: str, requests: Mapping[str, object], user: User, epoch: int) -> Signoff:
    """The new revision's sign-off row from the catalogue's routing; a column born Signed is signed by the submitter."""
    statuses = dict(catalogue.signoff_routing(kind, list(requests)))
    signoff = Signoff(revision_id=revision.id)
    for p in SIGNOFF_PREFIXES:
        status = statuses.get(p, NOT_REQUIRED)
        setattr(signoff, f"{p}_status", status)
        if status == SIGNED:
            setattr(signoff, f"{p}_signoff_id", user.id)
            setattr(signoff, f"{p}_time", epoch)
    return signoff


def _insert_values(
    session: Session,
    table: type[Original] | type[Request],
    revision_id: int,
    ids: Mapping[str, int],
    values: Mapping[str, object],
) -> None:
    """One bulk insert of a revision's originals or requests (storage encoding); nothing when there are none."""
    if values:
        rows = [
            {"revision_id": revision_id, "parameter_id": ids[k], "value": encode_value(v)} for k, v in values.items()
        ]
        session.execute(insert(table), rows)


def create_revision(
    session: Session,
    obsid: int,
    *,
    kind: str,
    sequence_number: int,
    originals: Mapping[str, object],
    requests: Mapping[str, object],
    notes: dict[str, Any] | None,
    user: User,
    now: datetime,
    mails: MailsArg = (),
    permissions: Mapping[str, Sequence[str]] | None = None,
) -> Revision:
    """Write a revision with its originals (non-null only), requests, sign-off row, event and outbox rows.

    All in the caller's transaction. The sign-off routing comes from the catalogue; asis/remove are signed
    in the usint column by the submitter. `mails` may be a function of the new revision, or use the
    `{obsidrev}` token. With `permissions`, the user must be allowed to `submit`.
    """
    _check_submission(kind, requests, user, permissions)
    stored = set(catalogue.stored_names())
    kept_originals = {k: v for k, v in originals.items() if k in stored and encode_value(v) is not None}
    ids = parameter_ids(session, set(kept_originals) | set(requests))
    epoch = int(now.timestamp())

    revision = _insert_numbered(
        session,
        int(obsid),
        kind=kind,
        sequence_number=int(sequence_number),
        time=epoch,
        notes=json.dumps(notes) if notes else None,
        user_id=user.id,
    )
    signoff = _routed_signoff(revision, kind, requests, user, epoch)
    session.add(signoff)
    session.flush()
    _insert_values(session, Original, revision.id, ids, kept_originals)
    _insert_values(session, Request, revision.id, ids, requests)
    obsidrev = revision.obsidrev
    record(
        session,
        user=user,
        action="submit",
        target=obsidrev,
        before=None,
        after={
            "kind": kind,
            "sequence_number": revision.sequence_number,
            "signoff": {p: getattr(signoff, f"{p}_status") for p in SIGNOFF_PREFIXES},
            "requests": sorted(requests),
        },
        now=now,
    )
    built = mails(revision) if callable(mails) else mails
    if built:
        queue(session, [m.filled(obsidrev) for m in built], acting_user_email=user.email, now=now, obsidrevs=[obsidrev])
    oplog.after_commit(session, user, "submit", obsidrev, kind=kind)
    return revision


def as_view(session: Session, revision: Revision, *, with_values: bool = True) -> RevisionView:
    """The view of a revision just written (reads it back in the same transaction)."""
    return get_revision(session, revision.obsid, revision.revision_number, with_values=with_values)


__all__ = [
    "PENDING",
    "Approval",
    "RevisionView",
    "approvals",
    "approved_obsids",
    "as_view",
    "board_revisions",
    "count_open",
    "create_revision",
    "decode_value",
    "encode_value",
    "get_revision",
    "has_open_revision",
    "history",
    "is_approved",
    "is_open",
    "next_revision_number",
    "open_revisions",
    "parse_obsidrev",
    "revisions_where",
    "requested_values",
    "unindexed",
]
