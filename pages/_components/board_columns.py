"""Column definitions of the status board grid (dash-ag-grid), shared by the page and its callbacks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from data.board.rows import COLUMN_LABELS, COLUMNS
from data.settings import DEFAULT_PERMISSIONS
from data.users import signers

APPROVE_COL = "approve"
DISCARD_COL = "discard"
ACTION_COLUMNS = (*COLUMNS, APPROVE_COL, DISCARD_COL)
ACTION_LABELS = {APPROVE_COL: "Signoff & Approve", DISCARD_COL: "Discard"}
ACTION_TEXT = {APPROVE_COL: "Approve", DISCARD_COL: "Discard"}
SIGN_TEXT = "Sign"

KIOSK_LABELS = {"general": "General", "acis": "ACIS", "acis_si": "ACIS SI", "hrc_si": "HRC SI", "usint": "Verify"}

WIDTHS = {
    "obsidrev": 150,
    "seq": 66,
    "target": 125,
    "pi": 85,
    "submitter": 62,
    "submitted": 118,
    "kind": 52,
    "state": 56,
    APPROVE_COL: 84,
    DISCARD_COL: 78,
    "notes": 170,
    **dict.fromkeys(COLUMNS, 112),
}
"""Starting widths of the board's columns (not the wall's), about 1600 px in all: fitting the grid to its width
scales them (down to 80 %), so at 1600 px every column, Discard included, is on screen and the long texts wrap."""
NARROW = ("seq", "submitter", "kind", "state")
CLAMPED = ("target", "pi", "notes")
"""Columns of free text: on the board (fixed two-line rows, pages/board.py) a longer text ends in "…"."""
"""Columns too narrow for a filter box and its button: their filter is the box alone (typed text is contained)."""
KIOSK_WIDTHS = {
    "obsidrev": 150,
    "target": 210,
    "submitter": 90,
    "submitted": 140,
    "notes": 290,
    **dict.fromkeys(COLUMNS, 130),
}
"""The wall's starting widths (scaled to the screen): room for the notes and targets, little for who and when."""

AGE_WARN_H = 24.0
"""A Pending column older than this is amber on the board (and the wall display)."""
AGE_ALERT_H = 72.0
"""... and red beyond this."""


def _sign_col(c: str, kiosk: bool, permissions: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    text = f"(params.data.{c}_text || '')"
    waited = f"params.data.{c}_waited"
    # A Sign button or a Pending cell shows how long it has waited; a signed cell keeps its wait for the tooltip.
    open_ = f"(params.data.{c} != null || {text} == 'Pending')"
    # No break inside "57.0 d", nor before the dot: a narrow cell wraps as "Pending ·" / "57.0 d".
    shown = f"{text} + ({open_} && {waited} ? '\\u00a0· ' + {waited}.replace(' ', '\\u00a0') : '')"
    if kiosk:  # across a room: a Pending cell (coloured) says how long, a signed one who, Not Required a dash
        shown = f"params.data.{c}_age != null ? {waited} : {text} == 'Not Required' ? '–' : {text}.split(' ')[0]"
    who = signers(c, permissions)
    # Pending with no button for this reader: say who signs it (the reason there is no button), and how long.
    # The cell's full text (a narrow column cuts it), who signs when Pending has no button here, and the wait.
    no_button = f"(params.data.{c} == null && {text} == 'Pending')"
    tip = (
        f"({no_button} ? 'Pending: {who} sign this column' : {text}) + ({waited} ? ', waited ' + {waited} : '') || null"
    )
    col: dict[str, Any] = {
        "field": c,
        "colId": c,
        "headerName": KIOSK_LABELS[c] if kiosk else COLUMN_LABELS[c],
        "headerTooltip": f"{COLUMN_LABELS[c]}: signed by {signers(c, permissions)}",
        "valueFormatter": {"function": shown},
        "filterValueGetter": {"function": text},
        "tooltipValueGetter": {"function": tip},
        "minWidth": 110 if kiosk else 100,
        "cellClassRules": {
            "board-sign": f"params.data.{c} != null",
            "board-pending": f"params.data.{c}_text == 'Pending'",
            "board-age-warn": f"params.data.{c}_age != null && params.data.{c}_age >= {AGE_WARN_H}"
            f" && params.data.{c}_age < {AGE_ALERT_H}",
            "board-age-alert": f"params.data.{c}_age != null && params.data.{c}_age >= {AGE_ALERT_H}",
        },
    }
    return col


def _obsidrev_cell(kiosk: bool) -> str:
    """Markdown of the OBSID.rev cell: the check page link, and (not on the wall display) the obsid's history."""
    check = "'[' + params.data.id + '](/chkupdata/' + params.data.id + ')'"
    if kiosk:
        return check
    return check + " + ' · [history](/history/' + params.data.id.split('.')[0] + ')'"


def column_defs(
    *, kiosk: bool = False, permissions: Mapping[str, Sequence[str]] = DEFAULT_PERMISSIONS
) -> list[dict[str, Any]]:
    """The board's columns. Kiosk: no action columns, fewer columns, large type (CSS). A sign-off column's
    header tooltip names who may sign it (from `permissions`)."""
    cols: list[dict[str, Any]] = [
        {
            "colId": "obsidrev",
            "headerName": "OBSID.rev",
            "valueGetter": {"function": _obsidrev_cell(kiosk)},
            "cellRenderer": "markdown",
            "filterValueGetter": {"function": "params.data.id"},
            "tooltipValueGetter": {"function": "params.data.id"},
            "comparator": {"function": "(a, b) => (a < b ? -1 : a > b ? 1 : 0)"},
            "cellStyle": {"function": "params.data.color ? {'backgroundColor': params.data.color} : null"},
            "pinned": "left",
            "minWidth": 120 if kiosk else 150,
        },
        # A text filter: ag-grid's number filter input (type=number, autocomplete=off) fails axe's autocomplete check.
        {"field": "seq", "headerName": "Seq", "minWidth": 70, "tooltipField": "seq", "filter": "agTextColumnFilter"},
        {"field": "target", "headerName": "Target", "minWidth": 110, "tooltipField": "target"},
        {"field": "pi", "headerName": "PI", "minWidth": 75, "tooltipField": "pi"},
        {
            "field": "submitter",
            "headerName": "By",
            "headerTooltip": "Submitter",
            "minWidth": 60,
            "tooltipField": "submitter",
        },
        {
            "field": "submitted",
            "headerName": "Submitted",
            "minWidth": 115,
            "tooltipField": "submitted",
            "comparator": {"function": "(a, b, na, nb) => (na.data.ts || 0) - (nb.data.ts || 0)"},
        },
        {"field": "kind", "headerName": "Kind", "minWidth": 55},
        {"field": "state", "headerName": "State", "minWidth": 60},
    ]
    cols += [_sign_col(c, kiosk, permissions) for c in COLUMNS]
    if not kiosk:
        for c in (APPROVE_COL, DISCARD_COL):
            cols.append(
                {
                    "field": c,
                    "colId": c,
                    "headerName": ACTION_LABELS[c],
                    "valueFormatter": {"function": f"params.value != null ? '{ACTION_TEXT[c]}' : ''"},
                    "filter": False,
                    "sortable": False,
                    "headerTooltip": ACTION_LABELS[c],
                    "minWidth": 110 if c == APPROVE_COL else 85,
                    "cellClassRules": {"board-sign": f"params.data.{c} != null"},
                }
            )
    cols.append({"field": "notes", "headerName": "Notes", "minWidth": 130, "tooltipField": "notes"})
    if not kiosk:
        for col in cols:
            width = WIDTHS[col.get("colId") or col["field"]]
            col.update(width=width, minWidth=round(width * 0.8))
            if col.get("field") in NARROW:
                col.update(suppressFloatingFilterButton=True, suppressHeaderFilterButton=True)
            if col.get("field") in CLAMPED:  # two lines, then "…"; the tooltip has the whole text
                col["cellClass"] = "board-clamp"
    if kiosk:
        keep = {"obsidrev", "target", "submitter", "submitted", *COLUMNS, "notes"}
        cols = [c for c in cols if (c.get("colId") or c.get("field")) in keep]
        for col in cols:
            col["width"] = KIOSK_WIDTHS[col.get("colId") or col["field"]]
            if col.get("field") == "submitted":  # the date is enough on the wall
                col["valueFormatter"] = {"function": "(params.value || '').slice(0, 5)"}
                col["minWidth"] = 95
            if col.get("field") in ("target", "notes"):  # the long texts wrap, their rows grow
                col.update(flex=2, wrapText=True, autoHeight=True)
    return cols
