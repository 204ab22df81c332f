"""Ocat Data Page: Edit an observation's parameters, confirm the changes and submit a revision."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/ocatdatapage", path_template="/ocatdatapage/<obsid>", title="Ocat Data Page · USINT", name="Ocat Data Page")


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    return html.Div([page_header("Ocat Data Page"), coming_card("Ocat Data Page", "Edit an observation's parameters, confirm the changes and submit a revision.", f"Requested: {obsid}" if obsid else None)])
