"""Analytics: Revisions, sign-off turnaround and backlog."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/analytics", title="Analytics · USINT", name="Analytics")


def layout(**_query: str) -> html.Div:
    return html.Div([page_header("Analytics"), coming_card("Analytics", "Revisions, sign-off turnaround and backlog.", None)])
