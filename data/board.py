"""The status board (orupdate, D12): every open revision plus those closed within the window, as a DataFrame.

`board_frame` reads the revision DB in a few small queries (rows, user names, higher closed revisions,
approvals) and the Ocat once per batch of obsids (target and PI through `data.ocat.read_basic`).
`change_token` is one tiny query; the board re-reads only when it changes (or a closed row expires).
"""

from __future__ import annotations

import json
import threading
import time as _time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from data.models import EDIT_COLUMNS, PENDING, SIGNED, SIGNOFF_PREFIXES, Event, Revision, Signoff, User
from data.revisions import RevisionView

COLUMNS: tuple[str, ...] = SIGNOFF_PREFIXES
"""The five sign-off columns, in board order."""

COLUMN_LABELS: dict[str, str] = {
    "general": "General edits",
    "acis": "ACIS edits",
    "acis_si": "ACIS SI Mode edits",
    "hrc_si": "HRC SI Mode edits",
    "usint": "USINT Verification",
}

# Badge key -> (label, note key in revisions.notes or None for derived badges), in display order.
BADGES: tuple[tuple[str, str], ...] = (
    ("multiple_open", "Multiple Revisions Open"),
    ("higher_signed", "Higher Rev Already Signed Off"),
    ("large_coordinate_change", "Large Coordinate Shift"),
    ("on_or_list", "On OR List"),
    ("obsdate_under10", "Within 10 Days"),
    ("instrument_change", "Instrument Change"),
    ("grating_change", "Grating Change"),
    ("target_name_change", "Target Change"),
    ("comment_change", "New Comment"),
    ("approved", "On Approved List"),
)
BADGE_LABELS = dict(BADGES)
NOTE_BADGES = (
    "large_coordinate_change",
    "on_or_list",
    "obsdate_under10",
    "instrument_change",
    "grating_change",
    "target_name_change",
    "comment_change",
)

_COLOR_FILE = Path(__file__).parent / "reference" / "color.json"


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


def change_token(session: Session) -> str:
    """A cheap fingerprint of everything the board shows: ONE query over primary keys only.

    Every sign-off, approval, discard and undo writes an `events` row (D1/D17) and every submission adds a
    revision, so max(events.id), max(revisions.id) and count(revisions) change whenever a row would. Closed
    rows that age out of the window are handled by the caller through `BoardMeta.next_expiry`.
    """
    stmt = select(
        select(func.max(Event.id)).scalar_subquery(),
        select(func.max(Revision.id)).scalar_subquery(),
        select(func.count()).select_from(Revision).scalar_subquery(),
    )
    ev, rev, count = session.execute(stmt).one()
    return f"{ev or 0}-{rev or 0}-{count or 0}"


# ---------------------------------------------------------------------------------------------------- ocat


_OCAT_CACHE: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}
_OCAT_LOCK = threading.Lock()
OCAT_TTL_S = 600.0


def ocat_basics(ocat: Any, obsids: Sequence[int]) -> tuple[dict[int, dict[str, Any]], bool]:
    """Target, PI, type and instrument per obsid from `data.ocat.read_basic` (batched), cached 10 minutes.

    Returns (basics, ok); ok is False when the Ocat could not be read (the board then shows no target/PI).
    """
    if ocat is None:
        return {}, False
    stamp = _time.monotonic()
    source = str(getattr(ocat, "url", id(ocat)))  # one cache per Ocat, never mixing two sources' names
    found: dict[int, dict[str, Any]] = {}
    missing: list[int] = []
    with _OCAT_LOCK:
        for obsid in obsids:
            hit = _OCAT_CACHE.get((source, obsid))
            if hit is not None and stamp - hit[0] < OCAT_TTL_S:
                found[obsid] = hit[1]
            else:
                missing.append(obsid)
    if not missing:
        return found, True
    try:
        from data.ocat import read_basic

        fresh = read_basic(ocat, missing)
    except Exception:  # any Ocat failure: the board still shows, without target/PI
        return found, False
    fresh = _basic_mapping(fresh)
    with _OCAT_LOCK:
        for obsid in missing:
            record = fresh.get(obsid) or {}
            _OCAT_CACHE[(source, obsid)] = (stamp, record)
            found[obsid] = record
    return found, True


def _basic_mapping(result: Any) -> dict[int, dict[str, Any]]:
    """Accept what read_basic returns: a mapping obsid -> record/dict, a list of dicts, or a DataFrame."""
    if result is None:
        return {}
    if isinstance(result, pd.DataFrame):
        frame = result.reset_index() if "obsid" not in result.columns else result
        return {int(r["obsid"]): dict(r) for r in frame.to_dict("records")}
    if isinstance(result, Mapping):
        return {int(k): _as_dict(v) for k, v in result.items() if v is not None}
    out = {}
    for item in result:
        record = _as_dict(item)
        if record.get("obsid") is not None:
            out[int(record["obsid"])] = record
    return out


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return dict(getattr(value, "__dict__", {}))


def _pick(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


# ---------------------------------------------------------------------------------------------------- frame


def _is_pending():
    return or_(*(getattr(Signoff, f"{c}_status") == PENDING for c in COLUMNS))


def _per_obsid(session: Session, obsids: Sequence[int], value: Any) -> dict[int, Any]:
    """`value` (a scalar subquery correlated on `revisions.obsid`) for each of `obsids`, in chunks of 500.

    Each subquery walks one obsid's (obsid, revision_number) unique index backwards and stops at its first
    hit, so the cost grows with the board's obsids, not with each obsid's history.
    """
    wanted = sorted(set(int(o) for o in obsids))
    out: dict[int, Any] = {}
    for start in range(0, len(wanted), 500):
        outer = select(Revision.obsid).where(Revision.obsid.in_(wanted[start : start + 500])).distinct().subquery()
        stmt = select(outer.c.obsid, value.correlate_except(Revision, Signoff).where(Revision.obsid == outer.c.obsid))
        out.update({int(o): v for o, v in session.execute(stmt).all() if v is not None})
    return out


def approved_among(session: Session, obsids: Sequence[int]) -> set[int]:
    """The approved obsids among `obsids` (v2.1 `is_approved`: the latest asis/remove revision is an asis).

    The same rule as `data.revisions.approved_obsids`, restricted to the board's obsids: per obsid, the kind of
    its newest asis/remove revision (one backward index walk each).
    """
    latest = (
        select(Revision.kind)
        .where(Revision.kind.in_(("asis", "remove")))
        .order_by(Revision.revision_number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return {o for o, kind in _per_obsid(session, obsids, latest).items() if kind == "asis"}


def _higher_closed(session: Session, open_rows: Mapping[int, int]) -> dict[int, int]:
    """Per obsid (obsid -> its lowest open revision number): its largest closed revision number, when that is
    above the lowest open one (a row is `higher_signed` when this is above its own number)."""
    latest_closed = (
        select(Revision.revision_number)
        .join(Signoff, Signoff.revision_id == Revision.id)
        .where(~_is_pending())
        .order_by(Revision.revision_number.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = _per_obsid(session, list(open_rows), latest_closed)
    return {o: int(n) for o, n in found.items() if n > open_rows[o]}


_ROW_FIELDS: tuple[str, ...] = (
    "revision_id", "obsid", "revision_number", "kind", "sequence_number", "submitted", "notes", "submitter_id",
    *(f"{c}_{part}" for c in COLUMNS for part in ("status", "signoff_id", "at")),
)  # fmt: skip


def board_ids_query(cutoff: int):
    """The ids of the revisions the board lists: open (any column Pending), submitted since `cutoff`, or signed
    since `cutoff` in any column.

    A UNION of index-only parts instead of one OR across the joined tables (which scans every sign-off row):
    the five `ix_signoffs_*_status` indexes answer the first part (SQLite's multi-index OR, PostgreSQL's
    BitmapOr), `ix_revisions_time` the second and the five `ix_signoffs_*_time` indexes one SELECT each.
    """
    pending = select(Signoff.revision_id).where(_is_pending())
    submitted = select(Revision.id).where(Revision.time >= cutoff)
    # One SELECT per time column: without ANALYZE statistics SQLite costs an OR of five open ranges above a scan.
    signed = [select(Signoff.revision_id).where(getattr(Signoff, f"{c}_time") >= cutoff) for c in COLUMNS]
    return union(pending, submitted, *signed)


def board_rows(session: Session, *, now: datetime, window_h: float) -> list[tuple[Any, ...]]:
    """What the board lists (`data.revisions.board_revisions`'s rule: open, or submitted or signed within
    `window_h` hours) as plain tuples in `_ROW_FIELDS` order, newest first; no ORM entities."""
    cutoff = int(now.timestamp() - window_h * 3600)
    cols = [Revision.id, Revision.obsid, Revision.revision_number, Revision.kind, Revision.sequence_number,
            Revision.time, Revision.notes, Revision.user_id]  # fmt: skip
    for c in COLUMNS:
        cols += [getattr(Signoff, f"{c}_status"), getattr(Signoff, f"{c}_signoff_id"), getattr(Signoff, f"{c}_time")]
    ids = board_ids_query(cutoff).subquery()
    stmt = (
        select(*cols)
        .join(Signoff, Signoff.revision_id == Revision.id)
        .where(Revision.id.in_(select(ids.c[0])))
        .order_by(Revision.id.desc())
    )
    return [tuple(r) for r in session.execute(stmt).all()]


def _user_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.username)).tuples().all())


def board_views(session: Session, *, now: datetime, window_h: float) -> list[RevisionView]:
    """The board's revisions as `RevisionView`s (for callers that want views; the frame uses `board_rows`)."""
    rows = board_rows(session, now=now, window_h=window_h)
    names = _user_names(session)

    def stamp(t: int | None) -> datetime | None:
        return None if t is None else datetime.fromtimestamp(t, UTC)

    return [
        RevisionView(
            id=r[0],
            obsid=r[1],
            revision_number=r[2],
            kind=r[3],
            sequence_number=r[4],
            time=datetime.fromtimestamp(r[5], UTC),
            user=names.get(r[7], ""),
            user_id=r[7],
            notes=_notes(r[6]),
            signoff={
                c: {"status": r[8 + 3 * i], "user": names.get(r[9 + 3 * i]), "time": stamp(r[10 + 3 * i])}
                for i, c in enumerate(COLUMNS)
            },
        )
        for r in rows
    ]


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def board_frame(
    session: Session,
    *,
    now: datetime,
    closed_window_h: float,
    user: Any = None,
    ocat: Any = None,
    cache: bool = False,
) -> pd.DataFrame:
    """Every open revision plus those closed within `closed_window_h` hours of `now` (by last sign-off time).

    The rows are those of `data.revisions.board_revisions` (read by `board_views`). One row per
    revision, columns of `frame_columns()`; open rows first (oldest submission first), then closed rows (most
    recently closed first). `user` (anything with `user_id` or `id`) marks `mine`. `ocat` is an Ocat source;
    without one (or when it fails) target and PI are empty and `frame.attrs["meta"].ocat_ok` is False.

    `cache=True` (the pages and the API) keeps the last frames in this process keyed by the change token, the
    window and the minute: a second reader between two changes gets a copy without re-reading. Nothing another
    worker needs lives there; each worker fills its own.
    """
    me = None
    if user is not None:
        me = getattr(user, "user_id", None)
        if me is None:
            me = getattr(user, "id", None)
    key = None
    if cache:
        key = (str(session.get_bind().url), change_token(session), float(closed_window_h), int(now.timestamp()) // 60)
        with _FRAME_LOCK:
            hit = _FRAME_CACHE.get(key)
        if hit is not None:
            frame = hit.copy()
            frame.attrs["meta"] = hit.attrs["meta"]
            frame["mine"] = frame["submitter_id"] == me if me is not None else False
            return frame
    frame = _build_frame(session, now=now, closed_window_h=closed_window_h, me=me, ocat=ocat)
    if key is not None and frame.attrs["meta"].ocat_ok:
        with _FRAME_LOCK:
            if len(_FRAME_CACHE) >= 8:
                _FRAME_CACHE.pop(next(iter(_FRAME_CACHE)))
            _FRAME_CACHE[key] = frame.copy()
            _FRAME_CACHE[key].attrs["meta"] = frame.attrs["meta"]
    return frame


_FRAME_CACHE: dict[tuple[Any, ...], pd.DataFrame] = {}
_FRAME_LOCK = threading.Lock()


def _build_frame(session: Session, *, now: datetime, closed_window_h: float, me: Any, ocat: Any) -> pd.DataFrame:
    """Columns at a time: one DataFrame from the row tuples, then vectorised pandas/numpy per column; only the
    badge lists (a list per row) are built with a comprehension over zipped columns."""
    now_s = int(now.timestamp())
    window_s = float(closed_window_h) * 3600.0
    raw = pd.DataFrame.from_records(
        board_rows(session, now=now, window_h=float(closed_window_h)), columns=list(_ROW_FIELDS)
    )
    names = _user_names(session)
    n = len(raw)

    status = {c: raw[f"{c}_status"] for c in COLUMNS}
    pending = {c: (status[c] == PENDING).to_numpy(dtype=bool) for c in COLUMNS}
    is_open = np.logical_or.reduce([pending[c] for c in COLUMNS]) if n else np.zeros(0, dtype=bool)
    obsid = raw["obsid"].to_numpy(dtype=np.int64)
    revnum = raw["revision_number"].to_numpy(dtype=np.int64)
    submitted = raw["submitted"].to_numpy(dtype=np.float64)
    times = {c: raw[f"{c}_at"].to_numpy(dtype=np.float64, na_value=np.nan) for c in COLUMNS}

    open_obsids = pd.Series(obsid[is_open])
    open_counts = open_obsids.value_counts().to_dict() if len(open_obsids) else {}
    lowest_open = pd.Series(revnum[is_open]).groupby(open_obsids.to_numpy()).min().to_dict() if len(open_obsids) else {}
    higher = _higher_closed(session, {int(k): int(v) for k, v in lowest_open.items()})
    all_obsids = sorted(set(obsid.tolist()))
    approved = approved_among(session, all_obsids)
    basics, ocat_ok = ocat_basics(ocat, all_obsids)
    colors = assign_colors(o for o, k in open_counts.items() if k > 1)

    n_open = pd.Series(obsid).map(open_counts).fillna(0).astype(int).to_numpy() if n else np.zeros(0, dtype=int)
    approved_arr = np.isin(obsid, np.fromiter(approved, dtype=np.int64, count=len(approved)))
    higher_arr = pd.Series(obsid).map(higher).fillna(0).to_numpy() if n else np.zeros(0)
    multiple = is_open & (n_open > 1)
    higher_signed = is_open & (higher_arr > revnum)

    note_cache: dict[Any, list[str]] = {}

    def note_badges(text: Any) -> list[str]:
        hit = note_cache.get(text)
        if hit is None:
            parsed = _notes(text)
            hit = note_cache[text] = [key for key in NOTE_BADGES if parsed.get(key)]
        return hit

    badges = [
        [*(("multiple_open",) if m else ()), *(("higher_signed",) if h else ()), *note_badges(t),
         *(("approved",) if a else ())]
        for m, h, t, a in zip(multiple.tolist(), higher_signed.tolist(), raw["notes"].tolist(), approved_arr.tolist(), strict=True)
    ]  # fmt: skip

    all_times = np.column_stack([times[c] for c in COLUMNS]) if n else np.zeros((0, len(COLUMNS)))
    signed_any = ~np.isnan(all_times).all(axis=1) if n else np.zeros(0, dtype=bool)
    last = np.where(signed_any, np.nanmax(np.where(np.isnan(all_times), -np.inf, all_times), axis=1), submitted)
    closed_at = np.where(is_open, np.nan, last)

    color_pairs = [colors.get(o) if op else None for o, op in zip(obsid.tolist(), is_open.tolist(), strict=True)]

    def basic_field(*keys: str) -> list[Any]:
        per_obsid = {o: _pick(basics.get(o, {}), *keys) for o in all_obsids}  # once per obsid, not per row
        return [per_obsid[o] for o in obsid.tolist()]

    frame = pd.DataFrame(
        {
            "obsidrev": [f"{o}.{r:03}" for o, r in zip(obsid.tolist(), revnum.tolist(), strict=True)],
            "obsid": obsid,
            "revision_number": revnum,
            "revision_id": raw["revision_id"],
            "sequence_number": raw["sequence_number"],
            "target": basic_field("targname", "target_name", "target") if ocat_ok else [None] * n,
            "pi": basic_field("last", "pi_name") if ocat_ok else [None] * n,
            "obs_type": basic_field("obs_type", "type"),
            "instrument": basic_field("instrument"),
            "submitter": raw["submitter_id"].map(names).fillna("") if n else [],
            "submitter_id": raw["submitter_id"],
            "submitted": submitted,
            "kind": raw["kind"],
            "is_open": is_open,
            "closed_at": closed_at,
            "badges": badges,
            "color": [p[1] if p else None for p in color_pairs],
            "color_name": [p[0] if p else None for p in color_pairs],
            "mine": (raw["submitter_id"] == me).to_numpy(dtype=bool) if me is not None else np.zeros(n, dtype=bool),
            "approved": approved_arr,
            "open_count": n_open,
        },
        columns=frame_columns(),
    )
    # A Pending edit column has waited since submission; a Pending verify column since the last edit
    # sign-off (when it became signable). A signed column shows how long it took.
    edit_times = np.column_stack([times[c] for c in EDIT_COLUMNS]) if n else np.zeros((0, len(EDIT_COLUMNS)))
    edit_done = np.nan_to_num(edit_times, nan=0.0).max(axis=1) if n else np.zeros(0)
    for c in COLUMNS:
        start = np.maximum(submitted, edit_done) if c == "usint" else submitted
        at = times[c]
        signed = (status[c] == SIGNED).to_numpy(dtype=bool) & ~np.isnan(at)
        with np.errstate(invalid="ignore"):
            waited = np.where(
                pending[c], (now_s - start) / 3600.0, np.where(signed, np.maximum(0.0, at - start) / 3600.0, np.nan)
            )
        frame[f"{c}_status"] = status[c].to_numpy()
        frame[f"{c}_by"] = [names.get(i) for i in raw[f"{c}_signoff_id"].tolist()]
        frame[f"{c}_at"] = at
        frame[f"{c}_waited_h"] = np.round(waited, 2)  # half to even, as Python's round

    closed_last = last[~is_open]
    next_expiry = int(closed_last.min() + window_s) if len(closed_last) else None
    if n:
        key = np.where(is_open, submitted, -np.nan_to_num(closed_at, nan=0.0))
        order = np.lexsort((revnum, obsid, key, (~is_open).astype(int)))
        frame = frame.iloc[order].reset_index(drop=True)
    for col in ["submitted", "closed_at", *(f"{c}_at" for c in COLUMNS)]:
        frame[col] = pd.to_datetime(frame[col], unit="s", utc=True)
    frame.attrs["meta"] = BoardMeta(
        now=now,
        closed_window_h=float(closed_window_h),
        ocat_ok=ocat_ok or not all_obsids,
        next_expiry=datetime.fromtimestamp(next_expiry, UTC) if next_expiry is not None else None,
    )
    return frame


def _notes(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def window_start(now: datetime, closed_window_h: float) -> datetime:
    """The earliest last-sign-off time a closed revision may have to stay on the board."""
    return now - timedelta(hours=float(closed_window_h))


def board_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame as JSON-ready dicts: times as ISO 8601 UTC, NaN/NaT as None (used by the API and CSV)."""
    out: list[dict[str, Any]] = []
    for rec in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in rec.items():
            if isinstance(value, pd.Timestamp):
                clean[key] = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif value is pd.NaT or (isinstance(value, float) and value != value):
                clean[key] = None
            elif hasattr(value, "item") and not isinstance(value, list):
                clean[key] = value.item()
            else:
                clean[key] = value
        out.append(clean)
    return out
