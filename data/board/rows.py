"""The status board (orupdate, D12): every open revision plus those closed within the window.

`board_rows` reads the listed revisions with their sign-offs and per-obsid facts (approved, higher revision
signed) in ONE query; `shape` turns them into a `BoardData` (one record per row) in one pass of plain Python,
with target and PI from the Ocat (`ocat_basics`, batched, cached 10 minutes). `board_frame` is the same as a
DataFrame for the API and CSV. `change_token` is one tiny query; the pages read through `data.board.live`,
which keeps the board per worker and re-reads only the obsids the `changes` table names.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from data.models import EDIT_COLUMNS, PENDING, SIGNED, SIGNOFF_PREFIXES, Change, Event, Revision, Signoff, User
from data.ocat import lookups as ocat_lookups
from data.ocat.cache import Cache
from data.ocat.lookups import NO_BASICS, Basics
from data.parameters.catalogue import NOTE_LABELS
from data.revisions.store import board_ids_query

if TYPE_CHECKING:
    import pandas as pd

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


def frame_columns() -> list[str]:
    cols = [
        "obsidrev",
        "obsid",
        "revision_number",
        "revision_id",
        "sequence_number",
        "target",
        "pi",
        "obs_type",
        "instrument",
        "submitter",
        "submitter_id",
        "submitted",
        "kind",
        "is_open",
        "closed_at",
        "badges",
        "color",
        "color_name",
        "mine",
        "approved",
        "open_count",
    ]
    for c in COLUMNS:
        cols += [f"{c}_status", f"{c}_by", f"{c}_at", f"{c}_waited_h"]
    return cols


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


# ---------------------------------------------------------------------------------------------------- frame


def _is_pending(table: Any = Signoff):
    return or_(*(getattr(table, f"{c}_status") == PENDING for c in COLUMNS))


_ROW_FIELDS: tuple[str, ...] = (
    "revision_id", "obsid", "revision_number", "kind", "sequence_number", "submitted", "notes", "submitter_id",
    *(f"{c}_{part}" for c in COLUMNS for part in ("status", "signoff_id", "at")),
    "newest_asis", "newest_remove", "higher_closed",
)  # fmt: skip
"""What `board_rows` returns per revision. The last three are per-obsid facts read with the row: its newest asis
and newest remove revision numbers (approved when the asis is newer, v2.1 `is_approved`) and, for an open row, the
largest closed revision number above its own (the `higher_signed` badge)."""
_S0 = _ROW_FIELDS.index("general_status")
_SN = _S0 + 3 * len(COLUMNS)  # row[_S0:_SN:3] statuses, row[_S0 + 1:_SN:3] signer ids, row[_S0 + 2:_SN:3] times


def _obsid_facts() -> list[Any]:
    """The three correlated per-row subqueries of `_ROW_FIELDS`' tail, each one short index seek or range.

    `max(revision_number)` for one (obsid, kind) is a single seek into `ix_revisions_obsid_kind`; the higher
    closed revision walks only the obsid's revisions above the row's own, and only for open rows.
    """
    other = aliased(Revision)
    other_signoff = aliased(Signoff)

    def newest(kind: str) -> Any:
        return (
            select(func.max(other.revision_number))
            .where(other.obsid == Revision.obsid, other.kind == kind)
            .scalar_subquery()
        )

    higher = (
        select(func.max(other.revision_number))
        .join(other_signoff, other_signoff.revision_id == other.id)
        .where(
            other.obsid == Revision.obsid,
            other.revision_number > Revision.revision_number,
            ~_is_pending(other_signoff),
        )
        .scalar_subquery()
    )
    return [newest("asis"), newest("remove"), case((_is_pending(), higher), else_=None)]


@functools.cache
def _rows_statement(by_obsid: bool) -> Select[Any]:
    """The statement of `board_rows`, built once: `:cutoff` (and, by obsid, the expanding `:obsids`) bound."""
    cols = [Revision.id, Revision.obsid, Revision.revision_number, Revision.kind, Revision.sequence_number,
            Revision.time, Revision.notes, Revision.user_id]  # fmt: skip
    for c in COLUMNS:
        cols += [getattr(Signoff, f"{c}_status"), getattr(Signoff, f"{c}_signoff_id"), getattr(Signoff, f"{c}_time")]
    stmt = select(*cols, *_obsid_facts()).join(Signoff, Signoff.revision_id == Revision.id).order_by(Revision.id.desc())
    if by_obsid:  # a few obsids: all their revisions by index, then the listing rule in Python
        return stmt.where(Revision.obsid.in_(bindparam("obsids", expanding=True)))
    ids = board_ids_query(bindparam("cutoff", type_=Integer)).subquery()
    return stmt.where(Revision.id.in_(select(ids.c[0])))


def board_rows(
    session: Session, *, now: datetime, window_h: float, obsids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """What the board lists (`data.revisions.store.board_ids_query`: open, or submitted or signed within `window_h`
    hours) as plain tuples in `_ROW_FIELDS` order, newest first, in ONE query; no ORM entities.
    `obsids` limits it to those obsids (the live board re-reads only the obsids `changes` names)."""
    cutoff = int(now.timestamp() - window_h * 3600)
    if obsids is None:
        result = session.connection().execute(_rows_statement(False), {"cutoff": cutoff})
        return [tuple(r) for r in result.all()]  # Core and fetchall: plain tuples, no per-row bookkeeping
    result = session.connection().execute(_rows_statement(True), {"obsids": sorted(obsids)})
    return [r for r in (tuple(r) for r in result.all()) if listed(r, cutoff)]


def user_names(session: Session) -> dict[int, str]:
    """user id -> username, for the submitter and signer columns."""
    return dict(session.connection().execute(select(User.id, User.username)).tuples().all())


FIELDS: tuple[str, ...] = tuple(c for c in frame_columns() if c != "mine")
"""The fields of a `BoardData` record: the frame's columns but `mine` (which depends on the reader)."""
FIELD_INDEX: dict[str, int] = {name: i for i, name in enumerate(FIELDS)}
TIME_COLUMNS: tuple[str, ...] = ("submitted", "closed_at", *(f"{c}_at" for c in COLUMNS))
"""The fields holding times: epoch seconds in `BoardData`, UTC Timestamps in the frame."""


@dataclass(frozen=True)
class BoardData:
    """The board: one record (a tuple in `FIELDS` order) per row in board order, times as epoch seconds or
    None; and its `BoardMeta`. Shared between readers: never mutate it."""

    records: list[tuple[Any, ...]]
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


def listed(row: Sequence[Any], cutoff: int) -> bool:
    """The board's rule for one `board_rows` tuple (`data.revisions.store.board_ids_query`, in Python): open, or
    submitted or signed in any column at or after `cutoff`. The live board drops aged-out rows with it."""
    if PENDING in row[_S0:_SN:3] or row[5] >= cutoff:
        return True
    return any(t is not None and t >= cutoff for t in row[_S0 + 2 : _SN : 3])


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


def board_frame(
    session: Session,
    *,
    now: datetime,
    closed_window_h: float,
    user: Any = None,
    ocat: Any = None,
    lookups: Cache | None = None,
) -> pd.DataFrame:
    """`board_data` as a DataFrame (columns of `frame_columns()`, times as UTC Timestamps, NaT when missing),
    `mine` marked for `user`, and the `BoardMeta` in `frame.attrs["meta"]`. For the API, CSV and analysis."""
    data = board_data(session, now=now, closed_window_h=closed_window_h, ocat=ocat, lookups=lookups)
    return data_frame(data, user=user)


def data_frame(data: BoardData, *, user: Any = None) -> pd.DataFrame:
    """A `BoardData` as the board DataFrame (see `board_frame`). pandas is imported here, not with the module: the
    board page and the status API never need it, and it is a third of a worker's memory."""
    import pandas as pd

    frame = pd.DataFrame.from_records(data.records, columns=list(FIELDS), nrows=len(data))
    frame["mine"] = data.mine(user)
    for col in TIME_COLUMNS:
        frame[col] = pd.to_datetime(pd.Series(data.column(col), dtype="float64"), unit="s", utc=True)
    for col in (f"{c}_waited_h" for c in COLUMNS):
        frame[col] = frame[col].astype("float64")
    frame["badges"] = [list(b) for b in data.column("badges")]
    frame = frame[frame_columns()]
    frame.attrs["meta"] = data.meta
    return frame


@dataclass
class Memo:
    """Records `shape` may reuse: revision id -> (the row tuple, its other inputs, its record), valid while
    the user names are `names`."""

    names: dict[int, str] = field(default_factory=dict)
    records: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def shape(
    rows: Iterable[Sequence[Any]],
    *,
    names: Mapping[int, str],
    now: datetime,
    closed_window_h: float,
    ocat: Any,
    memo: Memo | None = None,
    lookups: Cache | None = None,
    token: str | None = None,
) -> BoardData:
    """The `board_rows` tuples still listed at `now` as a `BoardData`, in one pass of plain Python.

    With `memo` (the live board's), a row whose tuple object, obsid facts and names are those of the last pass
    (and, while open, the same minute) keeps its record: a refresh after one sign-off re-shapes one row.
    """
    now_s = int(now.timestamp())
    minute = now_s // 60
    window_s = float(closed_window_h) * 3600.0
    cutoff = int(now_s - window_s)
    usint = COLUMNS.index("usint")
    edit_idx = tuple(COLUMNS.index(c) for c in EDIT_COLUMNS)

    open_count: dict[int, int] = {}
    keyed = []
    for r in rows:
        if PENDING in r[_S0:_SN:3]:  # open: always listed
            open_count[r[1]] = open_count.get(r[1], 0) + 1
            keyed.append(((0, r[5], r[1], r[2]), r, None))
        elif listed(r, cutoff):
            signed = [t for t in r[_S0 + 2 : _SN : 3] if t is not None]
            closed_at = max(signed) if signed else r[5]
            keyed.append(((1, -closed_at, r[1], r[2]), r, closed_at))
    keyed.sort(key=itemgetter(0))
    all_obsids = sorted({k[1][1] for k in keyed})
    basics, ocat_ok = ocat_basics(ocat, all_obsids, lookups)
    colors = assign_colors(o for o, k in open_count.items() if k > 1)
    if ocat_ok:
        per_obsid = {o: basics.get(o, NO_BASICS) for o in all_obsids}
    else:  # without the Ocat no target or PI, even where an earlier read is still cached
        per_obsid = {o: basics.get(o, NO_BASICS)._replace(target=None, pi=None) for o in all_obsids}
    if memo is not None and memo.names != names:
        memo.records.clear()
        memo.names = dict(names)

    note_cache: dict[Any, list[str]] = {}
    records: list[tuple[Any, ...]] = []
    next_expiry: float | None = None
    for _key, r, closed_at in keyed:
        obsid, revnum, submitted = r[1], r[2], r[5]
        is_open = closed_at is None
        count = open_count.get(obsid, 0)
        color = (colors.get(obsid) if is_open else None) or (None, None)
        inputs = (minute if is_open else None, count, color, per_obsid[obsid])
        if memo is not None:
            hit = memo.records.get(r[0])
            if hit is not None and hit[0] is r and hit[1] == inputs:
                records.append(hit[2])
                if closed_at is not None and (next_expiry is None or closed_at < next_expiry):
                    next_expiry = closed_at
                continue
        notes = note_cache.get(r[6])
        if notes is None:
            parsed = _notes(r[6])
            notes = note_cache[r[6]] = [k for k in NOTE_BADGES if parsed.get(k)]
        asis, remove, higher = r[_SN : _SN + 3]
        approved = asis is not None and (remove is None or asis > remove)
        badges = []
        if is_open and count > 1:
            badges.append("multiple_open")
        if is_open and higher is not None:
            badges.append("higher_signed")
        badges += notes
        if approved:
            badges.append("approved")
        # A Pending edit column has waited since submission; a Pending verify column since the last edit
        # sign-off (when it became signable). A signed column shows how long it took.
        times = r[_S0 + 2 : _SN : 3]
        edit_done = max([times[i] or 0 for i in edit_idx])
        cells: list[Any] = []
        for i, (status, by, at) in enumerate(zip(r[_S0:_SN:3], r[_S0 + 1 : _SN : 3], times, strict=True)):
            start = (submitted if submitted > edit_done else edit_done) if i == usint else submitted
            if status == PENDING:
                waited = round((now_s - start) / 3600.0, 2)
            elif status == SIGNED and at is not None:
                waited = round((at - start if at > start else 0.0) / 3600.0, 2)
            else:
                waited = None
            cells += (status, names.get(by), at, waited)
        target, pi, obs_type, instrument = per_obsid[obsid]
        record = (f"{obsid}.{revnum:03}", obsid, revnum, r[0], r[4], target, pi, obs_type, instrument,
                  names.get(r[7], ""), r[7], submitted, r[3], is_open, closed_at, tuple(badges), color[1], color[0],
                  approved, count, *cells)  # fmt: skip
        records.append(record)
        if memo is not None:
            memo.records[r[0]] = (r, inputs, record)
        if closed_at is not None and (next_expiry is None or closed_at < next_expiry):
            next_expiry = closed_at
    expiry = None if next_expiry is None else datetime.fromtimestamp(int(next_expiry + window_s), UTC)
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
