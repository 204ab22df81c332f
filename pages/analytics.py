"""Analytics: revisions per week, sign-off turnaround, backlog, revisions by instrument and submitter, sky map.

The layout arrives drawn: while Dash Pages serves it to a browser, `callbacks.analytics.analytics_figures` (the
function the filters call) computes the figures for the default filters, so the page is usable after that one round
trip; the page module itself reads no database (E6). `callbacks/analytics.py` redraws them when a filter changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
from dash import dcc, html

from callbacks._first_view import first_view as read_first
from callbacks.analytics import analytics_figures
from data import clock
from data.analytics import INSTRUMENTS
from pages._components.analytics_parts import FIGURE_IDS, filters, grid
from pages._components.cards import page_header
from pages._ids import AnalyticsIds

dash.register_page(__name__, path="/analytics", title="Analytics · USINT", name="Analytics")


def first_view(start: str, end: str) -> tuple[dict[str, Any], str | None, Any]:
    """(figures by graph id, summary, Ocat banner) for the default filters, read while a browser opens the page."""
    out = read_first(lambda: analytics_figures(start, end, []), None)
    if out is None:
        return {}, None, None
    *figures, summary, banner = out
    return dict(zip(FIGURE_IDS, figures, strict=True)), summary, banner


def layout(**_query: str) -> html.Div:
    today = clock.now().date()
    figures, summary, banner = first_view((today - timedelta(days=365)).isoformat(), today.isoformat())
    return html.Div(
        [
            dcc.Location(id=AnalyticsIds.REDIRECT, refresh="callback-nav"),
            page_header(
                "Analytics",
                "Revisions, sign-off turnaround and backlog, from the revision DB and its audit "
                "trail; instruments and positions from the Ocat.",
            ),
            filters(today, INSTRUMENTS),
            html.Div(banner, id=AnalyticsIds.BANNER),
            html.Div(summary, id=AnalyticsIds.SUMMARY, className="mb-2 text-muted small"),
            # A filter change redraws seven figures: the spinner shows while the user waits for them.
            dcc.Loading(grid(figures), type="default", delay_show=200),
        ],
        className="usint-analytics",
    )
