"""Observation History: Every revision of an observation over time."""

from __future__ import annotations

import dash
from dash import html

from pages._components.cards import coming_card, page_header

dash.register_page(__name__, path="/history", path_template="/history/<obsid>", title="Observation History · USINT", name="Observation History")


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    return html.Div([page_header("Observation History"), coming_card("Observation History", "Every revision of an observation over time.", f"Requested: {obsid}" if obsid else None)])
