"""Components of the history page (E9): plain rows in (strings already formatted), components out.

User text (comments, target names, requested values) is shown as text: never markdown or raw HTML.
"""

from __future__ import annotations

from typing import Any

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
                    ),
                    dbc.Button("Show history", id=HistoryIds.GO, color="primary"),
                ],
                className="w-auto",
            ),
            html.Div(id=HistoryIds.FEEDBACK, className="text-danger small mt-1"),
        ],
        className="mb-3 usint-history-form",
    )


def prompt() -> dbc.Alert:
    return dbc.Alert(
        "Enter an obsid to see every revision of it, its sign-offs and what changed.",
        color="info",
        className="usint-history-prompt",
    )


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
            ),
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
                    ),
                ],
                className="mb-2",
            ),
        ]
    )


def banner(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="warning", className="py-2 usint-ocat-down")


CURRENT_HEADS = ("Parameter", "Latest requested", "In revision", "Ocat now")
STATE_CLASSES = {"applied": "usint-state-applied", "pending": "usint-state-pending"}
"""The merge's states as classes (colours in assets/merge.css, the check page's D18 colours); on a span, as the
table's cells paint their own background over a class's."""


def current_table(rows: list[dict[str, Any]]) -> dbc.Table | html.P:
    """Every parameter some revision requested (`callbacks._grids_history.current_rows`): the latest request, its
    revision (a link to its check page), the Ocat value now and the merge state. A plain table: its rows are
    bounded by the parameter catalogue and usually a handful, where a grid costs its set-up in every browser."""
    if not rows:
        return html.P("No parameter was ever requested.", className="text-muted small")
    heads = [html.Th(h, scope="col") for h in CURRENT_HEADS] + [
        html.Th(html.Span("State", className="visually-hidden"))
    ]
    return dbc.Table(
        [html.Thead(html.Tr(heads)), html.Tbody([_current_row(r) for r in rows])],
        size="sm",
        bordered=True,
        responsive=True,
        className="usint-history-current small w-auto",
    )


def _current_row(row: dict[str, Any]) -> html.Tr:
    revision = row["revision"]
    return html.Tr(
        [
            html.Th(row["parameter"], scope="row", className="fw-normal"),
            html.Td(row["requested"], className="text-break"),
            html.Td(html.A(revision, href=f"/chkupdata/{revision}") if revision else ""),
            html.Td(row["current"], className="text-break"),
            html.Td(html.Span(row["state_text"], className=f"{STATE_CLASSES.get(row['state'], '')} px-1 rounded")),
        ]
    )


__all__ = ["banner", "current_table", "header", "no_revisions", "obsid_form", "prompt"]
