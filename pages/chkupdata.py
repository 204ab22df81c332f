"""Parameter Check Page (other-pages §4, D18): original, requested and current values of one revision.

`/chkupdata` shows the provide-form; `/chkupdata/<obsid>.<rev>` the revision. The page arrives filled: while Dash
Pages serves the layout to a browser, `callbacks.chkupdata.load_check` reads the revision and the Ocat and lays them
out (a small header and a grid carrying its rows as data), so the page is usable after that one round trip; the
page module itself reads no database (E6). "Re-read" runs the same function again (after an edit in the Ocat).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks._first_view import first_view as read_first
from callbacks.chkupdata import load_check
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


def first_view(obsidrev: str | None) -> tuple[Any, bool, str]:
    """(content, form hidden, form message) for the URL's obsid.rev, read while a browser opens the page."""
    if not obsidrev:
        return None, False, ""
    return read_first(lambda: load_check(obsidrev), (None, False, ""))


def layout(obsidrev: str | None = None, **_query: str) -> html.Div:
    content, hidden, message = first_view(obsidrev)
    return html.Div(
        [
            dcc.Store(id=CheckIds.OBSIDREV, data=obsidrev),
            dcc.Location(id=CheckIds.REDIRECT, refresh="callback-nav"),
            page_header("Parameter Check Page", "Original, requested and current Ocat values of a revision."),
            provide_form(hidden=hidden, message=message),
            dbc.Button(
                "Re-read the Ocat",
                id=CheckIds.REFRESH,
                size="sm",
                color="secondary",
                outline=True,
                className="float-end ms-2",
                n_clicks=0,
                style=None if obsidrev else {"display": "none"},
                title="Read the revision and the current Ocat values again",
            ),
            dcc.Loading(html.Div(content, id=CheckIds.CONTENT), type="default", delay_show=150),
        ]
    )
