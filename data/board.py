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

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from data.models import PENDING, SIGNED, SIGNOFF_PREFIXES, Event, Revision, Signoff, User
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
EDIT_COLUMNS: tuple[str, ...] = ("general", "acis", "acis_si", "hrc_si")

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


_OCAT_CACHE: dict[int, tuple[float, dict[str, Any]]] = {}
_OCAT_LOCK = threading.Lock()
OCAT_TTL_S = 600.0


def ocat_basics(ocat: Any, obsids: Sequence[int]) -> tuple[dict[int, dict[str, Any]], bool]:
    """Target, PI, type and instrument per obsid from `data.ocat.read_basic` (batched), cached 10 minutes.

    Returns (basics, ok); ok is False when the Ocat could not be read (the board then shows no target/PI).
    """
    if ocat is None:
        return {}, False
    stamp = _time.monotonic()
    found: dict[int, dict[str, Any]] = {}
    missing: list[int] = []
    with _OCAT_LOCK:
        for obsid in obsids:
            hit = _OCAT_CACHE.get(obsid)
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
            _OCAT_CACHE[obsid] = (stamp, record)
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


def approved_among(session: Session, obsids: Sequence[int]) -> set[int]:
    """The approved obsids among `obsids` (v2.1 `is_approved`: the latest asis/remove revision is an asis).

    The same rule as `data.revisions.approved_obsids`, restricted to the board's obsids so it uses the obsid
    index instead of grouping every asis/remove revision.
    """
    wanted = sorted(set(int(o) for o in obsids))
    out: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        latest = (
            select(Revision.obsid, func.max(Revision.revision_number).label("rn"))
            .where(Revision.kind.in_(("asis", "remove")), Revision.obsid.in_(chunk))
            .group_by(Revision.obsid)
            .subquery()
        )
        stmt = (
            select(Revision.obsid)
            .join(latest, and_(Revision.obsid == latest.c.obsid, Revision.revision_number == latest.c.rn))
            .where(Revision.kind == "asis")
        )
        out.update(int(o) for o in session.scalars(stmt))
    return out


def _higher_closed(session: Session, open_rows: Mapping[int, int]) -> dict[int, int]:
    """Per obsid (obsid -> its lowest open revision number): the largest closed revision number above it.

    First the newest revision number per obsid (the (obsid, revision_number) unique index answers it alone);
    only obsids with a revision above their oldest open one are then read with their statuses. In the usual
    case, open revisions being the newest, the second query reads little.
    """
    out: dict[int, int] = {}
    wanted = sorted(open_rows)
    candidates: list[int] = []
    for start in range(0, len(wanted), 500):
        stmt = (
            select(Revision.obsid, func.max(Revision.revision_number))
            .where(Revision.obsid.in_(wanted[start : start + 500]))
            .group_by(Revision.obsid)
        )
        candidates += [int(o) for o, top in session.execute(stmt).all() if top > open_rows[int(o)]]
    for start in range(0, len(candidates), 500):
        stmt = (
            select(Revision.obsid, func.max(Revision.revision_number))
            .join(Signoff, Signoff.revision_id == Revision.id)
            .where(Revision.obsid.in_(candidates[start : start + 500]), ~_is_pending())
            .group_by(Revision.obsid)
        )
        out.update({int(o): int(n) for o, n in session.execute(stmt).all()})
    return out


def board_views(session: Session, *, now: datetime, window_h: float) -> list[RevisionView]:
    """What the board lists, as `data.revisions.board_revisions` defines it (open, or submitted or signed
    within `window_h` hours), read with one Core query instead of ORM entities (about 8x faster at 2,000 rows)."""
    cutoff = int(now.timestamp() - window_h * 3600)
    recent = or_(Revision.time >= cutoff, *(getattr(Signoff, f"{c}_time") >= cutoff for c in COLUMNS))
    cols = [Revision.id, Revision.obsid, Revision.revision_number, Revision.kind, Revision.sequence_number,
            Revision.time, Revision.notes, Revision.user_id]  # fmt: skip
    for c in COLUMNS:
        cols += [getattr(Signoff, f"{c}_status"), getattr(Signoff, f"{c}_signoff_id"), getattr(Signoff, f"{c}_time")]
    stmt = (
        select(*cols)
        .join(Signoff, Signoff.revision_id == Revision.id)
        .where(or_(_is_pending(), recent))
        .order_by(Revision.id.desc())
    )
    rows = session.execute(stmt).all()
    names = dict(session.execute(select(User.id, User.username)).tuples().all())
    views = []
    for r in rows:
        signoff = {
            c: {
                "status": r[8 + 3 * i],
                "user": names.get(r[9 + 3 * i]),
                "time": None if r[10 + 3 * i] is None else datetime.fromtimestamp(r[10 + 3 * i], UTC),
            }
            for i, c in enumerate(COLUMNS)
        }
        views.append(
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
                signoff=signoff,
            )
        )
    return views


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
    now_s = int(now.timestamp())
    window_s = float(closed_window_h) * 3600.0
    views = board_views(session, now=now, window_h=float(closed_window_h))

    open_counts: dict[int, int] = {}
    lowest_open: dict[int, int] = {}
    for v in views:
        if v.is_open:
            open_counts[v.obsid] = open_counts.get(v.obsid, 0) + 1
            lowest_open[v.obsid] = min(lowest_open.get(v.obsid, v.revision_number), v.revision_number)
    higher = _higher_closed(session, lowest_open)
    all_obsids = sorted({v.obsid for v in views})
    approved = approved_among(session, all_obsids)
    basics, ocat_ok = ocat_basics(ocat, all_obsids)
    colors = assign_colors(o for o, n in open_counts.items() if n > 1)

    rows: list[dict[str, Any]] = []
    next_expiry: int | None = None
    for v in views:
        submitted = _epoch(v.time) or 0
        times = {c: _epoch(v.signoff[c]["time"]) for c in COLUMNS}
        is_open = v.is_open
        last = max((t for t in times.values() if t is not None), default=submitted)
        n_open = open_counts.get(v.obsid, 0)
        badges: list[str] = []
        if is_open:
            if n_open > 1:
                badges.append("multiple_open")
            if higher.get(v.obsid, 0) > v.revision_number:
                badges.append("higher_signed")
        badges += [key for key in NOTE_BADGES if v.notes.get(key)]
        if v.obsid in approved:
            badges.append("approved")
        basic = basics.get(v.obsid, {})
        color = colors.get(v.obsid) if is_open else None
        row: dict[str, Any] = {
            "obsidrev": v.obsidrev,
            "obsid": v.obsid,
            "revision_number": v.revision_number,
            "revision_id": v.id,
            "sequence_number": v.sequence_number,
            "target": _pick(basic, "targname", "target_name", "target") if ocat_ok else None,
            "pi": _pick(basic, "last", "pi_name") if ocat_ok else None,
            "obs_type": _pick(basic, "obs_type", "type"),
            "instrument": _pick(basic, "instrument"),
            "submitter": v.user,
            "submitter_id": v.user_id,
            "submitted": submitted,
            "kind": v.kind,
            "is_open": is_open,
            "closed_at": None if is_open else last,
            "badges": badges,
            "color": color[1] if color else None,
            "color_name": color[0] if color else None,
            "mine": me is not None and v.user_id == me,
            "approved": v.obsid in approved,
            "open_count": n_open,
        }
        # A Pending edit column has waited since submission; a Pending verify column since the last edit
        # sign-off (when it became signable). A signed column shows how long it took.
        edit_done = max((times[c] or 0 for c in EDIT_COLUMNS), default=0)
        for c in COLUMNS:
            status, at = v.signoff[c]["status"], times[c]
            start = max(submitted, edit_done) if c == "usint" else submitted
            if status == PENDING:
                waited = (now_s - start) / 3600.0
            elif status == SIGNED and at is not None:
                waited = max(0, at - start) / 3600.0
            else:
                waited = None
            row[f"{c}_status"] = status
            row[f"{c}_by"] = v.signoff[c]["user"]
            row[f"{c}_at"] = at
            row[f"{c}_waited_h"] = round(waited, 2) if waited is not None else None
        if not is_open:
            expiry = int(last + window_s)
            next_expiry = expiry if next_expiry is None else min(next_expiry, expiry)
        rows.append(row)

    frame = pd.DataFrame(rows, columns=frame_columns())
    if len(frame):
        frame["_order"] = (~frame["is_open"].astype(bool)).astype(int)
        frame["_key"] = frame["submitted"].where(frame["is_open"].astype(bool), -frame["closed_at"].fillna(0))
        frame = frame.sort_values(["_order", "_key", "obsid", "revision_number"], kind="stable")
        frame = frame.drop(columns=["_order", "_key"]).reset_index(drop=True)
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
