"""Analytics: revisions per week, sign-off turnaround, backlog, revisions by instrument and submitter, sky map.

The layout is the filter bar and an empty grid; `callbacks/analytics.py` fills every figure from the filters (E6).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from data import clock
from data.analytics import INSTRUMENTS
from pages._components.analytics_parts import filters, grid
from pages._components.cards import page_header
from pages._ids import AnalyticsIds

dash.register_page(__name__, path="/analytics", title="Analytics · USINT", name="Analytics")


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=AnalyticsIds.REDIRECT, refresh="callback-nav"),
            page_header(
                "Analytics",
                "Revisions, sign-off turnaround and backlog, from the revision DB and its audit "
                "trail; instruments and positions from the Ocat.",
            ),  # fmt: skip
            filters(clock.now().date(), INSTRUMENTS),
            html.Div(id=AnalyticsIds.BANNER),
            html.Div(id=AnalyticsIds.SUMMARY, className="mb-2 text-muted small"),
            dcc.Loading(grid(), type="default", delay_show=200),
        ],
        className="usint-analytics",
    )
