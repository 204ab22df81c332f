"""Observation History: every revision of one observation over time (`/history/<obsid>`).

The layout holds the whole page with empty grids and figure (no database access, E6); one callback in
`callbacks/history.py` sends their data (grid rowData, the figure dict) and the small header, so the page is usable
after one round trip. The body is shown at once when the URL names an obsid.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
from dash import dcc, html

from pages._components.cards import page_header
from pages._components.history_parts import obsid_form
from pages._ids import HistoryIds

STATE_RULES = {
    "usint-state-applied": "params.data.state == 'applied'",
    "usint-state-pending": "params.data.state == 'pending'",
}
"""The merge's states as cell classes (colours in assets/merge.css, the check page's D18 colours)."""

_LINK = {"function": "params.value ? '[' + params.value + '](/chkupdata/' + params.value + ')' : ''"}
_WRAP = {"wrapText": True, "autoHeight": True, "cellClass": "usint-grid-text"}


def title(obsid: str | None = None, **_query: str) -> str:
    return f"{obsid} · Observation History · USINT" if obsid else "Observation History · USINT"


dash.register_page(
    __name__,
    path="/history",
    path_template="/history/<obsid>",
    title=title,
    name="Observation History",
)


def _grid(grid_id: str, columns: list[dict[str, Any]], empty: str, **extra: Any) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        getRowId="params.data.id",
        defaultColDef={"sortable": False, "resizable": True, "suppressMovable": True, "minWidth": 90},
        dashGridOptions={
            "domLayout": "autoHeight",
            "suppressCellFocus": True,
            "animateRows": False,
            "enableCellTextSelection": True,
            "localeText": {"noRowsToShow": empty},
        },  # fmt: skip
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine usint-history-grid",
        style={"width": "100%"},
        **extra,
    )


def current_grid() -> dag.AgGrid:
    """Every parameter some revision requested: the latest request beside the Ocat value now (the one merge)."""
    return _grid(
        HistoryIds.CURRENT,
        [
            {"field": "parameter", "headerName": "Parameter", "tooltipField": "name", "minWidth": 160, **_WRAP},
            {"field": "requested", "headerName": "Latest requested", "flex": 2, **_WRAP},
            {
                "field": "revision",
                "headerName": "In revision",
                "valueFormatter": None,
                "cellRenderer": "markdown",
                "valueGetter": {"function": _LINK["function"].replace("params.value", "params.data.revision")},
                "maxWidth": 140,
            },  # fmt: skip
            {"field": "current", "headerName": "Ocat now", "flex": 2, **_WRAP},
            {"field": "state_text", "headerName": "", "cellClassRules": STATE_RULES, "maxWidth": 170},
        ],
        "No parameter was ever requested.",
    )


def revisions_grid() -> dag.AgGrid:
    """One row per revision, newest first (and revisions removed by their submitter)."""
    return _grid(
        HistoryIds.REVISIONS,
        [
            {
                "field": "obsidrev",
                "headerName": "Obsid.rev",
                "cellRenderer": "markdown",
                "maxWidth": 120,
                "valueGetter": {
                    "function": "params.data.link ? "
                    + _LINK["function"].replace("params.value", "params.data.obsidrev")
                    + " : params.data.obsidrev"
                },
            },  # fmt: skip
            {"field": "kind", "headerName": "Kind", "maxWidth": 90},
            {"field": "submitted", "headerName": "Submitted", "minWidth": 150, **_WRAP},
            {"field": "state", "headerName": "State", "maxWidth": 190},
            {"field": "signoffs", "headerName": "Sign-offs", "flex": 3, **_WRAP},
            {"field": "changes", "headerName": "Requested", "maxWidth": 110},
            {"field": "events", "headerName": "Events", "flex": 3, **_WRAP},
        ],
        "No revisions.",
        rowClassRules={"usint-history-removed": "params.data.removed"},
    )


def changes_grid() -> dag.AgGrid:
    """What each revision requested: original and requested value per parameter (n/a without originals)."""
    return _grid(
        HistoryIds.CHANGES,
        [
            {"field": "obsidrev", "headerName": "Obsid.rev", "maxWidth": 120},
            {"field": "parameter", "headerName": "Parameter", "tooltipField": "name", "minWidth": 160, **_WRAP},
            {"field": "original", "headerName": "Original", "flex": 2, **_WRAP},
            {"field": "requested", "headerName": "Requested", "flex": 2, **_WRAP},
        ],
        "No parameter changes requested.",
    )


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=HistoryIds.OBSID, data=obsid),
            dcc.Location(id=HistoryIds.REDIRECT, refresh="callback-nav"),
            page_header("Observation History", "Every revision of an observation, its sign-offs and what changed."),
            obsid_form(obsid),
            dcc.Loading(html.Div(id=HistoryIds.CONTENT), type="default", delay_show=150),
            html.Div(
                [
                    html.H4("Current Ocat value and latest request", className="h5 mt-3"),
                    current_grid(),
                    dcc.Graph(
                        id=HistoryIds.TIMELINE, config={"displaylogo": False}, className="usint-history-timeline mt-3"
                    ),  # fmt: skip
                    html.H4("Revisions, newest first", className="h5 mt-3"),
                    revisions_grid(),
                    html.H4("What each revision requested", className="h5 mt-3"),
                    changes_grid(),
                ],
                id=HistoryIds.BODY,
                hidden=not obsid,
                className="usint-history",
            ),
        ]
    )
