"""Observation History: every revision of one observation over time (`/history/<obsid>`).

The page arrives filled: while Dash Pages serves the layout to a browser, `callbacks.history.load_history` reads the
history and gives the revisions grid its rows, the timeline its figure (data, not component trees) and the small
table of current values its rows, so the page is usable after that one round trip; the page module itself reads no
database (E6). "Re-read" sends the same again.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks._first_view import first_view as read_first
from callbacks.history import load_history
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from pages._components.cards import page_header
from pages._components.history_parts import CHECK_LINK, history_grid, obsid_form, prompt
from pages._ids import HistoryIds

SHORT_LABELS = {"general": "General", "acis": "ACIS", "acis_si": "ACIS SI", "hrc_si": "HRC SI", "usint": "Verify"}
"""Sign-off column headers short enough for the grid (the full label is the header's tooltip)."""


def title(obsid: str | None = None, **_query: str) -> str:
    return f"{obsid} · Observation History · USINT" if obsid else "Observation History · USINT"


dash.register_page(
    __name__,
    path="/history",
    path_template="/history/<obsid>",
    title=title,
    name="Observation History",
)


def revisions_grid(rows: list[dict[str, Any]]) -> dag.AgGrid:
    """One row per revision, newest first (and revisions removed by their submitter)."""
    signoffs = [
        {"field": c, "headerName": SHORT_LABELS[c], "headerTooltip": SIGNOFF_LABELS[c], "tooltipField": f"{c}_tip"}
        for c in SIGNOFF_COLUMNS
    ]
    return history_grid(
        HistoryIds.REVISIONS,
        [
            {
                "field": "obsidrev",
                "headerName": "Obsid.rev",
                "cellRenderer": "markdown",
                "minWidth": 110,
                "valueGetter": {
                    "function": f"params.data.link ? {CHECK_LINK.format(f='obsidrev')} : params.data.obsidrev"
                },
            },
            {"field": "kind", "headerName": "Kind", "minWidth": 70, "maxWidth": 90},
            {"field": "submitted", "headerName": "Submitted", "minWidth": 200, "flex": 2, "tooltipField": "submitted"},
            {"field": "state", "headerName": "State", "minWidth": 90},
            *signoffs,
            {
                "field": "requested",
                "headerName": "Requested (original → requested)",
                "minWidth": 200,
                "flex": 3,
                "tooltipField": "requested",
            },
            {"field": "events", "headerName": "Events", "minWidth": 120, "flex": 2, "tooltipField": "events"},
        ],
        rows,
        "No revisions.",
        rowClassRules={"usint-history-removed": "params.data.removed"},
    )


def first_view(obsid: str | None) -> tuple[Any, ...]:
    """The page's data for the URL's obsid (`callbacks.history.OUTPUTS` order), read while a browser opens it."""
    empty = (prompt(), True, [], {}, [], "")
    return read_first(lambda: load_history(obsid), empty) if obsid else empty


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    content, hidden, current, figure, revisions, feedback = first_view(obsid)
    return html.Div(
        [
            dcc.Store(id=HistoryIds.OBSID, data=obsid),
            dcc.Location(id=HistoryIds.REDIRECT, refresh="callback-nav"),
            page_header("Observation History", "Every revision of an observation, its sign-offs and what changed."),
            obsid_form(obsid),
            dbc.Button(
                "Re-read",
                id=HistoryIds.REFRESH,
                size="sm",
                color="secondary",
                outline=True,
                n_clicks=0,
                className="float-end ms-2",
                style=None if obsid else {"display": "none"},
                title="Read the history and the current Ocat values again",
            ),
            html.P(feedback, className="text-danger small") if feedback else None,
            dcc.Loading(html.Div(content, id=HistoryIds.CONTENT), type="default", delay_show=150),
            html.Div(
                [
                    html.H4("Current Ocat value and latest request", className="h5 mt-3"),
                    html.Div(current, id=HistoryIds.CURRENT),
                    dcc.Graph(
                        id=HistoryIds.TIMELINE,
                        figure=figure,
                        config={"displaylogo": False},
                        className="usint-history-timeline mt-3",
                    ),
                    html.H4("Revisions, newest first", className="h5 mt-3"),
                    revisions_grid(revisions),
                ],
                id=HistoryIds.BODY,
                hidden=hidden,
                className="usint-history",
            ),
        ]
    )
