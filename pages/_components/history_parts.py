"""Components of the history page (E9): plain rows in (strings already formatted), components out.

User text (comments, target names, requested values) is shown as text: never markdown or raw HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._ids import HistoryIds

STATE_BADGES = {
    "applied": ("in the Ocat", "success"),
    "pending": ("not in the Ocat yet", "warning"),
    "unknown": ("Ocat unavailable", "secondary"),
}
KIND_BADGES = {"norm": "primary", "asis": "success", "remove": "danger", "clone": "info"}
STATUS_COLOURS = {"Signed": "success", "Pending": "warning", "Discard": "secondary", "Not Required": "light"}


def obsid_form(value: str | None = None) -> html.Div:
    """The obsid prompt (shown always; the page's own obsid pre-filled)."""
    return html.Div(
        [
            dbc.InputGroup(
                [
                    dbc.InputGroupText("Obsid"),
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


def current_table(rows: Sequence[dict[str, Any]]) -> html.Div:
    """Every parameter ever requested: latest request (and its revision) beside the Ocat value now."""
    if not rows:
        return html.Div()
    body = []
    for row in rows:
        label, colour = STATE_BADGES[row["state"]]
        body.append(
            html.Tr(
                [
                    html.Td(
                        [row["label"], html.Span(f" [{row['unit']}]", className="text-muted") if row["unit"] else None]
                    ),  # fmt: skip
                    html.Td(row["requested"], className="text-break"),
                    html.Td(html.A(row["revision"], href=f"/chkupdata/{row['revision']}")),
                    html.Td(row["current"], className="text-break"),
                    html.Td(dbc.Badge(label, color=colour, text_color="dark" if colour == "warning" else None)),
                ]
            )
        )
    return html.Div(
        [
            html.H4("Current Ocat value and latest request", className="h5 mt-3"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(h) for h in ("Parameter", "Latest requested", "In revision", "Ocat now", "")])
                    ),
                    html.Tbody(body),
                ],
                bordered=True,
                size="sm",
                striped=True,
                className="usint-history-current",
            ),  # fmt: skip
        ]
    )


def timeline(figure: Any) -> dcc.Graph:
    return dcc.Graph(id=HistoryIds.TIMELINE, figure=figure, config={"displaylogo": False},
                     className="usint-history-timeline")  # fmt: skip


def revision_card(rev: dict[str, Any]) -> dbc.Card:
    """One revision: kind, submitter, sign-offs, what changed, and its events."""
    signoffs = html.Div(
        [
            dbc.Badge(
                f"{s['label']}: {s['status']}" + (f" by {s['user']} {s['time']}" if s["user"] else ""),
                color=STATUS_COLOURS.get(s["status"], "light"),
                text_color="dark" if s["status"] in ("Pending", "Not Required") else None,
                className="me-1 mb-1",
            )  # fmt: skip
            for s in rev["signoffs"]
        ]
    )
    changes = (
        dbc.Table(
            [
                html.Thead(html.Tr([html.Th("Parameter"), html.Th("Original"), html.Th("Requested")])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(
                                    [
                                        c["label"],
                                        html.Span(f" [{c['unit']}]", className="text-muted") if c["unit"] else None,
                                    ]
                                ),
                                html.Td(c["original"], className="text-break"),
                                html.Td(c["requested"], className="text-break"),
                            ]
                        )
                        for c in rev["changes"]
                    ]
                ),
            ],
            size="sm",
            bordered=True,
            className="mb-2",
        )  # fmt: skip
        if rev["changes"]
        else html.P("No parameter changes requested.", className="text-muted small mb-2")
    )
    events = (
        html.Ul([html.Li(e, className="small") for e in rev["events"]], className="mb-0") if rev["events"] else None
    )
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.A(rev["obsidrev"], href=f"/chkupdata/{rev['obsidrev']}", className="fw-bold me-2"),
                    dbc.Badge(rev["kind"], color=KIND_BADGES.get(rev["kind"], "secondary"), className="me-2"),
                    html.Span(f"submitted by {rev['user']} {rev['time']}", className="text-muted small"),
                    dbc.Badge(rev["state"], color="light", text_color="dark", className="ms-2"),
                ]
            ),
            dbc.CardBody(
                [
                    signoffs,
                    changes,
                    html.Div([html.Span("Events", className="small fw-bold"), events]) if events else None,
                ]
            ),  # fmt: skip
        ],
        className="mb-2 usint-history-revision",
    )


def removed_card(obsidrev: str, lines: Sequence[str]) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(
                [html.Span(obsidrev, className="fw-bold me-2"), dbc.Badge("removed by its submitter", color="danger")]
            ),  # fmt: skip
            dbc.CardBody(html.Ul([html.Li(x, className="small") for x in lines], className="mb-0")),
        ],
        className="mb-2 usint-history-revision usint-history-removed",
    )


__all__ = ["banner", "current_table", "header", "no_revisions", "obsid_form", "prompt", "removed_card",
           "revision_card", "timeline"]  # fmt: skip
