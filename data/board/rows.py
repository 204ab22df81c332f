"""The status board (orupdate, D12): every open revision plus those closed within the window.

`board_rows` reads the listed revisions with their sign-offs and per-obsid facts (approved, higher revision
signed) in ONE set-based query (`BoardRow` each); `shape` turns them into a `BoardData` (one `BoardRecord` per row)
in one pass of plain Python, with target and PI from the Ocat (`ocat_basics`, batched, cached 10 minutes).
`data.board.frame` gives the same as a DataFrame. `change_token` is one tiny query; the pages read through
`data.board.live`, which keeps the board per worker and re-reads only the obsids the `changes` table names.
No pandas here: the board page and the status API never load it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from data.models import EDIT_COLUMNS, PENDING, SIGNED, SIGNOFF_PREFIXES, Change, Event, Revision, Signoff, User
from data.ocat import lookups as ocat_lookups
from data.ocat.cache import Cache
from data.ocat.lookups import NO_BASICS, Basics
from data.parameters.catalogue import NOTE_LABELS
from data.revisions.store import board_ids_query

COLUMNS: tuple[str, ...] = SIGNOFF_PREFIXES
"""The five sign-off columns, in board order."""

COLUMN_LABELS: dict[str, str] = {
    "general": "General edits",
    "acis": "ACIS edits",
    "acis_si": "ACIS SI Mode edits",
    "hrc_si": "HRC SI Mode edits",
    "usint": "USINT Verification",
}

NOTE_BADGES = (
    "large_coordinate_change",
    "on_or_list",
    "obsdate_under10",
    "instrument_change",
    "grating_change",
    "target_name_change",
    "comment_change",
)
"""The revision notes the board shows as badges, in board order (their words: catalogue.NOTE_LABELS)."""

# Badge key -> label, in display order: the derived badges around the notes of the revision.
BADGES: tuple[tuple[str, str], ...] = (
    ("multiple_open", "Multiple Revisions Open"),
    ("higher_signed", "Higher Rev Already Signed Off"),
    *((note, NOTE_LABELS[note]) for note in NOTE_BADGES),
    ("approved", "On Approved List"),
)
BADGE_LABELS = dict(BADGES)

_COLOR_FILE = Path(__file__).parents[1] / "reference" / "color.json"


def _load_colors() -> tuple[tuple[str, str], ...]:
    with open(_COLOR_FILE) as handle:
        raw = json.load(handle)
    out = []
    for name, value in raw.items():
        # color.json writes "rgb(r,g,b,a)"; browsers want rgba() for four components.
        value = value.strip()
        if value.startswith("rgb(") and value.count(",") == 3:
            value = "rgba(" + value[4:]
        out.append((name, value))
    return tuple(out)


COLORS: tuple[tuple[str, str], ...] = _load_colors()
"""(name, css colour) of the 28 colours of v2.1's color.json, in file order."""


@dataclass(frozen=True)
class BoardMeta:
    """What the page needs besides the rows: the window, the Ocat state and when a closed row drops out."""

    now: datetime
    closed_window_h: float
    ocat_ok: bool
    next_expiry: datetime | None
    token: str | None = None
    """The change token the rows are as of (the live board's); None when read without it."""


def assign_colors(obsids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """A stable colour per obsid with several open revisions: slot `obsid % 28`, probing to the next free slot.

    The same obsid keeps its colour from refresh to refresh while no other obsid takes its slot first; while at
    most 28 obsids need a colour, no two share one. Beyond 28 the colours repeat (v2.1 cycles the list too).
    """
    n = len(COLORS)
    used: set[int] = set()
    out: dict[int, tuple[str, str]] = {}
    for obsid in sorted(set(int(o) for o in obsids)):
        slot = obsid % n
        if len(used) < n:
            while slot in used:
                slot = (slot + 1) % n
        used.add(slot)
        out[obsid] = COLORS[slot]
    return out


# ---------------------------------------------------------------------------------------------------- token


def token_parts(session: Session) -> tuple[int, int]:
    """(max(changes.id), max(events.id)) in ONE query over two primary keys."""
    stmt = select(select(func.max(Change.id)).scalar_subquery(), select(func.max(Event.id)).scalar_subquery())
    changed, ev = session.execute(stmt).one()
    return int(changed or 0), int(ev or 0)


def change_token(session: Session) -> str:
    """A cheap fingerprint of everything the board shows (`token_parts` as text).

    The database's own triggers append a `changes` row for every row any writer (this app, v2.1, SQL by hand)
    inserts, updates or deletes in `revisions` or `signoffs`, in the writer's transaction, so the token moves
    whenever a row would. The events part moves on this app's other audited changes (users, for the names).
    Closed rows that age out of the window are handled by the caller through `BoardMeta.next_expiry`.
    """
    return token_text(token_parts(session))


def token_text(parts: tuple[int, ...]) -> str:
    return "-".join(str(part) for part in parts)


# ---------------------------------------------------------------------------------------------------- ocat


def ocat_basics(ocat: Any, obsids: Sequence[int], lookups: Cache | None = None) -> tuple[dict[int, Basics], bool]:
    """`data.ocat.lookups.lookup` for the board: (basics, ok); ok is False when the Ocat could not be read (the
    board then shows no target or PI, and still shows)."""
    if ocat is None:
        return {}, False
    try:
        return ocat_lookups.lookup(ocat, obsids, lookups), True
    except Exception:  # any Ocat failure: the board still shows, without target/PI
        return {}, False


# ---------------------------------------------------------------------------------------------------- rows


class BoardRow(NamedTuple):
    """One revision as `board_rows` reads it: the revision, its five sign-off cells (status, signer id, epoch
    time) and three facts about its obsid, read with it. Times are epoch seconds."""

    revision_id: int
    obsid: int
    revision_number: int
    kind: str
    sequence_number: int | None
    submitted: int
    notes: str | None
    submitter_id: int
    general_status: str
    general_signoff_id: int | None
    general_at: int | None
    acis_status: str
    acis_signoff_id: int | None
    acis_at: int | None
    acis_si_status: str
    acis_si_signoff_id: int | None
    acis_si_at: int | None
    hrc_si_status: str
    hrc_si_signoff_id: int | None
    hrc_si_at: int | None
    usint_status: str
    usint_signoff_id: int | None
    usint_at: int | None
    newest_asis: int | None
    """The obsid's newest asis revision number (approved when newer than its newest remove, v2.1 `is_approved`)."""
    newest_remove: int | None
    higher_signed: bool | None
    """For an open row, whether a higher revision of its obsid is closed (signed off or discarded); None for a
    closed row."""

    @property
    def statuses(self) -> tuple[str, ...]:
        """The five sign-off statuses, in `COLUMNS` order."""
        return self[_CELLS:_FACTS:3]

    @property
    def signers(self) -> tuple[int | None, ...]:
        return self[_CELLS + 1 : _FACTS : 3]

    @property
    def times(self) -> tuple[int | None, ...]:
        return self[_CELLS + 2 : _FACTS : 3]


_CELLS = BoardRow._fields.index("general_status")
_FACTS = BoardRow._fields.index("newest_asis")


def _is_pending(table: Any = Signoff) -> ColumnElement[bool]:
    return or_(*(getattr(table, f"{c}_status") == PENDING for c in COLUMNS))


def _obsid_facts() -> list[Any]:
    """The three facts of `BoardRow`'s tail, read with each row, each one short index seek or walk whatever the
    length of the obsid's history: its obsid's newest asis and newest remove revision numbers (one seek each into
    `ix_revisions_obsid_kind`), and, for an open row, whether a higher revision of its obsid is closed: EXISTS
    walks the unique (obsid, revision_number) index up from the row's own number and stops at the first closed
    revision, so it passes only over open ones."""
    other, other_signoff = aliased(Revision), aliased(Signoff)

    def newest(kind: str) -> Any:
        return (
            select(func.max(other.revision_number))
            .where(other.obsid == Revision.obsid, other.kind == kind)
            .scalar_subquery()
        )

    higher_closed = (
        select(other.id)
        .join(other_signoff, other_signoff.revision_id == other.id)
        .where(
            other.obsid == Revision.obsid,
            other.revision_number > Revision.revision_number,
            ~_is_pending(other_signoff),
        )
        .exists()
    )
    return [newest("asis"), newest("remove"), case((_is_pending(), higher_closed), else_=None)]


@functools.cache
def _rows_statement(by_obsid: bool) -> Select[Any]:
    """The statement of `board_rows`, built once: `:cutoff` (or, by obsid, the expanding `:obsids`) bound."""
    cells = [getattr(Signoff, f"{c}_{part}") for c in COLUMNS for part in ("status", "signoff_id", "time")]
    stmt = select(
        Revision.id,
        Revision.obsid,
        Revision.revision_number,
        Revision.kind,
        Revision.sequence_number,
        Revision.time,
        Revision.notes,
        Revision.user_id,
        *cells,
        *_obsid_facts(),
    )
    stmt = stmt.join(Signoff, Signoff.revision_id == Revision.id).order_by(Revision.id.desc())
    if by_obsid:  # a few obsids: all their revisions by index, then the listing rule in Python
        return stmt.where(Revision.obsid.in_(bindparam("obsids", expanding=True)))
    ids = board_ids_query(bindparam("cutoff", type_=Integer)).subquery()
    return stmt.where(Revision.id.in_(select(ids.c[0])))


def board_rows(
    session: Session, *, now: datetime, window_h: float, obsids: Collection[int] | None = None
) -> list[BoardRow]:
    """What the board lists (`data.revisions.store.board_ids_query`: open, or submitted or signed within `window_h`
    hours), newest first, in ONE query; no ORM entities.
    `obsids` limits it to those obsids (the live board re-reads only the obsids `changes` names)."""
    cutoff = int(now.timestamp() - window_h * 3600)
    make = BoardRow._make
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # The planner costs the per-row subqueries high enough to JIT-compile the statement (on by default since
        # PostgreSQL 12): 50 ms and more of compiling for a query that runs in less.
        conn.exec_driver_sql("SET LOCAL jit = off")
    if obsids is None:
        result = conn.execute(_rows_statement(False), {"cutoff": cutoff})
        return [make(r) for r in result.all()]  # Core and fetchall: no per-row ORM bookkeeping
    result = conn.execute(_rows_statement(True), {"obsids": sorted(obsids)})
    return [r for r in (make(r) for r in result.all()) if listed(r, cutoff)]


def user_names(session: Session) -> dict[int, str]:
    """user id -> username, for the submitter and signer columns."""
    return dict(session.connection().execute(select(User.id, User.username)).tuples().all())


# ---------------------------------------------------------------------------------------------------- records


class BoardRecord(NamedTuple):
    """One board row as the page, the API and the frame show it. Times are epoch seconds or None; each sign-off
    column gives its status, signer name, time and hours waited (Pending: so far; Signed: until signed)."""

    obsidrev: str
    obsid: int
    revision_number: int
    revision_id: int
    sequence_number: int | None
    target: str | None
    pi: str | None
    obs_type: str | None
    instrument: str | None
    submitter: str
    submitter_id: int
    submitted: int
    kind: str
    is_open: bool
    closed_at: int | None
    badges: tuple[str, ...]
    color: str | None
    color_name: str | None
    approved: bool
    open_count: int
    general_status: str
    general_by: str | None
    general_at: int | None
    general_waited_h: float | None
    acis_status: str
    acis_by: str | None
    acis_at: int | None
    acis_waited_h: float | None
    acis_si_status: str
    acis_si_by: str | None
    acis_si_at: int | None
    acis_si_waited_h: float | None
    hrc_si_status: str
    hrc_si_by: str | None
    hrc_si_at: int | None
    hrc_si_waited_h: float | None
    usint_status: str
    usint_by: str | None
    usint_at: int | None
    usint_waited_h: float | None


FIELDS: tuple[str, ...] = BoardRecord._fields
"""The fields of a `BoardRecord`, in order (the frame adds `mine`, which depends on the reader)."""
FIELD_INDEX: dict[str, int] = {name: i for i, name in enumerate(FIELDS)}
TIME_COLUMNS: tuple[str, ...] = ("submitted", "closed_at", *(f"{c}_at" for c in COLUMNS))
"""The fields holding times: epoch seconds in `BoardData`, UTC Timestamps in the frame."""


@dataclass(frozen=True)
class BoardData:
    """The board: one `BoardRecord` per row in board order, and its `BoardMeta`. Shared between readers: never
    mutate it."""

    records: list[BoardRecord]
    meta: BoardMeta

    def __len__(self) -> int:
        return len(self.records)

    def column(self, name: str) -> list[Any]:
        i = FIELD_INDEX[name]
        return [r[i] for r in self.records]

    def mine(self, user: Any) -> list[bool]:
        """Per row: was it submitted by `user` (anything with `user_id` or `id`)?"""
        me = _user_id(user)
        return [s == me for s in self.column("submitter_id")] if me is not None else [False] * len(self)


def _user_id(user: Any) -> Any:
    if user is None:
        return None
    me = getattr(user, "user_id", None)
    return me if me is not None else getattr(user, "id", None)


def listed(row: BoardRow, cutoff: int) -> bool:
    """The board's rule for one `BoardRow` (`data.revisions.store.board_ids_query`, in Python): open, or
    submitted or signed in any column at or after `cutoff`. The live board drops aged-out rows with it."""
    if PENDING in row.statuses or row.submitted >= cutoff:
        return True
    return any(t is not None and t >= cutoff for t in row.times)


def board_data(
    session: Session,
    *,
    now: datetime,
    closed_window_h: float,
    ocat: Any = None,
    lookups: Cache | None = None,
) -> BoardData:
    """Every open revision plus those closed within `closed_window_h` hours of `now` (by last sign-off time).

    One row per revision: open rows first (oldest submission first), then closed rows (most recently closed
    first). `ocat` is an Ocat source; without one (or when it fails) target and PI are empty and
    `meta.ocat_ok` is False; `lookups` keeps what was read of the Ocat (`ocat_basics`).

    This reads in full. The pages and the API call this worker's live board instead (`data.board.live.current`):
    read in full once, then brought up to date from the `changes` rows since, re-reading only the obsids they name.
    """
    rows = board_rows(session, now=now, window_h=float(closed_window_h))
    names = user_names(session)
    return shape(rows, names=names, now=now, closed_window_h=closed_window_h, ocat=ocat, lookups=lookups)


@dataclass
class Memo:
    """Records `shape` may reuse: revision id -> (its `BoardRow`, its other inputs, its record), valid while the
    user names are `names`."""

    names: dict[int, str] = field(default_factory=dict)
    records: dict[int, tuple[BoardRow, tuple[Any, ...], BoardRecord]] = field(default_factory=dict)


def _in_board_order(rows: Iterable[BoardRow], cutoff: int) -> tuple[list[tuple[BoardRow, int | None]], dict[int, int]]:
    """The rows still listed, in board order, each with when it closed (None while open); and the open rows per
    obsid. Open rows first, oldest submission first; then closed rows, most recently closed first."""
    open_count: dict[int, int] = {}
    keyed = []
    for r in rows:
        if PENDING in r.statuses:  # open: always listed
            open_count[r.obsid] = open_count.get(r.obsid, 0) + 1
            keyed.append(((0, r.submitted, r.obsid, r.revision_number), r, None))
        elif listed(r, cutoff):
            signed = [t for t in r.times if t is not None]
            closed_at = max(signed) if signed else r.submitted
            keyed.append(((1, -closed_at, r.obsid, r.revision_number), r, closed_at))
    keyed.sort(key=itemgetter(0))
    return [(r, closed_at) for _key, r, closed_at in keyed], open_count


_USINT = len(COLUMNS) - 1
_USINT_CELL = _CELLS + 3 * _USINT
assert EDIT_COLUMNS == COLUMNS[:_USINT] and COLUMNS[_USINT] == "usint"  # `_cells` relies on this order


def _cells(r: BoardRow, names: Mapping[int, str], now_s: int) -> list[Any]:
    """The 20 sign-off fields of a record: per column its status, signer name, time and hours waited (to 0.01 h).

    A Pending edit column has waited since submission; the Pending verify column (usint, last) since the last edit
    sign-off (when it became signable). A signed column shows how long it took."""
    submitted = r.submitted
    times = r[_CELLS + 2 : _FACTS : 3]
    edit_done = max([t or 0 for t in times[:_USINT]])
    out: list[Any] = []
    start = submitted
    for i in range(_CELLS, _FACTS, 3):
        status, by, at = r[i : i + 3]
        if i == _USINT_CELL and edit_done > submitted:
            start = edit_done
        # Whole seconds to hundredths of an hour, halves up, in integers (round(x / 3600, 2) costs several times more).
        if status == PENDING:
            out += (status, names.get(by), at, (now_s - start + 18) // 36 / 100)
        elif status == SIGNED and at is not None:
            out += (status, names.get(by), at, ((at - start if at > start else 0) + 18) // 36 / 100)
        else:
            out += (status, names.get(by), at, None)
    return out


def _badges(r: BoardRow, is_open: bool, count: int, notes: list[str], approved: bool) -> tuple[str, ...]:
    """The row's badges in `BADGES` order: derived ones around the note flags stored with the revision."""
    badges = []
    if is_open and count > 1:
        badges.append("multiple_open")
    if is_open and r.higher_signed:
        badges.append("higher_signed")
    badges += notes
    if approved:
        badges.append("approved")
    return tuple(badges)


def shape(
    rows: Iterable[BoardRow],
    *,
    names: Mapping[int, str],
    now: datetime,
    closed_window_h: float,
    ocat: Any,
    memo: Memo | None = None,
    lookups: Cache | None = None,
    token: str | None = None,
) -> BoardData:
    """The `BoardRow`s still listed at `now` as a `BoardData`, in one pass of plain Python.

    With `memo` (the live board's), a row whose `BoardRow` object, obsid facts and names are those of the last pass
    (and, while open, the same minute) keeps its record: a refresh after one sign-off re-shapes one row.
    """
    now_s = int(now.timestamp())
    minute = now_s // 60
    window_s = float(closed_window_h) * 3600.0
    ordered, open_count = _in_board_order(rows, int(now_s - window_s))
    all_obsids = sorted({r.obsid for r, _closed in ordered})
    basics, ocat_ok = ocat_basics(ocat, all_obsids, lookups)
    colors = assign_colors(o for o, k in open_count.items() if k > 1)
    if ocat_ok:
        per_obsid = {o: basics.get(o, NO_BASICS) for o in all_obsids}
    else:  # without the Ocat no target or PI, even where an earlier read is still cached
        per_obsid = {o: basics.get(o, NO_BASICS)._replace(target=None, pi=None) for o in all_obsids}
    if memo is not None and memo.names != names:
        memo.records.clear()
        memo.names = dict(names)
    kept = memo.records if memo is not None else {}

    note_cache: dict[Any, list[str]] = {}
    make = BoardRecord._make
    records: list[BoardRecord] = []
    closings = [closed_at for _r, closed_at in ordered if closed_at is not None]
    for r, closed_at in ordered:
        obsid, is_open = r.obsid, closed_at is None
        count = open_count.get(obsid, 0)
        color = (colors.get(obsid) if is_open else None) or (None, None)
        inputs = (minute if is_open else None, count, color, per_obsid[obsid])
        hit = kept.get(r.revision_id)
        if hit is not None and hit[0] is r and hit[1] == inputs:
            records.append(hit[2])
            continue
        notes = note_cache.get(r.notes)
        if notes is None:
            parsed = _notes(r.notes)
            notes = note_cache[r.notes] = [k for k in NOTE_BADGES if parsed.get(k)]
        asis, remove = r.newest_asis, r.newest_remove
        approved = asis is not None and (remove is None or asis > remove)
        target, pi, obs_type, instrument = per_obsid[obsid]
        record = make(
            (
                f"{obsid}.{r.revision_number:03}",
                obsid,
                r.revision_number,
                r.revision_id,
                r.sequence_number,
                target,
                pi,
                obs_type,
                instrument,
                names.get(r.submitter_id, ""),
                r.submitter_id,
                r.submitted,
                r.kind,
                is_open,
                closed_at,
                _badges(r, is_open, count, notes, approved),
                color[1],
                color[0],
                approved,
                count,
                *_cells(r, names, now_s),
            )
        )
        records.append(record)
        if memo is not None:
            kept[r.revision_id] = (r, inputs, record)
    expiry = None if not closings else datetime.fromtimestamp(int(min(closings) + window_s), UTC)
    meta = BoardMeta(
        now=now,
        closed_window_h=float(closed_window_h),
        ocat_ok=ocat_ok or not all_obsids,
        next_expiry=expiry,
        token=token,
    )
    return BoardData(records=records, meta=meta)


def _notes(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
