"""Pure shaping for the status board (E12): `BoardData` -> ag-grid rows, and the texts around the grid.

No Dash and no database here: tests call these with a `BoardData` and plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from data.board.rows import BADGE_LABELS, COLUMN_LABELS, COLUMNS, EDIT_COLUMNS, FIELD_INDEX, BoardData, BoardRecord
from data.clock import local_text, zone_of
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED
from data.parameters.catalogue import SIGNOFF_LABELS
from data.users import can, signers
from pages._components.board_columns import ACTION_COLUMNS, APPROVE_COL, DISCARD_COL, SIGN_TEXT


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


def cell_text(status: str, by: Any, at: Any, local: Callable[[Any], str]) -> str:
    """What a sign-off cell says when it has no button: `jdoe 11/26/26 13:05`, `Not Required`, `NA`, `Pending`.
    `local` formats the epoch seconds `at` in the display zone."""
    if status == SIGNED:
        return f"{by or '?'} {local(at)}".strip()
    if status == DISCARD:
        return "NA"
    if status == NOT_REQUIRED:
        return "Not Required"
    return status or ""


_HHMM = [f"{m // 60:02}:{m % 60:02}" for m in range(1440)]


class _LocalTimes:
    """Epoch seconds -> `mm/dd/yy HH:MM` in one zone. Per UTC day the zone's offset is looked up at both ends;
    on a day without an offset change (all but two a year) that offset serves every time of the day."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.offsets: dict[int, int | None] = {}
        self.days: dict[int, str] = {}

    def _offset(self, t: int) -> int:
        utc_day = t // 86400
        offset = self.offsets.get(utc_day, -1)
        if offset == -1:
            first = datetime.fromtimestamp(utc_day * 86400, UTC).astimezone(self.zone).utcoffset()
            last = datetime.fromtimestamp(utc_day * 86400 + 86399, UTC).astimezone(self.zone).utcoffset()
            offset = self.offsets[utc_day] = int(first.total_seconds()) if first == last else None
        if offset is None:  # the offset changes this day: ask the zone for this very time
            return int(datetime.fromtimestamp(t, UTC).astimezone(self.zone).utcoffset().total_seconds())
        return offset

    def __call__(self, t: float | None) -> str:
        if t is None or t != t:
            return ""
        t = int(t)
        day, second = divmod(t + self._offset(t), 86400)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%m/%d/%y")
        return f"{text} {_HHMM[second // 60]}"


def _base_row(rec: tuple[Any, ...], local: _LocalTimes, badge_text: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """The grid row of one board record as anyone without a button sees it (kiosk, read-only users)."""
    at = FIELD_INDEX
    submitted = rec[at["submitted"]]
    badges = rec[at["badges"]]
    notes = badge_text.get(badges)
    if notes is None:
        notes = badge_text[badges] = "; ".join(BADGE_LABELS.get(b, b) for b in badges)
    seq = rec[at["sequence_number"]]
    row: dict[str, Any] = {
        "id": rec[at["obsidrev"]],
        "seq": None if seq is None else int(seq),
        "target": rec[at["target"]] or "",
        "pi": rec[at["pi"]] or "",
        "submitter": rec[at["submitter"]] or "",
        "submitted": local(submitted),
        "ts": None if submitted is None else int(submitted),
        "kind": rec[at["kind"]],
        "notes": notes,
        "state": "open" if rec[at["is_open"]] else "closed",
    }
    for c in COLUMNS:
        st, by, when, waited = rec[at[f"{c}_status"] : at[f"{c}_status"] + 4]
        row[f"{c}_text"] = cell_text(st, by, when, local)
        if waited is not None:
            row[f"{c}_waited"] = waited_text(waited)
            if st == PENDING:
                row[f"{c}_age"] = waited
    color = rec[at["color"]]
    if color:
        row["color"] = color
    return row


@dataclass
class GridRowCache:
    """Grid rows kept from one refresh to the next, so a refresh after one sign-off formats one row. The app owns
    one (kept with its live boards, `callbacks.board`); rows are shared between readers and never changed once made.

    `base`: (zone, revision id) -> (record, its base row, its latest time, edits pending), kept while the board's
    record for that revision is the same object (`data.board.rows.shape` keeps unchanged records). `per_rights`:
    (zone, what the reader may do, revision id) -> (record, the row with that reader's buttons, latest time), the
    same rule one level up, so readers with the same rights share rows too."""

    base: dict[tuple[str, int], tuple[BoardRecord, dict[str, Any], float, bool]] = field(default_factory=dict)
    per_rights: dict[tuple[Any, ...], tuple[BoardRecord, dict[str, Any], float]] = field(default_factory=dict)

    def bounded(self) -> GridRowCache:
        """Itself, emptied first once either part holds more than `_ROWS_MAX` rows."""
        if len(self.base) > _ROWS_MAX or len(self.per_rights) > _ROWS_MAX:
            self.base.clear()
            self.per_rights.clear()
        return self


_ROWS_MAX = 50_000


def grid_rows(
    board: BoardData,
    *,
    user: Any,
    permissions: Mapping[str, Sequence[str]],
    tz: str | ZoneInfo,
    mine_first: bool = False,
    kiosk: bool = False,
    since: float | None = None,
    cache: GridRowCache | None = None,
) -> list[dict[str, Any]]:
    """One ag-grid row per board row.

    `id` is the obsidrev (getRowId; the OBSID.rev column builds its link from it). Each sign-off column `c`
    holds its status (what a click carries as `expected`) only where this user gets a Sign button, else it is
    left out; `c_text` is what the cell shows (`Sign` on a button), `c_waited` how long it has waited (left
    out when nothing to show) and `c_age` the hours of a Pending column (left out otherwise). `approve` and
    `discard` hold the verify status only where this user gets that button. `color` and `changed` (rows
    submitted or signed after `since`, epoch seconds of the previous refresh, which the grid highlights
    briefly) appear only when set. `ts` is the submission in epoch seconds (the Submitted column sorts by it).
    Kiosk rows never offer buttons. Rows are shared between readers with the same rights: do not change them.
    `cache` keeps rows for the next call (without one nothing is kept)."""
    if not len(board):
        return []
    zone = zone_of(tz)
    local = _LocalTimes(zone)
    allowed = {k: (not kiosk) and can(user, k, permissions) for k in (*COLUMNS, "approve", "discard")}
    at = FIELD_INDEX
    i_rid, i_open, i_approved = at["revision_id"], at["is_open"], at["approved"]
    first = at[f"{COLUMNS[0]}_status"]
    signable = [(c, first + 4 * i) for i, c in enumerate(COLUMNS) if allowed[c] and c != "usint"]
    i_usint = at["usint_status"]
    sign_usint, may_approve, may_discard = allowed["usint"], allowed["approve"], allowed["discard"]
    any_button = bool(signable) or sign_usint or may_discard
    badge_text: dict[tuple[str, ...], str] = {}
    kept = (cache or GridRowCache()).bounded()
    base_rows, user_rows = kept.base, kept.per_rights
    rights = (zone.key, tuple(k for k, v in allowed.items() if v))
    rows: list[dict[str, Any]] = []
    for rec in board.records:
        mine = user_rows.get((*rights, rec[i_rid]))
        if mine is None or mine[0] is not rec:
            key = (zone.key, rec[i_rid])
            hit = base_rows.get(key)
            if hit is None or hit[0] is not rec:
                times = [rec[first + 4 * i + 2] for i in range(len(COLUMNS))]
                latest = max([rec[at["submitted"]] or 0, *(t for t in times if t is not None)])
                edits_pending = any(rec[at[f"{c}_status"]] == PENDING for c in EDIT_COLUMNS)
                hit = base_rows[key] = (rec, _base_row(rec, local, badge_text), latest, edits_pending)
            _rec, row, latest, edits_pending = hit
            extra: dict[str, Any] = {}
            if any_button and rec[i_open]:
                for c, i in signable:
                    if rec[i] == PENDING:
                        extra[c] = PENDING
                        extra[f"{c}_text"] = SIGN_TEXT
                if sign_usint and rec[i_usint] == PENDING and not edits_pending:
                    extra["usint"] = PENDING
                    extra["usint_text"] = SIGN_TEXT
                    if may_approve and not rec[i_approved]:
                        extra[APPROVE_COL] = PENDING
                if may_discard:
                    extra[DISCARD_COL] = rec[i_usint]
            mine = user_rows[(*rights, rec[i_rid])] = (rec, {**row, **extra} if extra else row, latest)
        _rec, row, latest = mine
        rows.append({**row, "changed": True} if since is not None and latest > since else row)
    if mine_first:
        mine = board.mine(user)
        order = sorted(range(len(rows)), key=lambda i: not mine[i])  # stable: board order within each part
        rows = [rows[i] for i in order]
    return rows


WALL_TEAMS = {"general": "General", "acis": "ACIS", "acis_si": "ACIS SI", "hrc_si": "HRC SI", "usint": "Verify"}


def wall_tiles(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The wall display's summary: per sign-off column, how many are Pending and the oldest wait; then the
    oldest wait of all. Each tile is {label, count, oldest} (texts)."""
    tiles: list[dict[str, Any]] = []
    oldest_all: float | None = None
    for col, label in WALL_TEAMS.items():
        ages = [r[f"{col}_age"] for r in rows if r.get(f"{col}_age") is not None]
        oldest = max(ages) if ages else None
        if oldest is not None and (oldest_all is None or oldest > oldest_all):
            oldest_all = oldest
        tiles.append({"label": label, "count": str(len(ages)), "oldest": waited_text(oldest) or "–"})
    tiles.append({"label": "Oldest wait", "count": waited_text(oldest_all) or "–", "oldest": ""})
    return tiles


def describe(board: BoardData, closed_window_h: float) -> str:
    """The sentence above the grid saying exactly what is listed."""
    n_open = sum(board.column("is_open"))
    n_closed = len(board) - n_open
    hours = f"{closed_window_h:g}"
    return (
        f"Listed: every open revision ({n_open}: at least one sign-off still Pending) and every revision closed "
        f"in the last {hours} hours by its last sign-off ({n_closed})."
    )


def updated_text(moment: datetime, tz: str | ZoneInfo) -> str:
    """`Last updated 13:05 EST (America/New_York)`."""
    zone = zone_of(tz)
    return f"Last updated {local_text(moment, zone, '%H:%M')} ({zone.key})"


ACTION_WORDS = {"approve": "Signoff & Approve", "discard": "Discard"}


def rights_text(user: Any, permissions: Mapping[str, Sequence[str]]) -> str:
    """What this reader may press on the board and, for what they may not, who may: the reason a column shows
    no button for them (`Pending` instead of `Sign`)."""
    names = {**{c: SIGNOFF_LABELS.get(c, c) for c in COLUMNS}, **ACTION_WORDS}
    mine = [names[k] for k in names if can(user, k, permissions)]
    others = [f"{names[k]} ({signers(k, permissions)} only)" for k in names if not can(user, k, permissions)]
    if not others:
        return "You may sign every column, approve and discard."
    head = f"You may sign: {', '.join(mine)}. " if mine else "You may only read this board. "
    return head + "No button for you in: " + "; ".join(others) + "."


def checked_text(moment: datetime, tz: str | ZoneInfo) -> str:
    """`checked 13:05:09 EST`: the same zone, labelled, as `updated_text` (and the browser's CHECKED_JS)."""
    return f"checked {local_text(moment, tz, '%H:%M:%S')}"


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
