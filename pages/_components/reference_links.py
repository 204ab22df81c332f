"""The home page's reference links (`USINT_REFERENCE_LINKS`, v2.1's by default) and the footer's contacts."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from flask import current_app

from data.reference_links import Link, Section, default_sections
from pages._ids import HomeIds, ShellIds

INTERNAL_TITLE = "Works only inside the CfA network (the icxc server)"


def configured(name: str, default: Any) -> Any:
    """A setting of the running app; `default` where there is none (the validation layout is built without one)."""
    try:
        return getattr(current_app.config["USINT"], name)
    except Exception:
        return default


def link_item(link: Link) -> html.Li:
    """One link: its text (a link when it has a URL), the internal mark, a note, then its own links."""
    parts: list[Any] = [html.A(link.text, href=link.url) if link.url else html.Span(link.text)]
    if link.internal:
        parts.append(html.Span("[i]", className="usint-internal ms-1", title=INTERNAL_TITLE))
    if link.note:
        parts.append(html.Span(f" ({link.note})", className="small text-body-secondary"))
    if link.links:
        parts.append(html.Ul([link_item(child) for child in link.links], className="small mb-1"))
    return html.Li(parts)


def section_card(section: Section) -> dbc.Col:
    return dbc.Col(
        html.Section(
            [html.H3(section.title, className="h6 fw-semibold"), html.Ul([link_item(x) for x in section.links])],
            className="usint-links-section h-100 p-3 border rounded bg-white",
            **{"aria-label": section.title},
        ),
        xs=12,
        md=6,
        xl=4,
        className="mb-3",
    )


def reference_links(sections: tuple[Section, ...] | None = None) -> html.Div:
    """Every section as a card; pages marked [i] work only inside the CfA network."""
    sections = configured("reference_links", None) if sections is None else sections
    if sections is None:
        sections = default_sections()
    return html.Div(
        [
            html.H2("Reference", className="h4 mt-4"),
            html.P(
                [
                    "Procedures, letters, mail archives, schedules and instrument pages. Links marked ",
                    html.Span("[i]", className="usint-internal"),
                    " work only inside the CfA network.",
                ],
                className="small text-body-secondary",
            ),
            dbc.Row([section_card(s) for s in sections]),
        ],
        id=HomeIds.REFERENCE,
    )


def contacts_footer() -> html.Footer:
    """The Admin and Tech contacts (v2.1's footer), for questions about USINT and this app."""
    admin = configured("admin_email", "bwargelin@cfa.harvard.edu")
    tech = configured("tech_email", "william.aaron@cfa.harvard.edu")
    return html.Footer(
        dbc.Container(
            [
                "Questions about USINT: Admin ",
                html.A(admin, href=f"mailto:{admin}"),
                " · Tech ",
                html.A(tech, href=f"mailto:{tech}"),
            ],
            fluid=True,
            className="usint-main small text-body-secondary py-3",
        ),
        id=ShellIds.FOOTER,
        className="border-top mt-4",
    )
