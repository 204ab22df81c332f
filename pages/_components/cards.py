"""Small shared cards: the "coming" card of pages not built yet, page headers."""

from __future__ import annotations

from dash import html


def page_header(title: str, subtitle: str | None = None) -> html.Div:
    return html.Div(
        [html.H1(title, className="h2 mb-1"), html.P(subtitle, className="text-muted mb-3") if subtitle else None],
        className="usint-page-header",
    )
