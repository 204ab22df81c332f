"""The Parameter Check Page's parameter grid (dash-ag-grid): rows come from `callbacks/_check_rows.py` as plain
strings, so the page sends data, not a table of components.

A title row (`section_row`) spans the grid, as the titled tables of v2.1 did; the Current cell's class follows the
merge's `state` (colours in assets/merge.css, the legend uses the same classes). Cells are text, never markup; a
long value shows whole in its tooltip. Only the rows in view (and 5 either side) are drawn: a fixed-height grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dash_ag_grid as dag
from dash import html

from pages._ids import CheckIds

STATE_RULES = {f"usint-state-{s}": f"params.data.state == '{s}'" for s in ("applied", "pending", "drifted")}
_LONG = {"function": "params.value && params.value.length > 36 ? params.value : null"}
_VALUE = {"tooltipValueGetter": _LONG}


def values_grid(rows: Sequence[dict[str, Any]]) -> dag.AgGrid:
    """Parameter | Original Value | Requested Value | Current DB Value, the current cell coloured (other-pages
    §4.3). The Parameter column has a filter box to find a parameter."""
    columns = [
        {
            "field": "parameter",
            "headerName": "Parameter",
            "tooltipField": "name",
            "colSpan": {"function": "params.data.section_row ? 4 : 1"},
            "filter": "agTextColumnFilter",
            "floatingFilter": True,
            "suppressHeaderMenuButton": True,
            "filterParams": {"filterOptions": ["contains"], "maxNumConditions": 1},
        },
        {"field": "original", "headerName": "Original Value", **_VALUE},
        {
            "field": "requested",
            "headerName": "Requested Value",
            **_VALUE,
            "cellClassRules": {"usint-check-asked": "params.data.asked"},
        },
        {"field": "current", "headerName": "Current DB Value", **_VALUE, "cellClassRules": STATE_RULES},
    ]
    return dag.AgGrid(
        id=CheckIds.VALUES,
        rowData=list(rows),
        columnDefs=columns,
        getRowId="params.data.id",
        defaultColDef={"sortable": False, "resizable": True, "suppressMovable": True, "flex": 1, "minWidth": 140},
        rowClassRules={"usint-check-section": "params.data.section_row"},
        dashGridOptions={
            "suppressCellFocus": True,
            "animateRows": False,
            "enableCellTextSelection": True,
            "tooltipShowDelay": 300,
            "rowBuffer": 5,
            "suppressRowHoverHighlight": True,
        },
        className="ag-theme-alpine usint-check-grid mb-3",
        style={"width": "100%", "height": "75vh"},
    )


def legend(items: Iterable[tuple[str, str]]) -> html.Div:
    """The colour legend: each state's words on its own cell colour."""
    return html.Div(
        [html.Span(text, className=f"usint-state-{state}") for state, text in items],
        className="usint-legend small mb-2",
    )
