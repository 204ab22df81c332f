"""Small shared cards: the "coming" card of pages not built yet, page headers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def page_header(title: str, subtitle: str | None = None) -> html.Div:
    return html.Div(
        [html.H2(title, className="mb-1"), html.P(subtitle, className="text-muted mb-3") if subtitle else None],
        className="usint-page-header",
    )


def coming_card(title: str, what: str, detail: str | None = None) -> dbc.Card:
    """What a page not built yet shows: plain, never an error."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H4(f"{title} is coming", className="card-title"),
                html.P(what, className="card-text"),
                html.P(detail, className="text-muted small mb-0") if detail else None,
                html.A("Back to the home page", href="/", className="card-link"),
            ]
        ),
        className="usint-coming shadow-sm",
    )
