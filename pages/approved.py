"""Approved for flight (`/approved`): every approved obsid, when and by whom, searchable, as CSV.

An obsid is approved when its newest asis/remove revision is an asis (other-pages §1.2); the approving revision
gives the time and the user. The layout arrives filled: while Dash Pages serves it to a browser,
`callbacks.approved.approved_rows` reads the rows, so the page is usable after that one round trip; the page
module itself reads no database (E6). `?q=` opens the page with the search filled.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks._first_view import first_view as read_first
from callbacks.approved import approved_rows, summary_text
from pages._components.cards import page_header
from pages._components.reference_links import configured
from pages._ids import ApprovedIds

dash.register_page(__name__, path="/approved", title="Approved for Flight · USINT", name="Approved for Flight")


def _link(text: str, href: str) -> str:
    """A markdown link cell (dash-ag-grid's markdown renderer) from two JS expressions."""
    return f"'[' + {text} + '](' + {href} + ')'"


COLUMN_DEFS: list[dict[str, Any]] = [
    {
        "colId": "obsid",
        "headerName": "ObsID",
        "valueGetter": {"function": _link("params.data.obsid", "'/ocatdatapage/' + params.data.obsid")},
        "cellRenderer": "markdown",
        "getQuickFilterText": {"function": "String(params.data.obsid)"},
        "filterValueGetter": {"function": "params.data.obsid"},
        "comparator": {"function": "(a, b, nodeA, nodeB) => nodeA.data.obsid - nodeB.data.obsid"},
        "minWidth": 95,
    },
    {
        "colId": "obsidrev",
        "headerName": "Approved as",
        "headerTooltip": "The asis revision that approved it (opens the check page)",
        "valueGetter": {"function": _link("params.data.obsidrev", "'/chkupdata/' + params.data.obsidrev")},
        "cellRenderer": "markdown",
        "getQuickFilterText": {"function": "params.data.obsidrev"},
        "filterValueGetter": {"function": "params.data.obsidrev"},
        "minWidth": 120,
    },
    {"field": "approved", "headerName": "Approved at", "sort": "desc", "minWidth": 140},
    {"field": "by", "headerName": "Approved by", "minWidth": 150},
    {"field": "target", "headerName": "Target", "tooltipField": "target", "minWidth": 160},
    {"field": "pi", "headerName": "PI", "minWidth": 100},
    {"field": "seq", "headerName": "Seq", "minWidth": 90},
]


def approved_grid(rows: list[dict[str, Any]], search: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=ApprovedIds.GRID,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        getRowId="params.data.obsid",
        defaultColDef={"sortable": True, "resizable": True, "filter": True},
        dashGridOptions={
            "animateRows": False,
            "suppressCellFocus": True,
            "tooltipShowDelay": 300,
            "quickFilterText": search,
            "localeText": {
                "noRowsToShow": "No observation is approved for flight.",
                "noMatchingRows": "No approved observation matches the search.",
            },
        },
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine approved-grid",
        style={"height": "70vh", "width": "100%"},
    )


def controls(search: str) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dbc.InputGroup(
                    [
                        dbc.InputGroupText(html.Label("Search", htmlFor=ApprovedIds.SEARCH, className="m-0")),
                        dbc.Input(
                            id=ApprovedIds.SEARCH,
                            type="search",
                            debounce=300,
                            value=search,
                            placeholder="obsid, target, PI, who, date…",
                        ),
                    ],
                    size="sm",
                ),
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Button("Download CSV", id=ApprovedIds.CSV, color="secondary", outline=True, size="sm"),
                    dcc.Download(id=ApprovedIds.DOWNLOAD),
                ],
                md="auto",
            ),
        ],
        className="g-2 align-items-center mb-2",
    )


def first_view() -> tuple[list[dict[str, Any]], str]:
    """(rowData, notice): read while a browser opens the page, else empty."""
    return read_first(approved_rows, ([], ""))


def layout(q: str | None = None, **_query: str) -> html.Div:
    """The approvals, filled; `q` fills the search (a deep link to a filtered list)."""
    search = (q or "").strip()[:200]
    zone = configured("timezone", "America/New_York")
    rows, notice = first_view()
    return html.Div(
        [
            page_header(
                "Approved for Flight",
                "Observations whose newest approval decision is an approval as is: when, by whom, and the "
                "revision that approved it. An “ObsID no longer ready to go” submission takes an obsid off "
                "this list; approving it again puts it back.",
            ),
            controls(search),
            html.Div(
                [
                    html.Span(summary_text(len(rows), zone), id=ApprovedIds.SUMMARY, className="me-3"),
                    html.Span(notice, id=ApprovedIds.NOTICE, className="text-warning-emphasis", role="status"),
                ],
                className="small mb-2",
            ),
            approved_grid(rows, search),
        ]
    )
