"""Pure shaping for the status board (E12): board frame -> ag-grid rows and column definitions, texts.

No Dash and no database here: tests call these with a DataFrame and plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from data.board import BADGE_LABELS, COLUMN_LABELS, COLUMNS, EDIT_COLUMNS
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED
from data.users import can
from pages._components.board_columns import ACTION_COLUMNS, APPROVE_COL, DISCARD_COL, SIGN_TEXT


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def local_text(value: Any, tz: str | ZoneInfo, fmt: str = "%m/%d/%y %H:%M") -> str:
    """A UTC time (Timestamp, datetime) shown in the display zone; empty for missing."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(_zone(tz)).strftime(fmt)


def waited_text(hours: Any) -> str:
    """`45 min`, `5.2 h` or `3.1 d`; empty when there is nothing to show."""
    if hours is None or (isinstance(hours, float) and hours != hours):
        return ""
    hours = float(hours)
    if hours < 1:
        return f"{max(0, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def cell_text(status: str, by: Any, at: Any, tz: str | ZoneInfo) -> str:
    """What a sign-off cell says when it has no button: `jdoe 11/26/26 13:05`, `Not Required`, `NA`, `Pending`."""
    if status == SIGNED:
        who = by or "?"
        when = local_text(at, tz)
        return f"{who} {when}".strip()
    if status == DISCARD:
        return "NA"
    if status == NOT_REQUIRED:
        return "Not Required"
    return status or ""


def may_sign(row: Mapping[str, Any], column: str, user: Any, permissions: Mapping[str, Sequence[str]]) -> bool:
    """D13/D14 for one cell: the column is Pending on an open row, the user is in its group, and for the verify
    column every edit column is done."""
    if not row.get("is_open") or row.get(f"{column}_status") != PENDING:
        return False
    if column == "usint" and any(row.get(f"{c}_status") == PENDING for c in EDIT_COLUMNS):
        return False
    return can(user, column, permissions)


def may_approve(row: Mapping[str, Any], user: Any, permissions: Mapping[str, Sequence[str]]) -> bool:
    """Signoff & Approve: the verify column may be signed, the obsid is not approved yet, the user may approve."""
    return may_sign(row, "usint", user, permissions) and not row.get("approved") and can(user, "approve", permissions)


def may_discard(row: Mapping[str, Any], user: Any, permissions: Mapping[str, Sequence[str]]) -> bool:
    """A usint member may discard an open revision (its Pending columns become Discard)."""
    return bool(row.get("is_open")) and can(user, "discard", permissions)


def _texts(series: pd.Series, zone: ZoneInfo, fmt: str = "%m/%d/%y %H:%M") -> list[str]:
    """A column of UTC times as display-zone texts, "" for missing (one vectorised strftime per column)."""
    if not len(series):
        return []
    stamps = pd.to_datetime(series, utc=True)
    local = stamps.dt.tz_convert(zone).dt.tz_localize(None)
    if fmt != "%m/%d/%y %H:%M":
        return local.dt.strftime(fmt).fillna("").tolist()
    # pandas' strftime formats element by element; numpy's ISO text is one C call, then a slice per value.
    iso = np.datetime_as_string(local.to_numpy(dtype="datetime64[m]"), unit="m").tolist()
    return ["" if t == "NaT" else f"{t[5:7]}/{t[8:10]}/{t[2:4]} {t[11:16]}" for t in iso]


def _epochs(series: pd.Series) -> np.ndarray:
    """A column of UTC times as epoch seconds (NaN for missing)."""
    stamps = pd.to_datetime(series, utc=True)
    values = stamps.to_numpy(dtype="datetime64[s]").astype("int64").astype("float64")
    values[stamps.isna().to_numpy()] = np.nan
    return values


def _objects(series: pd.Series) -> list[Any]:
    """A column as plain Python values, None for missing."""
    return [None if (v is None or v != v) else v for v in series.tolist()]


def grid_rows(
    frame: pd.DataFrame,
    *,
    user: Any,
    permissions: Mapping[str, Sequence[str]],
    tz: str | ZoneInfo,
    mine_first: bool = False,
    kiosk: bool = False,
    since: float | None = None,
) -> list[dict[str, Any]]:
    """One ag-grid row per board row, built a column at a time (no per-row pandas access).

    `id` is the obsidrev (getRowId; the OBSID.rev column builds its link from it). Each sign-off column `c`
    holds its status (what a click carries as `expected`) only where this user gets a Sign button, else it is
    left out; `c_text` is what the cell shows (`Sign` on a button), `c_waited` how long it has waited (left
    out when nothing to show) and `c_age` the hours of a Pending column (left out otherwise). `approve` and
    `discard` hold the verify status only where this user gets that button. `color` and `changed` (rows
    submitted or signed after `since`, epoch seconds of the previous refresh, which the grid highlights
    briefly) appear only when set. `ts` is the submission in epoch seconds (the Submitted column sorts by it).
    Kiosk rows never offer buttons."""
    zone = _zone(tz)
    if mine_first and len(frame):
        frame = frame.iloc[np.argsort(~frame["mine"].to_numpy(dtype=bool), kind="stable")]
    n = len(frame)
    if not n:
        return []
    is_open = frame["is_open"].to_numpy(dtype=bool)
    status = {c: frame[f"{c}_status"].to_numpy(dtype=object) for c in COLUMNS}
    pending = {c: status[c] == PENDING for c in COLUMNS}
    edit_pending = np.logical_or.reduce([pending[c] for c in EDIT_COLUMNS])
    allowed = {k: (not kiosk) and can(user, k, permissions) for k in (*COLUMNS, "approve", "discard")}
    sign = {c: is_open & pending[c] & allowed[c] for c in COLUMNS}
    sign["usint"] = sign["usint"] & ~edit_pending
    approve = sign["usint"] & ~frame["approved"].to_numpy(dtype=bool) & allowed["approve"]
    discard = is_open & allowed["discard"]

    submitted = _epochs(frame["submitted"])
    stamps = {c: _epochs(frame[f"{c}_at"]) for c in COLUMNS}
    if since is None:
        changed = np.zeros(n, dtype=bool)
    else:
        latest = np.nanmax(np.column_stack([np.nan_to_num(submitted, nan=0.0), *stamps.values()]), axis=1)
        changed = latest > since

    ids = frame["obsidrev"].tolist()
    seqs = _objects(frame["sequence_number"])
    targets = _objects(frame["target"])
    pis = _objects(frame["pi"])
    submitters = _objects(frame["submitter"])
    submitted_text = _texts(frame["submitted"], zone)
    kinds = _objects(frame["kind"])
    notes = ["; ".join(BADGE_LABELS.get(b, b) for b in badges or ()) for badges in frame["badges"].tolist()]
    colors = _objects(frame["color"])
    rows: list[dict[str, Any]] = [
        {
            "id": ids[i],
            "seq": None if seqs[i] is None else int(seqs[i]),
            "target": targets[i] or "",
            "pi": pis[i] or "",
            "submitter": submitters[i] or "",
            "submitted": submitted_text[i],
            "ts": None if submitted[i] != submitted[i] else int(submitted[i]),
            "kind": kinds[i],
            "notes": notes[i],
            "state": "open" if is_open[i] else "closed",
        }
        for i in range(n)
    ]
    for i in np.flatnonzero(changed).tolist():
        rows[i]["changed"] = True
    for i, color in enumerate(colors):
        if color:
            rows[i]["color"] = color
    for c in COLUMNS:
        by = _objects(frame[f"{c}_by"])
        at_text = _texts(frame[f"{c}_at"], zone)
        waited = frame[f"{c}_waited_h"].to_numpy(dtype=np.float64)
        for i, (st, can_sign, w) in enumerate(zip(status[c].tolist(), sign[c].tolist(), waited.tolist(), strict=True)):
            row = rows[i]
            if can_sign:
                row[c] = st
                row[f"{c}_text"] = SIGN_TEXT
            elif st == SIGNED:
                row[f"{c}_text"] = f"{by[i] or '?'} {at_text[i]}".strip()
            else:
                row[f"{c}_text"] = cell_text(st, None, None, zone)
            if w == w:
                row[f"{c}_waited"] = waited_text(w)
                if st == PENDING:
                    row[f"{c}_age"] = round(w, 2)
    usint_status = status["usint"].tolist()
    for i in np.flatnonzero(approve).tolist():
        rows[i][APPROVE_COL] = usint_status[i]
    for i in np.flatnonzero(discard).tolist():
        rows[i][DISCARD_COL] = usint_status[i]
    return rows


def _badge_text(key: str, rec: Mapping[str, Any]) -> str:
    if key == "higher_signed":
        return "Higher Rev Already Signed Off"
    return BADGE_LABELS.get(key, key)


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _iso(value: Any) -> str | None:
    if value is None or value is pd.NaT:
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(frame: pd.DataFrame, closed_window_h: float) -> str:
    """The sentence above the grid saying exactly what is listed."""
    n_open = int(frame["is_open"].sum()) if len(frame) else 0
    n_closed = len(frame) - n_open
    hours = f"{closed_window_h:g}"
    return (
        f"Listed: every open revision ({n_open}: at least one sign-off still Pending) and every revision closed "
        f"in the last {hours} hours by its last sign-off ({n_closed})."
    )


def updated_text(moment: datetime, tz: str | ZoneInfo) -> str:
    """`Last updated 13:05 EST (America/New_York)`."""
    zone = _zone(tz)
    local = moment.astimezone(zone)
    return f"Last updated {local:%H:%M} {local.tzname()} ({zone.key})"


def click_action(cell: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The action a grid click asks for, or None when the clicked cell is no button.

    `cell` is ag-grid's `cellClicked` {value, colId, rowId}; its value is the status the user saw.
    """
    if not cell:
        return None
    col = cell.get("colId")
    if col not in ACTION_COLUMNS or not cell.get("rowId") or not cell.get("value"):
        return None
    action = {APPROVE_COL: "approve", DISCARD_COL: "discard"}.get(col, "sign")
    column = "usint" if col in (APPROVE_COL, DISCARD_COL) else col
    return {"obsidrev": str(cell["rowId"]), "column": column, "action": action, "expected": cell.get("value")}


def confirm_text(action: Mapping[str, Any]) -> str:
    what = {"sign": "Sign", "approve": "Sign off and approve", "discard": "Discard"}[action["action"]]
    if action["action"] == "discard":
        return f"Discard revision {action['obsidrev']}? Its Pending columns become NA."
    return f"{what} “{COLUMN_LABELS[action['column']]}” of {action['obsidrev']}?"
