"""Components of the analytics page (E9): the filter bar and the figure grid."""

from __future__ import annotations

from datetime import date, timedelta

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


def graph(graph_id: str, height: int = 360) -> dcc.Graph:
    return dcc.Graph(id=graph_id, config=GRAPH_CONFIG, style={"minHeight": f"{height}px"},
                     className="usint-analytics-graph")  # fmt: skip


def grid() -> html.Div:
    ids = AnalyticsIds
    return html.Div(
        [
            dbc.Row([dbc.Col(graph(ids.WEEKLY), lg=6), dbc.Col(graph(ids.TURNAROUND), lg=6)], className="g-3"),
            dbc.Row([dbc.Col(graph(ids.BACKLOG), lg=6), dbc.Col(graph(ids.AGES), lg=6)], className="g-3"),
            dbc.Row(
                [dbc.Col(graph(ids.BY_INSTRUMENT), lg=6), dbc.Col(graph(ids.BY_SUBMITTER), lg=6)], className="g-3"
            ),  # fmt: skip
            dbc.Row([dbc.Col(graph(ids.SKY, 460), lg=12)], className="g-3"),
        ]
    )


__all__ = ["GRAPH_CONFIG", "filters", "graph", "grid"]
