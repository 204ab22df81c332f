"""Observation History: every revision of one observation over time (`/history/<obsid>`).

The layout is a skeleton that seeds a store from the URL; `callbacks/history.py` fills it in (E6).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from pages._components.cards import page_header
from pages._components.history_parts import obsid_form
from pages._ids import HistoryIds


def title(obsid: str | None = None, **_query: str) -> str:
    return f"{obsid} · Observation History · USINT" if obsid else "Observation History · USINT"


dash.register_page(
    __name__,
    path="/history",
    path_template="/history/<obsid>",
    title=title,
    name="Observation History",
)


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=HistoryIds.OBSID, data=obsid),
            dcc.Location(id=HistoryIds.REDIRECT, refresh="callback-nav"),
            page_header("Observation History", "Every revision of an observation, its sign-offs and what changed."),
            obsid_form(obsid),
            dcc.Loading(html.Div(id=HistoryIds.CONTENT), type="default", delay_show=150),
        ]
    )
