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


def filters(today: date, instruments: tuple[str, ...]) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Submitted between", html_for=AnalyticsIds.DATES, className="small mb-1 d-block"),
                    dcc.DatePickerRange(
                        id=AnalyticsIds.DATES,
                        start_date=(today - timedelta(days=365)).isoformat(),
                        end_date=today.isoformat(),
                        display_format="YYYY-MM-DD",
                        first_day_of_week=1,
                        minimum_nights=0,
                        clearable=False,
                    ),
                ],
                width="auto",
            ),
            dbc.Col(
                [
                    dbc.Label("Instruments", html_for=AnalyticsIds.INSTRUMENTS, className="small mb-1"),
                    dcc.Dropdown(
                        id=AnalyticsIds.INSTRUMENTS,
                        options=[{"label": i, "value": i} for i in instruments],
                        value=[],
                        multi=True,
                        placeholder="All instruments",
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Button(
                        "Download table (CSV)", id=AnalyticsIds.CSV, color="secondary", outline=True, size="sm"
                    ),  # fmt: skip
                    dcc.Download(id=AnalyticsIds.DOWNLOAD),
                ],
                width="auto",
                className="align-self-end",
            ),
        ],
        className="g-3 mb-3 align-items-end usint-analytics-filters",
    )


FIGURE_IDS = (AnalyticsIds.WEEKLY, AnalyticsIds.TURNAROUND, AnalyticsIds.BACKLOG, AnalyticsIds.AGES,
              AnalyticsIds.BY_INSTRUMENT, AnalyticsIds.BY_SUBMITTER, AnalyticsIds.SKY)  # fmt: skip
"""The graphs in the order `callbacks.analytics.build_figures` returns their figures."""


def graph(graph_id: str, height: int = 360, figure: dict[str, Any] | None = None) -> dcc.Graph:
    extra = {} if figure is None else {"figure": figure}
    return dcc.Graph(id=graph_id, config=GRAPH_CONFIG, style={"minHeight": f"{height}px"},
                     className="usint-analytics-graph", **extra)  # fmt: skip


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
