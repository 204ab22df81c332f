"""Analytics aggregates (pandas) over the revision DB and the events table; the Ocat only for instruments and positions.

`revisions_frame(session, start, stop)` reads one row per revision (one SQL statement, no ORM objects): every
revision submitted in [start, stop) (`in_range` True) plus the older ones that were still open at `start`
(`in_range` False, so that the backlog and today's pending items are right). The other functions are pure
functions of that frame (and `now`), so tests give them hand-made frames or frames of hand-made revisions. The page
keeps its frame per range in a `KeptFrames` (the app's) and brings it up to date from the `changes` table, as the
live board does; the audit trail's actions are counted by the database (`action_totals`).

Times are aware UTC `Timestamp`s (D4); figures convert them to the display zone.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from data.board.live import changed_obsids
from data.board.rows import token_parts
from data.errors import OcatUnavailable
from data.lazy_modules import lazy_module
from data.models import DISCARD, KINDS, NOT_REQUIRED, PENDING, SIGNED, Event, Revision, Signoff, User
from data.ocat.cache import Cache
from data.ocat.lookups import LOCAL, NO_BASICS, TTL_S, lookup, source_key
from data.ocat.read import read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import CHOICES, SIGNOFF_COLUMNS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

INSTRUMENTS: tuple[str, ...] = tuple(v for v, _ in CHOICES["instrument"] if v)
"""The instruments the filter offers (the catalogue's choices)."""
UNKNOWN_INSTRUMENT = "unknown"
STATES = ("open", "signed", "discarded", "approved", "removed")
"""A revision's state: open (a column Pending), signed (closed norm/clone), discarded, approved (asis), removed."""
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 1 day", 1),
    ("1–3 days", 3),
    ("3–7 days", 7),
    ("1–2 weeks", 14),
    ("2–4 weeks", 28),
    ("> 4 weeks", float("inf")),
)
"""Age bucket label and its upper bound in days."""

DAY_S = 86400

FRAME_COLUMNS = (
    "id",
    "obsid",
    "revision_number",
    "obsidrev",
    "kind",
    "time",
    "user",
    "in_range",
    "is_open",
    "state",
    "closed",
    *(f"{c}_status" for c in SIGNOFF_COLUMNS),
    *(f"{c}_time" for c in SIGNOFF_COLUMNS),
)


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@functools.cache
def _ts_unit() -> tuple[str, int]:
    """The unit pandas gives epoch seconds (`_ts` builds the same timestamps directly) and its ticks per second;
    asked on first use, so importing this module does not load pandas."""
    unit = pd.to_datetime(np.zeros(1), unit="s", utc=True).unit
    return unit, {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]


def _ts(values: Any) -> pd.Series:
    """Epoch seconds (with None) → aware UTC timestamps (NaT for None)."""
    seconds = np.asarray(values, dtype="float64")  # None → NaN
    missing = np.isnan(seconds)
    whole = np.where(missing, 0.0, seconds)
    if np.any(whole != np.floor(whole)):  # fractions: pandas' own rounding
        return pd.Series(pd.to_datetime(seconds, unit="s", utc=True))
    unit, per_s = _ts_unit()
    ticks = whole.astype("int64") * per_s
    ticks[missing] = np.iinfo("int64").min  # NaT
    return pd.Series(pd.DatetimeIndex(ticks.view(f"datetime64[{unit}]")).tz_localize(UTC))


def _utc_ts(moment: datetime | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(moment)
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)


def _seconds(values: pd.Series) -> pd.Series:
    """Aware timestamps → float epoch seconds (independent of the datetime unit pandas chose)."""
    return (values - pd.Timestamp(0, tz=UTC)).dt.total_seconds()


def _secs(values: pd.Series) -> np.ndarray:
    """Aware timestamps → float epoch seconds as a numpy array, NaN for NaT: `_seconds` without pandas' timedelta
    steps (the same floats for whole microseconds)."""
    micros = values.to_numpy(dtype="datetime64[us]")
    out = micros.view("int64") / 1e6
    out[np.isnat(micros)] = np.nan
    return out


def _fetch_tuples(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """Plain DB-API tuples of a Core statement, still with bound parameters: for ~35k rows a year this skips
    building SQLAlchemy Row objects (a third of the read time on SQLite)."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})  # IN lists
    params: Any = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def revisions_frame(
    session: Session, start: datetime, stop: datetime, obsids: Collection[int] | None = None
) -> pd.DataFrame:
    """One row per revision submitted in [start, stop), plus older ones still open at `start` (`in_range` False);
    only those of `obsids` when given.

    Columns: FRAME_COLUMNS (`instrument` is added by `attach_instruments`). `closed` is when the revision stopped
    being open (its last sign-off or discard time), NaT while open.
    """
    lo, hi = _epoch(start), _epoch(stop)
    pending_any = or_(*(getattr(Signoff, f"{c}_status") == PENDING for c in SIGNOFF_COLUMNS))
    closed_after = or_(*(getattr(Signoff, f"{c}_time") >= lo for c in SIGNOFF_COLUMNS))
    base = (
        select(
            Revision.id,
            Revision.obsid,
            Revision.revision_number,
            Revision.time,
            Revision.user_id,
            _CODES,
            *(getattr(Signoff, f"{c}_time") for c in SIGNOFF_COLUMNS),
        )
        .join(Signoff, Signoff.revision_id == Revision.id)
        .join(User, User.id == Revision.user_id)
    )
    if obsids is not None:
        base = base.where(Revision.obsid.in_(sorted(obsids)))
    # Two statements: the range itself is an index range scan; one OR over both halves made SQLite scan all.
    older = base.where(Revision.time < lo, or_(pending_any, closed_after)).order_by(Revision.time, Revision.id)
    in_range = base.where(Revision.time >= lo, Revision.time < hi).order_by(Revision.time, Revision.id)
    rows = _fetch_tuples(session, older) + _fetch_tuples(session, in_range)
    names = dict(session.execute(select(User.id, User.username)).tuples().all())
    return _shape(rows, lo, names, lambda ids: _texts(session, ids))


# Kind and the five statuses come as ONE small integer per row (base-5 digits: the kind, then each column's status
# as its index in `_STATUS_TEXT`; the last digit value means "other text", read separately): a tenth of the Python
# objects a row of strings costs, and numpy compares digits instead of strings.
_KIND_TEXT = tuple(KINDS)
_STATUS_TEXT = (PENDING, SIGNED, NOT_REQUIRED, DISCARD)
_BASE = 5
_OTHER = _BASE - 1


def _digit(column: Any, texts: Sequence[str]) -> Any:
    return case(
        *((column == text, literal_column(str(i))) for i, text in enumerate(texts)), else_=literal_column(str(_OTHER))
    )


_CODES = sum(
    (
        _digit(col, texts) * literal_column(str(_BASE**i))
        for i, (col, texts) in enumerate(
            [(Revision.kind, _KIND_TEXT), *((getattr(Signoff, f"{c}_status"), _STATUS_TEXT) for c in SIGNOFF_COLUMNS)]
        )
    ),
    start=literal_column("0"),
).label("codes")


def _texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """revision id -> (kind, *statuses) as stored, for the rows whose codes say "other text" (rare)."""
    stmt = select(Revision.id, Revision.kind, *(getattr(Signoff, f"{c}_status") for c in SIGNOFF_COLUMNS)).join(
        Signoff, Signoff.revision_id == Revision.id
    )
    out: dict[int, tuple[Any, ...]] = {}
    for at in range(0, len(ids), 500):
        chunk = stmt.where(Revision.id.in_([int(i) for i in ids[at : at + 500]]))
        out.update((row[0], tuple(row[1:])) for row in session.execute(chunk).tuples())
    return out


_RAW_NAMES = ("id", "obsid", "revision_number", "time", "user_id", "codes", *(f"{c}_time" for c in SIGNOFF_COLUMNS))


def _text(codes: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Digits -> the shared text objects (None for "other", filled in afterwards)."""
    return np.array([*texts, *([None] * (_BASE - len(texts)))], dtype=object)[codes]


def _shape(
    rows: list[tuple[Any, ...]],
    lo: int,
    names: Mapping[int, str] | None = None,
    texts: Callable[[Sequence[int]], Mapping[int, tuple[Any, ...]]] | None = None,
) -> pd.DataFrame:
    """The frame from raw (epoch, coded) rows: numpy per column, one DataFrame at the end."""
    n = len(rows)
    # Every raw column is a number: one C-level pass to floats (None → NaN; ids and epochs are exact below 2**53).
    table = np.array(rows, dtype="float64").reshape(n, len(_RAW_NAMES))
    ids = table[:, 0].astype("int64")
    obsid = table[:, 1].astype("int64")
    number = table[:, 2].astype("int64")
    submitted = table[:, 3].copy()
    codes = table[:, 5].astype("int64")
    digits = (
        np.stack([(codes // _BASE**i) % _BASE for i in range(1 + len(SIGNOFF_COLUMNS))])
        if n
        else (np.zeros((1 + len(SIGNOFF_COLUMNS), 0), dtype="int64"))
    )
    kind = _text(digits[0], _KIND_TEXT)
    statuses = (
        np.stack([_text(d, _STATUS_TEXT) for d in digits[1:]])
        if n
        else np.empty((len(SIGNOFF_COLUMNS), 0), dtype=object)
    )
    other = np.flatnonzero((digits == _OTHER).any(axis=0))
    if len(other) and texts is not None:  # a kind or status outside the catalogue (v2.1 data, SQL by hand)
        stored = texts(ids[other].tolist())
        for at in other.tolist():
            row = stored[int(ids[at])]
            kind[at] = row[0]
            statuses[:, at] = row[1:]
    times = table[:, 6:].T.copy()
    is_open = (digits[1:] == _STATUS_TEXT.index(PENDING)).any(axis=0)
    discarded = (digits[1:] == _STATUS_TEXT.index(DISCARD)).any(axis=0)
    state = np.array(["signed", "approved", "removed"], dtype=object)[
        np.where(digits[0] == _KIND_TEXT.index("asis"), 1, np.where(digits[0] == _KIND_TEXT.index("remove"), 2, 0))
    ]
    state[discarded] = "discarded"
    state[is_open] = "open"
    last = np.fmax.reduce(times, axis=0) if n else np.empty(0)
    last = np.where(is_open, np.nan, np.where(np.isnan(last), submitted, last))
    users, at_user = np.unique(table[:, 4].astype("int64"), return_inverse=True)  # one name look-up per user
    user = np.array([(names or {}).get(u) or "" for u in users.tolist()], dtype=object)[at_user.reshape(-1)]
    data: dict[str, Any] = {
        "id": ids,
        "obsid": obsid,
        "revision_number": number,
        "obsidrev": np.array(
            list(map("%d.%03d".__mod__, zip(obsid.tolist(), number.tolist(), strict=True))), dtype=object
        ),
        "kind": kind,
        "time": _ts(submitted),
        "user": user,
        "in_range": submitted >= lo,
        "is_open": is_open,
        "state": state,
        "closed": _ts(last),
    }
    for i, c in enumerate(SIGNOFF_COLUMNS):
        data[f"{c}_status"] = statuses[i]
    for i, c in enumerate(SIGNOFF_COLUMNS):
        data[f"{c}_time"] = _ts(times[i])
    return pd.DataFrame(data)


class KeptFrames:
    """A worker's revisions frames by database and range, kept current from the `changes` table as the live board
    is (`data.board.live`, issue #14): an unchanged token gives the kept frame; a few changed obsids re-read only
    their rows; anything the `changes` rows cannot explain (or renamed users) reads the range in full. The newest
    `size` ranges are kept. The frames are shared: callers must not change them (`compute` never does)."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self.full_reads = 0
        self._kept: dict[tuple[str, int, int], tuple[tuple[int, int], tuple[Any, ...], pd.DataFrame]] = {}
        self._lock = threading.Lock()

    def frame(self, session: Session, start: datetime, stop: datetime) -> pd.DataFrame:
        """`revisions_frame(session, start, stop)`, from the kept one when the database allows."""
        key = (str(session.get_bind().engine.url), _epoch(start), _epoch(stop))
        parts = token_parts(session)
        names = tuple(session.execute(select(User.id, User.username).order_by(User.id)).tuples())
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[:2] == (parts, names):
                return kept[2]
            dirty = changed_obsids(session, kept[0], parts) if kept is not None and kept[1] == names else None
            if dirty is None:
                self.full_reads += 1
                frame = revisions_frame(session, start, stop)
            else:
                frame = _splice(kept[2], revisions_frame(session, start, stop, dirty), dirty)
            self._kept.pop(key, None)
            self._kept[key] = (parts, names, frame)
            while len(self._kept) > self.size:
                del self._kept[next(iter(self._kept))]
            return frame


def _splice(kept: pd.DataFrame, fresh: pd.DataFrame, obsids: Collection[int]) -> pd.DataFrame:
    """`kept` with the rows of `obsids` replaced by `fresh`, in `revisions_frame`'s order (by time, then id: the
    older open ones all come before `start`)."""
    rest = kept[~kept["obsid"].isin(list(obsids))]
    out = pd.concat([rest, fresh], ignore_index=True) if len(fresh) else rest
    order = np.lexsort((out["id"].to_numpy(), _secs(out["time"])))
    return out.iloc[order].reset_index(drop=True)


def empty_frame() -> pd.DataFrame:
    """A frame with the columns of `revisions_frame` and no rows."""
    return _shape([], 0)


# ------------------------------------------------------------------------------------------------ Ocat parts


def ocat_basics(source: OcatSource, obsids: Iterable[int], cache: Cache | None = None) -> dict[int, dict[str, Any]]:
    """obsid → {instrument, targname} (`data.ocat.lookups`: kept ones from `cache`, the rest in one batched read);
    raises OcatUnavailable when the Ocat is down."""
    found = lookup(source, sorted({int(o) for o in obsids}), cache)
    return {o: {"instrument": b.instrument, "targname": b.target} for o, b in found.items() if b != NO_BASICS}


def ocat_positions(
    source: OcatSource, obsids: Iterable[int], *, obs_ss: Path | str, cache: Cache | None = None
) -> dict[int, dict[str, Any]]:
    """obsid → {ra, dec, targname, instrument} in degrees: kept ones from `cache` (`data.ocat.lookups`' cache and
    lifetime, as the instruments), the rest in one batched `read_observations`; raises OcatUnavailable when that
    read fails."""
    wanted = list(dict.fromkeys(int(o) for o in obsids))
    store = cache if cache is not None else LOCAL
    keys = {o: f"usint:positions:{source_key(source)}:{o}" for o in wanted}
    kept = store.get_many(keys.values())
    found = {o: kept[key] for o, key in keys.items() if key in kept}  # None: the Ocat has no such obsid
    missing = [o for o in wanted if o not in found]
    if missing:
        read = read_observations(source, missing, obs_ss=obs_ss)
        for o in missing:
            r = read.get(o)
            found[o] = (
                None
                if r is None
                else [_number(r.get("ra")), _number(r.get("dec")), r.get("targname"), r.get("instrument")]
            )
        store.set_many({keys[o]: found[o] for o in missing}, TTL_S)
    return {
        o: {"ra": p[0], "dec": p[1], "targname": p[2], "instrument": p[3]}
        for o in wanted
        if (p := found[o]) is not None
    }


def _number(value: Any) -> float | None:
    """A coordinate as a float (what the sky map makes of it anyway), so that Redis can keep it as JSON."""
    return None if value is None else float(value)


def attach_instruments(df: pd.DataFrame, basics: Mapping[int, Mapping[str, Any]] | None) -> pd.DataFrame:
    """`df` with `instrument` and `targname` columns (UNKNOWN_INSTRUMENT / "" when the Ocat lacks the obsid)."""
    out = df.copy(deep=False)  # copy-on-write: the new columns never touch `df`
    basics = basics or {}
    obsids, at = np.unique(out["obsid"].to_numpy(), return_inverse=True)  # one look-up per obsid, not per row
    found = [basics.get(o) or {} for o in obsids.tolist()]
    inst = np.array([b.get("instrument") or UNKNOWN_INSTRUMENT for b in found], dtype=object)
    names = np.array([b.get("targname") or "" for b in found], dtype=object)
    out["instrument"] = pd.Series(inst[at.reshape(-1)], index=out.index, dtype=object)
    out["targname"] = pd.Series(names[at.reshape(-1)], index=out.index, dtype=object)
    return out


def filter_instruments(df: pd.DataFrame, instruments: Sequence[str] | None) -> pd.DataFrame:
    """Rows whose instrument is one of `instruments` (all rows when None/empty)."""
    if not instruments or "instrument" not in df:
        return df
    return df[df["instrument"].isin(list(instruments))].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ aggregates


def _kind_index(kinds: np.ndarray) -> np.ndarray:
    """Each kind's index in KINDS, -1 for any other value (a comparison per kind: faster than a hash look-up)."""
    out = np.full(len(kinds), -1, dtype="int64")
    for i, kind in enumerate(KINDS):
        out[kinds == kind] = i
    return out


def _has_kind(kinds: np.ndarray) -> np.ndarray:
    """Not missing (only the few kinds outside KINDS are checked one by one)."""
    out = np.ones(len(kinds), dtype=bool)
    odd = np.flatnonzero(_kind_index(kinds) < 0)
    out[odd] = pd.notna(kinds[odd])
    return out


def weekly_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Revisions submitted per week (weeks start on Monday, UTC) by kind: columns week, kind, count.

    Every week between the first and the last submission is present for every kind (0 when none)."""
    in_range = df["in_range"].to_numpy(dtype=bool)
    seconds = _secs(df["time"])[in_range]
    kinds = df["kind"].to_numpy(dtype=object)[in_range]
    known = ~np.isnan(seconds) & _has_kind(kinds)
    if not known.any():
        return pd.DataFrame(
            {
                "week": pd.Series(dtype="datetime64[ns, UTC]"),
                "kind": pd.Series(dtype=object),
                "count": pd.Series(dtype="int64"),
            }
        )
    # Monday of each submission's week (UTC) as a day number: 1970-01-01 was a Thursday (weekday 3).
    day = np.floor(seconds[known] / DAY_S).astype("int64")
    monday = day - (day + 3) % 7
    first = int(monday.min())
    week = (monday - first) // 7
    kind = _kind_index(kinds[known])
    listed = kind >= 0
    n_weeks = int(week.max()) + 1
    counts = np.bincount(week[listed] * len(KINDS) + kind[listed], minlength=n_weeks * len(KINDS))
    unit = df["time"].dt.unit
    starts = (first + 7 * np.arange(n_weeks, dtype="int64")) * DAY_S
    weeks = pd.DatetimeIndex(starts.astype("datetime64[s]").astype(f"datetime64[{unit}]")).tz_localize(UTC)
    return pd.DataFrame(
        {
            "week": np.repeat(weeks, len(KINDS)),
            "kind": np.tile(np.array(KINDS, dtype=object), n_weeks),
            "count": counts.astype("int64"),
        }
    )


def signoff_waits(df: pd.DataFrame) -> pd.DataFrame:
    """One row per signed column of an in-range revision that had to wait for it: obsidrev, column, submitted,
    signed, hours. Columns signed at submission (asis/remove's usint column) are not waits and are left out."""
    rows, column, sub, sig = _waits(df)
    return pd.DataFrame(
        {
            "obsidrev": df["obsidrev"].to_numpy(dtype=object)[rows],
            "column": np.array(SIGNOFF_COLUMNS, dtype=object)[column],
            "submitted": _ts(sub),
            "signed": _ts(sig),
            "hours": (sig - sub) / 3600.0,
        }
    )


def _waits(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The waits of `signoff_waits` as arrays, column by column: (row positions, column index, submitted, signed)."""
    base = df["in_range"].to_numpy(dtype=bool) & ~df["kind"].isin(("asis", "remove")).to_numpy(dtype=bool)
    submitted = _secs(df["time"])
    rows, columns, signed_at = [], [], []
    for i, c in enumerate(SIGNOFF_COLUMNS):
        signed = _secs(df[f"{c}_time"])
        with np.errstate(invalid="ignore"):
            mask = base & (df[f"{c}_status"].to_numpy(dtype=object) == SIGNED) & (signed >= submitted)
        where = np.flatnonzero(mask)
        rows.append(where)
        columns.append(np.full(len(where), i, dtype="int64"))
        signed_at.append(signed[where])
    at = np.concatenate(rows)
    return at, np.concatenate(columns), submitted[at], np.concatenate(signed_at)


def turnaround(df: pd.DataFrame) -> pd.DataFrame:
    """Sign-off turnaround per column and month of submission: month (first day, UTC), column, n, median_h, p90_h.

    Hours from submission to the column's sign-off; percentiles by linear interpolation (numpy's default)."""
    _rows, column, sub, sig = _waits(df)
    if not len(sub):
        return pd.DataFrame(
            {
                "month": pd.Series(dtype="datetime64[ns, UTC]"),
                "column": pd.Series(dtype=object),
                "n": pd.Series(dtype="int64"),
                "median_h": pd.Series(dtype="float64"),
                "p90_h": pd.Series(dtype="float64"),
            }
        )
    # One integer per (month, column), months counted from 1970: a single key sorts as (month, column order).
    month = sub.astype("int64").astype("datetime64[s]").astype("datetime64[M]").astype("int64")
    n_columns = len(SIGNOFF_COLUMNS)
    grouped = pd.Series((sig - sub) / 3600.0).groupby(month * n_columns + column, sort=True)
    size, median, p90 = grouped.size(), grouped.median(), grouped.quantile(0.9)  # linear, as numpy's percentile
    key = size.index.to_numpy()
    months = (key // n_columns).astype("datetime64[M]").astype("datetime64[s]")
    return pd.DataFrame(
        {
            "month": pd.to_datetime(months).tz_localize(UTC),
            "column": np.array(SIGNOFF_COLUMNS, dtype=object)[key % n_columns],
            "n": size.to_numpy(dtype="int64"),
            "median_h": median.to_numpy(dtype="float64"),
            "p90_h": p90.to_numpy(dtype="float64"),
        }
    )


def backlog(df: pd.DataFrame, now: datetime, *, start: datetime | None = None, freq: str = "D") -> pd.DataFrame:
    """Open revisions over time: columns `at` (end of each day/period, UTC) and `open`.

    A revision counts as open at `t` when it was submitted at or before `t` and closed after `t` (or never).
    The series runs from `start` (default: the first in-range submission) to `now`."""
    now_ts = _utc_ts(now)
    if df.empty:
        return pd.DataFrame({"at": pd.Series(dtype="datetime64[ns, UTC]"), "open": pd.Series(dtype="int64")})
    first = _utc_ts(start) if start is not None else df.loc[df["in_range"], "time"].min()
    if pd.isna(first):
        first = df["time"].min()
    days = pd.date_range(first.floor("D") + pd.Timedelta(days=1), now_ts.ceil("D"), freq=freq)
    at = np.unique(np.minimum(_seconds(pd.Series(days)).to_numpy(), _seconds(pd.Series([now_ts]))[0]))
    if not len(at):
        at = _seconds(pd.Series([now_ts])).to_numpy()
    opened, closed = _secs(df["time"]), _secs(df["closed"])
    opened, closed = np.sort(opened[~np.isnan(opened)]), np.sort(closed[~np.isnan(closed)])
    n_open = np.searchsorted(opened, at, side="right") - np.searchsorted(closed, at, side="right")
    return pd.DataFrame({"at": _ts(at), "open": n_open.astype("int64")})


def pending_by_age(df: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Today's open revisions by age bucket and pending column: columns bucket, column, count (every bucket and
    column present). A revision waiting on two columns counts once in each."""
    now_us = int(_utc_ts(now).tz_convert(None).to_datetime64().astype("datetime64[us]").astype("int64"))
    rows = np.flatnonzero(df["is_open"].to_numpy(dtype=bool))
    submitted = df["time"].iloc[rows].to_numpy(dtype="datetime64[us]")
    age_days = (now_us - submitted.view("int64")) / 1_000_000 / 86400.0  # as pandas' total_seconds() / 86400
    age_days[np.isnat(submitted)] = np.nan
    labels = [label for label, _ in AGE_BUCKETS]
    edges = np.array([-np.inf] + [bound for _, bound in AGE_BUCKETS])
    bucket = np.searchsorted(edges, age_days, side="right") - 1  # [lower, upper) as pd.cut(right=False)
    bucket[np.isnan(age_days)] = len(labels)  # no bucket
    counts = []
    for c in SIGNOFF_COLUMNS:
        waiting = df[f"{c}_status"].iloc[rows].to_numpy(dtype=object) == PENDING
        per = np.bincount(bucket[waiting], minlength=len(labels) + 1)
        counts.extend({"bucket": b, "column": c, "count": int(per[i])} for i, b in enumerate(labels))
    return pd.DataFrame(counts, columns=["bucket", "column", "count"])


def open_ages(df: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Today's open revisions with their age in days and their pending columns (the table behind the age chart)."""
    open_rows = df[df["is_open"]].copy()
    open_rows["age_days"] = (_utc_ts(now) - open_rows["time"]).dt.total_seconds() / 86400.0
    open_rows["pending"] = [
        ", ".join(c for c in SIGNOFF_COLUMNS if row[f"{c}_status"] == PENDING)
        for _, row in open_rows[[f"{c}_status" for c in SIGNOFF_COLUMNS]].iterrows()
    ]
    return open_rows.sort_values("age_days", ascending=False).reset_index(drop=True)


def counts_by(df: pd.DataFrame, key: str) -> pd.DataFrame:
    """In-range revisions by `key` (e.g. `instrument`, `user`) and kind: columns key, kind, count (descending total)."""
    empty = pd.DataFrame(
        {key: pd.Series(dtype=object), "kind": pd.Series(dtype=object), "count": pd.Series(dtype="int64")}
    )
    if key not in df:
        return empty
    in_range = df["in_range"].to_numpy(dtype=bool)
    keys, kinds = df[key][in_range], df["kind"].to_numpy(dtype=object)[in_range]
    valid = _has_kind(kinds)  # as groupby, which leaves out a missing kind (and, below, a missing key)
    codes, uniques = pd.factorize(keys[valid], sort=True)  # groupby's order of the keys; -1: missing
    kind = _kind_index(kinds[valid])
    listed = (kind >= 0) & (codes >= 0)
    if not (codes >= 0).any():
        return empty
    counts = np.bincount(codes[listed] * len(KINDS) + kind[listed], minlength=len(uniques) * len(KINDS))
    table = counts.reshape(len(uniques), len(KINDS))
    order = np.argsort(-table.sum(axis=1), kind="stable")  # the largest total first, ties in key order
    labels = uniques.take(order).repeat(len(KINDS))
    if labels.dtype == object:  # text keys come out of a groupby as text (pandas infers the dtype)
        labels = pd.Index(labels.tolist())
    return pd.DataFrame(
        {
            key: labels,
            "kind": np.tile(np.array(KINDS, dtype=object), len(uniques)),
            "count": table[order].ravel().astype("int64"),
        }
    )


def by_instrument(df: pd.DataFrame) -> pd.DataFrame:
    return counts_by(df, "instrument")


def by_submitter(df: pd.DataFrame) -> pd.DataFrame:
    return counts_by(df, "user")


def recent_targets(df: pd.DataFrame, limit: int = 150) -> pd.DataFrame:
    """The newest in-range revision of each of the `limit` most recently revised obsids (for the sky map)."""
    rows = np.flatnonzero(df["in_range"].to_numpy(dtype=bool))
    seconds, ids = _secs(df["time"])[rows], df["id"].to_numpy()[rows]
    newest_first = rows[np.lexsort((-ids, -seconds))]  # by time, then id, both descending
    _obsids, first = np.unique(df["obsid"].to_numpy()[newest_first], return_index=True)
    return df.iloc[newest_first[np.sort(first)[:limit]]].reset_index(drop=True)


def sky_points(targets: pd.DataFrame, positions: Mapping[int, Mapping[str, Any]]) -> pd.DataFrame:
    """`targets` with ra/dec (degrees) and target name from `positions`; rows without a position are left out."""
    out = targets.copy()
    out["ra"] = out["obsid"].map({o: p.get("ra") for o, p in positions.items()}).astype("float64")
    out["dec"] = out["obsid"].map({o: p.get("dec") for o, p in positions.items()}).astype("float64")
    names = out["obsid"].map({o: p.get("targname") or "" for o, p in positions.items()})
    out["targname"] = names.where(names.notna(), out.get("targname", "")).fillna("")
    return out.dropna(subset=["ra", "dec"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ events


def _revision_events(start: datetime, stop: datetime) -> tuple[Any, ...]:
    """The conditions of a revision event (target `<obsid>.<rev>`, no scheduler or token line) in [start, stop)."""
    return (
        Event.time >= _epoch(start),
        Event.time < _epoch(stop),
        Event.target.like("%.%"),
        ~Event.action.like("schedule%"),
        ~Event.action.like("submit-token%"),
    )


def events_frame(session: Session, start: datetime, stop: datetime) -> pd.DataFrame:
    """Revision events (targets `<obsid>.<rev>`) in [start, stop): time, user, action, target."""
    stmt = (
        select(Event.time, Event.username, Event.action, Event.target)
        .where(*_revision_events(start, stop))
        .order_by(Event.time, Event.id)
    )
    rows = session.execute(stmt).all()
    out = pd.DataFrame.from_records(rows, columns=["time", "user", "action", "target"])
    out["time"] = _ts(out["time"])
    return out


def action_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events by action family (submit, sign, approve, discard, undo): columns action, count."""
    if events.empty:
        return pd.DataFrame({"action": pd.Series(dtype=object), "count": pd.Series(dtype="int64")})
    family = events["action"].str.split(".").str[0]
    return family.value_counts().rename_axis("action").rename("count").reset_index()


def action_totals(
    session: Session, start: datetime, stop: datetime, targets: Collection[str] | None = None
) -> pd.DataFrame:
    """`action_counts(events_frame(session, start, stop))`, counted by the database (issue #14: reading a year's
    events into a frame was half the page's time): one row per action, or per action and target when only the
    events of `targets` (obsidrevs) count. Columns action, count; the largest count first, ties by name."""
    keys = (Event.action,) if targets is None else (Event.action, Event.target)
    stmt = select(*keys, func.count()).where(*_revision_events(start, stop)).group_by(*keys)
    totals: dict[str, int] = {}
    for row in _fetch_tuples(session, stmt):
        if row[0] is not None and (targets is None or row[1] in targets):
            family = row[0].split(".")[0]
            totals[family] = totals.get(family, 0) + int(row[-1])
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return pd.DataFrame(
        {
            "action": pd.Series([a for a, _ in ordered], dtype=object),
            "count": pd.Series([n for _, n in ordered], dtype="int64"),
        }
    )


def export_table(df: pd.DataFrame, zone: str = "UTC") -> pd.DataFrame:
    """The table behind the figures as the CSV download has it (times in `zone`, ISO text)."""
    cols = ["obsidrev", "obsid", "kind", "time", "user", "instrument", "targname", "state", "in_range"]
    cols += [f"{c}_{part}" for c in SIGNOFF_COLUMNS for part in ("status", "time")]
    out = df[[c for c in cols if c in df]].copy()
    for c in out.columns:
        if str(out[c].dtype).startswith("datetime64"):
            out[c] = out[c].dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M:%S%z").fillna("")
    return out


@dataclass(frozen=True)
class AnalyticsData:
    """Everything the analytics page draws, for one date range and instrument filter."""

    frame: pd.DataFrame
    weekly: pd.DataFrame
    turnaround: pd.DataFrame
    backlog: pd.DataFrame
    ages: pd.DataFrame
    by_instrument: pd.DataFrame
    by_submitter: pd.DataFrame
    sky: pd.DataFrame
    actions: pd.DataFrame
    ocat_error: str | None = None

    @property
    def submitted(self) -> int:
        return int(self.frame["in_range"].sum())

    @property
    def open_now(self) -> int:
        return int(self.frame["is_open"].sum())


def compute(
    session: Session,
    source: OcatSource | None,
    start: datetime,
    stop: datetime,
    instruments: Sequence[str] | None = None,
    *,
    now: datetime,
    obs_ss: Path | str,
    sky_limit: int = 150,
    lookups: Cache | None = None,
    frames: KeptFrames | None = None,
) -> AnalyticsData:
    """Read the range once (revision DB, events, the instruments through `data.ocat.lookups` (kept in `lookups`
    for 10 minutes, one batched read for the rest) and the positions of the `sky_limit` most recently revised obsids
    (kept the same way, `ocat_positions`)) and compute every aggregate. A down Ocat sets `ocat_error`: instruments are then
    unknown (an instrument filter keeps nothing) and the sky map is empty."""
    df = frames.frame(session, start, stop) if frames is not None else revisions_frame(session, start, stop)
    ocat_error = None
    basics: dict[int, dict[str, Any]] = {}
    positions: dict[int, dict[str, Any]] = {}
    if source is None:
        ocat_error = "The Ocat is not configured."
    else:
        try:
            basics = ocat_basics(source, df["obsid"].unique().tolist(), lookups) if len(df) else {}
        except OcatUnavailable as err:
            ocat_error = err.user_message
    df = filter_instruments(attach_instruments(df, basics), instruments)
    targets = recent_targets(df, sky_limit)
    if ocat_error is None and source is not None and len(targets):
        try:
            positions = ocat_positions(source, targets["obsid"].tolist(), obs_ss=obs_ss, cache=lookups)
        except OcatUnavailable as err:
            ocat_error = err.user_message
    actions = action_totals(session, start, stop, set(df["obsidrev"]) if instruments else None)
    return AnalyticsData(
        frame=df,
        weekly=weekly_counts(df),
        turnaround=turnaround(df),
        backlog=backlog(df, min(now, stop), start=start),
        ages=pending_by_age(df, now),
        by_instrument=by_instrument(df),
        by_submitter=by_submitter(df),
        sky=sky_points(targets, positions),
        actions=actions,
        ocat_error=ocat_error,
    )


__all__ = [
    "AGE_BUCKETS",
    "AnalyticsData",
    "compute",
    "INSTRUMENTS",
    "KeptFrames",
    "NOT_REQUIRED",
    "STATES",
    "action_counts",
    "action_totals",
    "attach_instruments",
    "backlog",
    "by_instrument",
    "by_submitter",
    "counts_by",
    "empty_frame",
    "events_frame",
    "export_table",
    "filter_instruments",
    "ocat_basics",
    "ocat_positions",
    "open_ages",
    "pending_by_age",
    "recent_targets",
    "revisions_frame",
    "signoff_waits",
    "sky_points",
    "turnaround",
    "weekly_counts",
]
