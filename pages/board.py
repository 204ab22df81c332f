"""Target Parameter Status: Open revisions and their sign-offs."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/orupdate", title="Target Parameter Status · USINT", name="Target Parameter Status")


def layout(**_query: str) -> html.Div:
    return html.Div([page_header("Target Parameter Status"), coming_card("Target Parameter Status", "Open revisions and their sign-offs.", None)])
