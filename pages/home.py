"""Home: what USINT is for, a card per page, the user's open revisions.

The list of open revisions is read while Dash Pages serves the layout (`callbacks.home.list_my_revisions`), so the
page arrives complete in one round trip; the page module itself reads no database (E6).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from callbacks._first_view import first_view
from callbacks.home import list_my_revisions
from pages._components.nav import PAGE_LINKS
from pages._components.reference_links import reference_links
from pages._ids import HomeIds

dash.register_page(__name__, path="/", title="USINT", name="Home")


def page_card(link) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H2(
                        [html.Span(link.icon, className="me-2", **{"aria-hidden": "true"}), link.name],
                        className="h5 card-title",
                    ),
                    html.P(link.blurb, className="card-text small text-muted"),
                    dbc.Button("Open", href=link.path, size="sm", color="primary", outline=True),
                ]
            ),
            className="h-100 shadow-sm",
        ),
        xs=12,
        sm=6,
        lg=3,
        className="mb-3",
    )


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Chandra Uplink Support Interface", className="h2"),
            html.P(
                "USINT changes observation parameters in the Chandra observation catalogue (the Ocat) on behalf of "
                "observers. Each change is a revision (obsid.rev) that instrument teams and ArcOps sign off on the "
                "status board and USINT verifies. Type an obsid in the box at the top to open it.",
                className="lead",
            ),
            dbc.Row([page_card(link) for link in PAGE_LINKS]),
            html.H2("Your open revisions", className="h4 mt-2"),
            html.Div(id=HomeIds.MY_REVISIONS, children=my_revisions()),
            reference_links(),
        ]
    )


def my_revisions() -> object:
    """The user's open revisions, read while a browser opens the page (nothing at start-up)."""
    return first_view(list_my_revisions, None)
