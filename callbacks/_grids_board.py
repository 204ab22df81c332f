"""Pure shaping for the status board (E12): board frame -> ag-grid rows and column definitions, texts.

No Dash and no database here: tests call these with a DataFrame and plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from data.board import BADGE_LABELS, COLUMN_LABELS, COLUMNS, EDIT_COLUMNS
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED
from data.users import can
from pages._components.board_columns import ACTION_COLUMNS, ACTION_LABELS, APPROVE_COL, DISCARD_COL, SIGN_TEXT


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
    """One ag-grid row per board row. `id` is the obsidrev (getRowId). Each sign-off column `c` holds its status
    (what a click carries as `expected`) only where this user gets a Sign button, `c_status` always, `c_text` what is shown, `c_can` whether this user gets a Sign button,
    `c_waited` / `c_age` how long it has waited. Kiosk rows never offer buttons. `changed` marks rows submitted
    or signed after `since` (epoch seconds of the previous refresh), which the grid highlights briefly."""
    zone = _zone(tz)
    records = frame.to_dict("records")
    if mine_first:
        records = sorted(records, key=lambda r: not r.get("mine"))  # stable: keeps the board order otherwise
    rows: list[dict[str, Any]] = []
    for rec in records:
        row: dict[str, Any] = {
            "id": rec["obsidrev"],
            "obsidrev": rec["obsidrev"],
            "link": f"[{rec['obsidrev']}](/chkupdata/{rec['obsidrev']})",
            "obsid": int(rec["obsid"]),
            "seq": _plain(rec.get("sequence_number")),
            "target": _plain(rec.get("target")) or "",
            "pi": _plain(rec.get("pi")) or "",
            "submitter": _plain(rec.get("submitter")) or "",
            "submitted": local_text(rec.get("submitted"), zone),
            "submitted_iso": _iso(rec.get("submitted")),
            "kind": _plain(rec.get("kind")),
            "notes": "; ".join(_badge_text(b, rec) for b in rec.get("badges") or []),
            "state": "open" if rec.get("is_open") else "closed",
            "color": _plain(rec.get("color")),
            "mine": bool(rec.get("mine")),
            "changed": since is not None and _latest(rec) > since,
        }
        for c in COLUMNS:
            status = _plain(rec.get(f"{c}_status"))
            can_sign = not kiosk and may_sign(rec, c, user, permissions)
            waited = rec.get(f"{c}_waited_h")
            waited = None if waited is None or waited != waited else float(waited)
            row[c] = status if can_sign else None  # a click carries it as `expected`; None: no button
            row[f"{c}_status"] = status
            row[f"{c}_text"] = (
                SIGN_TEXT if can_sign else cell_text(status, _plain(rec.get(f"{c}_by")), rec.get(f"{c}_at"), zone)
            )
            row[f"{c}_can"] = can_sign
            row[f"{c}_waited"] = waited_text(waited)
            row[f"{c}_age"] = round(waited, 2) if (waited is not None and status == PENDING) else None
        approve = not kiosk and may_approve(rec, user, permissions)
        discard = not kiosk and may_discard(rec, user, permissions)
        row[APPROVE_COL] = rec.get("usint_status") if approve else None
        row[f"{APPROVE_COL}_text"] = ACTION_LABELS[APPROVE_COL] if approve else ""
        row[f"{APPROVE_COL}_can"] = approve
        row[DISCARD_COL] = rec.get("usint_status") if discard else None
        row[f"{DISCARD_COL}_text"] = ACTION_LABELS[DISCARD_COL] if discard else ""
        row[f"{DISCARD_COL}_can"] = discard
        rows.append(row)
    return rows


def _latest(rec: Mapping[str, Any]) -> float:
    stamps = [rec.get("submitted"), *(rec.get(f"{c}_at") for c in COLUMNS)]
    return max((pd.Timestamp(t).timestamp() for t in stamps if t is not None and not pd.isna(t)), default=0.0)


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
