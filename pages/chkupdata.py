"""Parameter Check Page: Original, requested and current values of a revision."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/chkupdata", path_template="/chkupdata/<obsidrev>", title="Parameter Check Page · USINT", name="Parameter Check Page")


def layout(obsidrev: str | None = None, **_query: str) -> html.Div:
    return html.Div([page_header("Parameter Check Page"), coming_card("Parameter Check Page", "Original, requested and current values of a revision.", f"Requested: {obsidrev}" if obsidrev else None)])
