"""Components of the analytics page (E9): the filter bar and the figure grid."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._ids import AnalyticsIds

GRAPH_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
"""The toolbar's camera button downloads each figure as a PNG."""


def _date(input_id: str, label: str, value: str) -> html.Div:
    """A native date input with its label (keyboard and screen-reader friendly; the browser draws the picker)."""
    return html.Div(
        [
            dbc.Label(label, html_for=input_id, className="small mb-1 me-1"),
            dbc.Input(id=input_id, type="date", value=value, size="sm", debounce=1, required=True),
        ],
        className="me-2",
    )


def filters(today: date, instruments: tuple[str, ...]) -> dbc.Row:
    """Submitted between two days (native date inputs) and the instruments (checkboxes; none ticked = all)."""
    return dbc.Row(
        [
            dbc.Col(
                html.Fieldset(
                    [
                        html.Legend("Submitted between", className="small mb-1"),
                        html.Div(
                            [
                                _date(AnalyticsIds.START, "From", (today - timedelta(days=365)).isoformat()),
                                _date(AnalyticsIds.END, "to", today.isoformat()),
                            ],
                            className="d-flex align-items-end",
                        ),
                    ],
                    id=AnalyticsIds.DATES,
                ),
                width="auto",
            ),
            dbc.Col(
                html.Fieldset(
                    [
                        html.Legend("Instruments (none ticked: all)", className="small mb-1"),
                        dbc.Checklist(
                            id=AnalyticsIds.INSTRUMENTS,
                            options=[{"label": i, "value": i} for i in instruments],
                            value=[],
                            inline=True,
                        ),
                    ]
                ),
                width="auto",
            ),
            dbc.Col(
                [
                    dbc.Button("Download table (CSV)", id=AnalyticsIds.CSV, color="secondary", outline=True, size="sm"),
                    dcc.Download(id=AnalyticsIds.DOWNLOAD),
                ],
                width="auto",
                className="align-self-end",
            ),
        ],
        className="g-3 mb-3 align-items-end usint-analytics-filters",
    )


FIGURE_IDS = (
    AnalyticsIds.WEEKLY,
    AnalyticsIds.TURNAROUND,
    AnalyticsIds.BACKLOG,
    AnalyticsIds.AGES,
    AnalyticsIds.BY_INSTRUMENT,
    AnalyticsIds.BY_SUBMITTER,
    AnalyticsIds.SKY,
)
"""The graphs in the order `callbacks.analytics.build_figures` returns their figures."""


def graph(graph_id: str, height: int = 360, figure: dict[str, Any] | None = None) -> dcc.Graph:
    extra = {} if figure is None else {"figure": figure}
    return dcc.Graph(
        id=graph_id, config=GRAPH_CONFIG, style={"minHeight": f"{height}px"}, className="usint-analytics-graph", **extra
    )


def grid(figures: dict[str, dict[str, Any]] | None = None) -> html.Div:
    """The figure grid; `figures` (by graph id) arrive drawn with the page, else the graphs start empty."""
    ids = AnalyticsIds
    figs = figures or {}

    def cell(graph_id: str, height: int = 360, lg: int = 6) -> dbc.Col:
        return dbc.Col(graph(graph_id, height, figs.get(graph_id)), lg=lg)

    return html.Div(
        [
            dbc.Row([cell(ids.WEEKLY), cell(ids.TURNAROUND)], className="g-3"),
            dbc.Row([cell(ids.BACKLOG), cell(ids.AGES)], className="g-3"),
            dbc.Row([cell(ids.BY_INSTRUMENT), cell(ids.BY_SUBMITTER)], className="g-3"),
            dbc.Row([cell(ids.SKY, 460, 12)], className="g-3"),
        ]
    )


__all__ = ["FIGURE_IDS", "GRAPH_CONFIG", "filters", "graph", "grid"]
