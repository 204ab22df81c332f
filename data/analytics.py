"""Analytics aggregates (pandas) over the revision DB and the events table; the Ocat only for instruments and positions.

`revisions_frame(session, start, stop)` reads one row per revision (one SQL statement, no ORM objects): every
revision submitted in [start, stop) (`in_range` True) plus the older ones that were still open at `start`
(`in_range` False, so that the backlog and today's pending items are right). The other functions are pure
functions of that frame (and `now`), so tests give them hand-made frames or frames of hand-made revisions.

Times are aware UTC `Timestamp`s (D4); figures convert them to the display zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from data.errors import OcatUnavailable
from data.models import DISCARD, KINDS, NOT_REQUIRED, PENDING, SIGNED, Event, Revision, Signoff, User
from data.ocat.cache import Cache
from data.ocat.lookups import NO_BASICS, lookup
from data.ocat.read import read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import CHOICES, SIGNOFF_COLUMNS

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

FRAME_COLUMNS = (
    "id", "obsid", "revision_number", "obsidrev", "kind", "time", "user", "in_range", "is_open", "state",
    "closed", *(f"{c}_status" for c in SIGNOFF_COLUMNS), *(f"{c}_time" for c in SIGNOFF_COLUMNS),
)  # fmt: skip


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _ts(values: Any) -> pd.Series:
    """Epoch seconds (with None) → aware UTC timestamps (NaT for None)."""
    seconds = np.asarray(values, dtype="float64")  # None → NaN
    return pd.Series(pd.to_datetime(seconds, unit="s", utc=True))


def _utc_ts(moment: datetime | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(moment)
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)


def _seconds(values: pd.Series) -> pd.Series:
    """Aware timestamps → float epoch seconds (independent of the datetime unit pandas chose)."""
    return (values - pd.Timestamp(0, tz=UTC)).dt.total_seconds()


def _fetch_tuples(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """Plain DB-API tuples of a Core statement, still with bound parameters: for ~35k rows a year this skips
    building SQLAlchemy Row objects (a third of the read time on SQLite)."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect)
    params: Any = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def revisions_frame(session: Session, start: datetime, stop: datetime) -> pd.DataFrame:
    """One row per revision submitted in [start, stop), plus older ones still open at `start` (`in_range` False).

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
            Revision.kind,
            Revision.time,
            User.username,
            *(getattr(Signoff, f"{c}_status") for c in SIGNOFF_COLUMNS),
            *(getattr(Signoff, f"{c}_time") for c in SIGNOFF_COLUMNS),
        )  # fmt: skip
        .join(Signoff, Signoff.revision_id == Revision.id)
        .join(User, User.id == Revision.user_id)
    )
    # Two statements: the range itself is an index range scan; one OR over both halves made SQLite scan all.
    older = base.where(Revision.time < lo, or_(pending_any, closed_after)).order_by(Revision.time, Revision.id)
    in_range = base.where(Revision.time >= lo, Revision.time < hi).order_by(Revision.time, Revision.id)
    rows = _fetch_tuples(session, older) + _fetch_tuples(session, in_range)
    return _shape(rows, lo)


_RAW_NAMES = ("id", "obsid", "revision_number", "kind", "time", "user",
              *(f"{c}_status" for c in SIGNOFF_COLUMNS), *(f"{c}_time" for c in SIGNOFF_COLUMNS))  # fmt: skip


def _shape(rows: list[tuple[Any, ...]], lo: int) -> pd.DataFrame:
    """The frame from raw (epoch) rows: numpy per column, one DataFrame at the end."""
    n = len(rows)
    table = np.array(rows, dtype=object).reshape(n, len(_RAW_NAMES))  # one C-level pass (zip(*rows) is 3× slower)
    col = {name: table[:, i] for i, name in enumerate(_RAW_NAMES)}
    obsid = col["obsid"].astype("int64")
    number = col["revision_number"].astype("int64")
    submitted = col["time"].astype("float64")
    kind = col["kind"]
    first = _RAW_NAMES.index(f"{SIGNOFF_COLUMNS[0]}_status")
    statuses = table[:, first : first + len(SIGNOFF_COLUMNS)].T
    times = table[:, first + len(SIGNOFF_COLUMNS) :].T.astype("float64")  # None → NaN
    is_open = (statuses == PENDING).any(axis=0)
    discarded = (statuses == DISCARD).any(axis=0)
    state = np.where(kind == "asis", "approved", np.where(kind == "remove", "removed", "signed")).astype(object)
    state[discarded] = "discarded"
    state[is_open] = "open"
    last = np.fmax.reduce(times, axis=0) if n else np.empty(0)
    last = np.where(is_open, np.nan, np.where(np.isnan(last), submitted, last))
    data: dict[str, Any] = {
        "id": col["id"].astype("int64"),
        "obsid": obsid,
        "revision_number": number,
        "obsidrev": np.array([f"{o}.{r:03d}" for o, r in zip(obsid.tolist(), number.tolist(), strict=True)],
                             dtype=object),
        "kind": kind,
        "time": _ts(submitted),
        "user": np.array([u or "" for u in col["user"]], dtype=object),
        "in_range": submitted >= lo,
        "is_open": is_open,
        "state": state,
        "closed": _ts(last),
    }  # fmt: skip
    for i, c in enumerate(SIGNOFF_COLUMNS):
        data[f"{c}_status"] = statuses[i]
    for i, c in enumerate(SIGNOFF_COLUMNS):
        data[f"{c}_time"] = _ts(times[i])
    return pd.DataFrame(data)


def empty_frame() -> pd.DataFrame:
    """A frame with the columns of `revisions_frame` and no rows."""
    return _shape([], 0)


# ------------------------------------------------------------------------------------------------ Ocat parts


def ocat_basics(source: OcatSource, obsids: Iterable[int], cache: Cache | None = None) -> dict[int, dict[str, Any]]:
    """obsid → {instrument, targname} (`data.ocat.lookups`: kept ones from `cache`, the rest in one batched read);
    raises OcatUnavailable when the Ocat is down."""
    found = lookup(source, sorted({int(o) for o in obsids}), cache)
    return {o: {"instrument": b.instrument, "targname": b.target} for o, b in found.items() if b != NO_BASICS}


def ocat_positions(source: OcatSource, obsids: Iterable[int], *, obs_ss: Path | str) -> dict[int, dict[str, Any]]:
    """obsid → {ra, dec, targname, instrument} in degrees (one batched `read_observations`)."""
    found = read_observations(source, list(dict.fromkeys(int(o) for o in obsids)), obs_ss=obs_ss)
    return {
        o: {"ra": r.get("ra"), "dec": r.get("dec"), "targname": r.get("targname"), "instrument": r.get("instrument")}
        for o, r in found.items()
    }


def attach_instruments(df: pd.DataFrame, basics: Mapping[int, Mapping[str, Any]] | None) -> pd.DataFrame:
    """`df` with `instrument` and `targname` columns (UNKNOWN_INSTRUMENT / "" when the Ocat lacks the obsid)."""
    out = df.copy()
    basics = basics or {}
    inst = {o: (b.get("instrument") or UNKNOWN_INSTRUMENT) for o, b in basics.items()}
    names = {o: (b.get("targname") or "") for o, b in basics.items()}
    out["instrument"] = out["obsid"].map(inst).fillna(UNKNOWN_INSTRUMENT).astype(object)
    out["targname"] = out["obsid"].map(names).fillna("").astype(object)
    return out


def filter_instruments(df: pd.DataFrame, instruments: Sequence[str] | None) -> pd.DataFrame:
    """Rows whose instrument is one of `instruments` (all rows when None/empty)."""
    if not instruments or "instrument" not in df:
        return df
    return df[df["instrument"].isin(list(instruments))].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ aggregates


def weekly_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Revisions submitted per week (weeks start on Monday, UTC) by kind: columns week, kind, count.

    Every week between the first and the last submission is present for every kind (0 when none)."""
    rows = df[df["in_range"]]
    if rows.empty:
        return pd.DataFrame({"week": pd.Series(dtype="datetime64[ns, UTC]"), "kind": pd.Series(dtype=object),
                             "count": pd.Series(dtype="int64")})  # fmt: skip
    day = rows["time"].dt.floor("D")
    week = day - pd.to_timedelta(day.dt.weekday, unit="D")
    table = rows.groupby([week.rename("week"), rows["kind"]]).size().unstack(fill_value=0)
    weeks = pd.date_range(table.index.min(), table.index.max(), freq="7D")
    table = table.reindex(index=weeks, columns=list(KINDS), fill_value=0)
    table.index.name, table.columns.name = "week", "kind"
    out = table.stack().rename("count").reset_index()
    out["count"] = out["count"].astype("int64")
    return out


def signoff_waits(df: pd.DataFrame) -> pd.DataFrame:
    """One row per signed column of an in-range revision that had to wait for it: obsidrev, column, submitted,
    signed, hours. Columns signed at submission (asis/remove's usint column) are not waits and are left out."""
    base = df["in_range"].to_numpy(dtype=bool) & ~df["kind"].isin(("asis", "remove")).to_numpy(dtype=bool)
    submitted = _seconds(df["time"]).to_numpy(dtype="float64")
    revs = df["obsidrev"].to_numpy(dtype=object)
    parts: dict[str, list[Any]] = {"obsidrev": [], "column": [], "submitted": [], "signed": []}
    for c in SIGNOFF_COLUMNS:
        signed = _seconds(df[f"{c}_time"]).to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):
            mask = base & (df[f"{c}_status"].to_numpy(dtype=object) == SIGNED) & (signed >= submitted)
        parts["obsidrev"].append(revs[mask])
        parts["column"].append(np.full(int(mask.sum()), c, dtype=object))
        parts["submitted"].append(submitted[mask])
        parts["signed"].append(signed[mask])
    sub = np.concatenate(parts["submitted"]) if parts["submitted"] else np.empty(0)
    sig = np.concatenate(parts["signed"]) if parts["signed"] else np.empty(0)
    return pd.DataFrame({
        "obsidrev": np.concatenate(parts["obsidrev"]).astype(object), "column": np.concatenate(parts["column"]),
        "submitted": _ts(sub), "signed": _ts(sig), "hours": (sig - sub) / 3600.0,
    })  # fmt: skip


def turnaround(df: pd.DataFrame) -> pd.DataFrame:
    """Sign-off turnaround per column and month of submission: month (first day, UTC), column, n, median_h, p90_h.

    Hours from submission to the column's sign-off; percentiles by linear interpolation (numpy's default)."""
    waits = signoff_waits(df)
    if waits.empty:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns, UTC]"), "column": pd.Series(dtype=object),
                             "n": pd.Series(dtype="int64"), "median_h": pd.Series(dtype="float64"),
                             "p90_h": pd.Series(dtype="float64")})  # fmt: skip
    months = _seconds(waits["submitted"]).to_numpy().astype("int64").astype("datetime64[s]").astype("datetime64[M]")
    waits["month"] = pd.to_datetime(months.astype("datetime64[s]")).tz_localize(UTC)
    waits["order"] = waits["column"].map({c: i for i, c in enumerate(SIGNOFF_COLUMNS)})
    grouped = waits.groupby(["month", "order", "column"], sort=True)["hours"]
    out = pd.concat(
        [grouped.size().rename("n"), grouped.median().rename("median_h"), grouped.quantile(0.9).rename("p90_h")],
        axis=1,
    ).reset_index()  # quantile interpolates linearly, as numpy's percentile does
    return out.drop(columns="order")[["month", "column", "n", "median_h", "p90_h"]]


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
    opened = np.sort(_seconds(df["time"].dropna()).to_numpy())
    closed = np.sort(_seconds(df["closed"].dropna()).to_numpy())
    n_open = np.searchsorted(opened, at, side="right") - np.searchsorted(closed, at, side="right")
    return pd.DataFrame({"at": _ts(at), "open": n_open.astype("int64")})


def pending_by_age(df: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Today's open revisions by age bucket and pending column: columns bucket, column, count (every bucket and
    column present). A revision waiting on two columns counts once in each."""
    now_ts = _utc_ts(now)
    open_rows = df[df["is_open"]]
    age_days = (now_ts - open_rows["time"]).dt.total_seconds() / 86400.0
    labels = [label for label, _ in AGE_BUCKETS]
    edges = [-np.inf] + [bound for _, bound in AGE_BUCKETS]
    bucket = pd.cut(age_days, bins=edges, labels=labels, right=False)
    counts = []
    for c in SIGNOFF_COLUMNS:
        waiting = open_rows[f"{c}_status"] == PENDING
        per = bucket[waiting].value_counts().reindex(labels, fill_value=0)
        counts.extend({"bucket": b, "column": c, "count": int(per[b])} for b in labels)
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
    rows = df[df["in_range"]]
    if rows.empty or key not in rows:
        return pd.DataFrame({key: pd.Series(dtype=object), "kind": pd.Series(dtype=object),
                             "count": pd.Series(dtype="int64")})  # fmt: skip
    table = rows.groupby([key, "kind"]).size().unstack(fill_value=0).reindex(columns=list(KINDS), fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table.index.name, table.columns.name = key, "kind"
    out = table.stack().rename("count").reset_index()
    out["count"] = out["count"].astype("int64")
    return out


def by_instrument(df: pd.DataFrame) -> pd.DataFrame:
    return counts_by(df, "instrument")


def by_submitter(df: pd.DataFrame) -> pd.DataFrame:
    return counts_by(df, "user")


def recent_targets(df: pd.DataFrame, limit: int = 150) -> pd.DataFrame:
    """The newest in-range revision of each of the `limit` most recently revised obsids (for the sky map)."""
    rows = df[df["in_range"]].sort_values(["time", "id"], ascending=False)
    return rows.drop_duplicates("obsid").head(limit).reset_index(drop=True)


def sky_points(targets: pd.DataFrame, positions: Mapping[int, Mapping[str, Any]]) -> pd.DataFrame:
    """`targets` with ra/dec (degrees) and target name from `positions`; rows without a position are left out."""
    out = targets.copy()
    out["ra"] = out["obsid"].map({o: p.get("ra") for o, p in positions.items()}).astype("float64")
    out["dec"] = out["obsid"].map({o: p.get("dec") for o, p in positions.items()}).astype("float64")
    names = out["obsid"].map({o: p.get("targname") or "" for o, p in positions.items()})
    out["targname"] = names.where(names.notna(), out.get("targname", "")).fillna("")
    return out.dropna(subset=["ra", "dec"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ events


def events_frame(session: Session, start: datetime, stop: datetime) -> pd.DataFrame:
    """Revision events (targets `<obsid>.<rev>`) in [start, stop): time, user, action, target."""
    stmt = (
        select(Event.time, Event.username, Event.action, Event.target)
        .where(Event.time >= _epoch(start), Event.time < _epoch(stop), Event.target.like("%.%"))
        .where(~Event.action.like("schedule%"), ~Event.action.like("submit-token%"))
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
) -> AnalyticsData:
    """Read the range once (revision DB, events, the instruments through `data.ocat.lookups` (kept in `lookups`
    for 10 minutes, one batched read for the rest) and one batched read for the positions of the `sky_limit` most
    recently revised obsids) and compute every aggregate. A down Ocat sets `ocat_error`: instruments are then
    unknown (an instrument filter keeps nothing) and the sky map is empty."""
    df = revisions_frame(session, start, stop)
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
            positions = ocat_positions(source, targets["obsid"].tolist(), obs_ss=obs_ss)
        except OcatUnavailable as err:
            ocat_error = err.user_message
    events = events_frame(session, start, stop)
    if instruments:
        events = events[events["target"].isin(set(df["obsidrev"]))]
    return AnalyticsData(
        frame=df,
        weekly=weekly_counts(df),
        turnaround=turnaround(df),
        backlog=backlog(df, min(now, stop), start=start),
        ages=pending_by_age(df, now),
        by_instrument=by_instrument(df),
        by_submitter=by_submitter(df),
        sky=sky_points(targets, positions),
        actions=action_counts(events),
        ocat_error=ocat_error,
    )


__all__ = [
    "AGE_BUCKETS",
    "AnalyticsData",
    "compute",
    "INSTRUMENTS",
    "NOT_REQUIRED",
    "STATES",
    "action_counts",
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
