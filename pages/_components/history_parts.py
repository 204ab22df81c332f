"""Components of the history page (E9): plain rows in (strings already formatted), components out.

User text (comments, target names, requested values) is shown as text: never markdown or raw HTML.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from pages._ids import HistoryIds


def obsid_form(value: str | None = None) -> html.Div:
    """The obsid prompt (shown always; the page's own obsid pre-filled)."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText(html.Label("Obsid", htmlFor=HistoryIds.INPUT, className="m-0")),
                    dbc.Input(
                        id=HistoryIds.INPUT,
                        type="text",
                        value=value or "",
                        placeholder="e.g. 12345",
                        debounce=False,
                        autocomplete="off",
                        style={"maxWidth": "12rem"},
                    ),  # fmt: skip
                    dbc.Button("Show history", id=HistoryIds.GO, color="primary"),
                ],
                className="w-auto",
            ),
            html.Div(id=HistoryIds.FEEDBACK, className="text-danger small mt-1"),
        ],
        className="mb-3 usint-history-form",
    )


def prompt() -> dbc.Alert:
    return dbc.Alert("Enter an obsid to see every revision of it, its sign-offs and what changed.", color="info",
                     className="usint-history-prompt")  # fmt: skip


def no_revisions(obsid: int) -> dbc.Alert:
    return dbc.Alert(
        [
            html.Span(f"Obsid {obsid} has no revisions in USINT. "),
            html.A("Open it in the editor", href=f"/ocatdatapage/{obsid}"),
            html.Span(" to request a change."),
        ],
        color="secondary",
        className="usint-history-empty",
    )


def header(obsid: int, targname: str | None, status: str | None, count: int, zone: str) -> html.Div:
    what = " · ".join(str(p) for p in (targname, status) if p)
    return html.Div(
        [
            html.H3(
                [f"Obsid {obsid}", html.Small(f"  {what}", className="text-muted") if what else None],
                id=HistoryIds.HEADING,
                className="h4 mb-1",
            ),  # fmt: skip
            html.P(f"{count} revision(s). Times are shown in {zone}.", className="text-muted small mb-2"),
            html.Div(
                [
                    dbc.Button(
                        "Open in the editor",
                        href=f"/ocatdatapage/{obsid}",
                        size="sm",
                        color="primary",
                        outline=True,
                        className="me-2",
                    ),  # fmt: skip
                ],
                className="mb-2",
            ),
        ]
    )


def banner(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="warning", className="py-2 usint-ocat-down")


__all__ = ["banner", "header", "no_revisions", "obsid_form", "prompt"]
