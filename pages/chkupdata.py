"""Parameter Check Page (other-pages §4, D18): original, requested and current values of one revision.

`/chkupdata` shows the provide-form; `/chkupdata/<obsid>.<rev>` the revision. The layout is a skeleton that seeds
a store from the URL; `callbacks/chkupdata.py` fills it in (E6).
"""

from __future__ import annotations

import dash
from dash import dcc, html

from pages._components.cards import page_header
from pages._components.check_tables import provide_form
from pages._ids import CheckIds


def title(obsidrev: str | None = None, **_query: str) -> str:
    return f"{obsidrev} · Parameter Check Page · USINT" if obsidrev else "Parameter Check Page · USINT"


dash.register_page(
    __name__,
    path="/chkupdata",
    path_template="/chkupdata/<obsidrev>",
    title=title,
    name="Parameter Check Page",
)


def layout(obsidrev: str | None = None, **_query: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=CheckIds.OBSIDREV, data=obsidrev),
            dcc.Location(id=CheckIds.REDIRECT, refresh="callback-nav"),
            page_header("Parameter Check Page", "Original, requested and current Ocat values of a revision."),
            provide_form(hidden=bool(obsidrev)),
            dcc.Loading(html.Div(id=CheckIds.CONTENT), type="default", delay_show=150),
        ]
    )
