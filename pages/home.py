"""Home: what USINT is for, a card per page, the user's open revisions."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components.nav import PAGE_LINKS
from pages._ids import HomeIds

dash.register_page(__name__, path="/", title="USINT", name="Home")


def page_card(link) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H5([html.Span(link.icon, className="me-2"), link.name], className="card-title"),
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
            html.H4("Your open revisions", className="mt-2"),
            dcc.Loading(html.Div(id=HomeIds.MY_REVISIONS, children=html.P("Loading…", className="text-muted"))),
            dcc.Interval(id=HomeIds.LOAD, max_intervals=1, interval=50),
        ]
    )
