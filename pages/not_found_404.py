"""The 404 page for any path no page claims."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/404", title="Page Not Found · USINT")


def layout(**_query: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3("Page Not Found"),
                html.P("Please check the address. The pages of USINT are listed in the bar above."),
                html.A("Back to the home page", href="/"),
            ]
        ),
        className="usint-404",
    )
