"""Express Approval: Approve a list of observations as is."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/express", title="Express Approval · USINT", name="Express Approval")


def layout(**_query: str) -> html.Div:
    return html.Div([page_header("Express Approval"), coming_card("Express Approval", "Approve a list of observations as is.", None)])
