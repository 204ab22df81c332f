"""Components of the history page (E9): plain rows in (strings already formatted), components out.

User text (comments, target names, requested values) is shown as text: never markdown or raw HTML.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from pages._ids import HistoryIds


def obsid_form(value: str | None = None) -> html.Div:
    """The obsid prompt (shown always; the page's own obsid pre-filled)."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(html.Label("Obsid", htmlFor=HistoryIds.INPUT, className="m-0")),
                    dbc.Input(
                        id=HistoryIds.INPUT,
                        type="text",
                        value=value or "",
                        placeholder="e.g. 12345",
                        debounce=False,
                        autocomplete="off",
                        style={"maxWidth": "12rem"},
                    ),
                    dbc.Button("Show history", id=HistoryIds.GO, color="primary"),
                ],
                className="w-auto",
            ),
            html.Div(id=HistoryIds.FEEDBACK, className="text-danger small mt-1"),
        ],
        className="mb-3 usint-history-form",
    )


def prompt() -> dbc.Alert:
    return dbc.Alert(
        "Enter an obsid to see every revision of it, its sign-offs and what changed.",
        color="info",
        className="usint-history-prompt",
    )


def no_revisions(obsid: int) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Span(f"Obsid {obsid} has no revisions in USINT. "),
            html.A("Open it in the editor", href=f"/ocatdatapage/{obsid}"),
            html.Span(" to request a change."),
        ],
        color="secondary",
        className="usint-history-empty",
    )


def header(obsid: int, targname: str | None, status: str | None, count: int, zone: str) -> html.Div:
    what = " · ".join(str(p) for p in (targname, status) if p)
    return html.Div(
        [
            html.H3(
                [f"Obsid {obsid}", html.Small(f"  {what}", className="text-muted") if what else None],
                id=HistoryIds.HEADING,
                className="h4 mb-1",
            ),
            html.P(f"{count} revision(s). Times are shown in {zone}.", className="text-muted small mb-2"),
            html.Div(
                [
                    dbc.Button(
                        "Open in the editor",
                        href=f"/ocatdatapage/{obsid}",
                        size="sm",
                        color="primary",
                        outline=True,
                        className="me-2",
                    ),
                ],
                className="mb-2",
            ),
        ]
    )


def banner(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="warning", className="py-2 usint-ocat-down")


ROW_HEIGHT_PX, HEADER_PX, SHOWN_ROWS = 42, 48, 12
"""The grids have rows of one fixed height and show at most `SHOWN_ROWS` of them, scrolling the rest: ag-grid then
draws only the rows in view (an autoHeight grid drew and measured every row)."""
CHECK_LINK = "'[' + params.data.{f} + '](/chkupdata/' + params.data.{f} + ')'"
"""A markdown link to an obsid.rev's check page (the field holds an obsid.rev, never user text)."""
_LONG = {"function": "params.value && String(params.value).length > 30 ? params.value : null"}
STATE_CLASSES = {"applied": "usint-state-applied", "pending": "usint-state-pending"}
"""The merge's states as classes (colours in assets/merge.css, the check page's D18 colours)."""


def grid_height(count: int) -> str:
    """A grid's height: its rows (at most `SHOWN_ROWS`, at least one for the "no rows" line) under the header."""
    return f"{HEADER_PX + ROW_HEIGHT_PX * min(max(count, 1), SHOWN_ROWS) + 2}px"


def history_grid(
    grid_id: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]], empty: str, **extra: Any
) -> dag.AgGrid:
    """A read-only ag-grid of the history page (plain text cells, long ones with a tooltip)."""
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=columns,
        getRowId="params.data.id",
        defaultColDef={
            "sortable": False,
            "resizable": True,
            "suppressMovable": True,
            "minWidth": 80,
            "flex": 1,
            "tooltipValueGetter": _LONG,
        },
        dashGridOptions={
            "rowHeight": ROW_HEIGHT_PX,
            "headerHeight": HEADER_PX,
            "rowBuffer": 4,
            "suppressCellFocus": True,
            "animateRows": False,
            "enableCellTextSelection": True,
            "tooltipShowDelay": 300,
            "localeText": {"noRowsToShow": empty},
        },
        className="ag-theme-alpine usint-history-grid",
        style={"width": "100%", "height": grid_height(len(rows))},
        **extra,
    )


def current_grid(rows: list[dict[str, Any]]) -> dag.AgGrid | html.P:
    """Every parameter some revision requested (`callbacks._grids_history.current_rows`): the latest request, its
    revision (a link to its check page), the Ocat value now and the merge state. A grid, not a table of Dash
    components: an obsid with 50 requested parameters made ~350 components, ~0.5 s for the browser to render."""
    if not rows:
        return html.P("No parameter was ever requested.", className="text-muted small")
    columns = [
        {"field": "parameter", "headerName": "Parameter", "minWidth": 160, "flex": 2},
        {"field": "requested", "headerName": "Latest requested", "flex": 2},
        {
            "field": "revision",
            "headerName": "In revision",
            "cellRenderer": "markdown",
            "minWidth": 110,
            "valueGetter": {"function": f"params.data.revision ? {CHECK_LINK.format(f='revision')} : ''"},
        },
        {"field": "current", "headerName": "Ocat now", "flex": 2},
        {
            "field": "state_text",
            "headerName": "State",
            "minWidth": 150,
            "cellClassRules": {c: f"params.data.state === '{s}'" for s, c in STATE_CLASSES.items()},
        },
    ]
    return history_grid(HistoryIds.CURRENT_GRID, columns, rows, "No parameter was ever requested.")


__all__ = [
    "CHECK_LINK",
    "STATE_CLASSES",
    "banner",
    "current_grid",
    "grid_height",
    "header",
    "history_grid",
    "no_revisions",
    "obsid_form",
    "prompt",
]
