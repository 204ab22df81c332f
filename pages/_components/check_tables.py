"""Components of the Parameter Check Page: the provide-form and the `make_*` builders the callbacks fill in.

Plain functions of plain values (rows come from `callbacks/_check_rows.py`); user text is always shown as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from pages._ids import CheckIds

HEADER_STYLE = {"backgroundColor": "rgba(255,204,255,0.5)"}
KIND_STYLE = {"backgroundColor": "rgba(255,0,0,0.2)", "padding": "0 0.4rem"}
NEW_TEXT_STYLE = {"color": "rgba(255,0,0,0.6)"}
PRE = {"whiteSpace": "pre-wrap", "wordBreak": "break-word"}


def provide_form(*, hidden: bool = False, message: str | None = None) -> html.Div:
    """ "Provide obsid.rev": an input, a button, and the message for malformed input."""
    return html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H5("Please provide <Obsid>.<Rev>", className="card-title"),
                    dbc.InputGroup(
                        [
                            dbc.Input(
                                id=CheckIds.INPUT,
                                placeholder="e.g. 12345.004",
                                type="text",
                                autoComplete="off",
                                n_submit=0,
                            ),
                            dbc.Button("Submit", id=CheckIds.SUBMIT, color="primary", n_clicks=0),
                        ],
                        style={"maxWidth": "26rem"},
                    ),
                    html.Div(message, id=CheckIds.FEEDBACK, className="text-danger small mt-2", role="alert"),
                ]
            ),
            className="mb-3 shadow-sm",
            style={"maxWidth": "32rem"},
        ),
        id=CheckIds.FORM,
        hidden=hidden,
    )


def make_info(rows: Sequence[Sequence[tuple[str, Any]]], title: str | None, kind: str) -> html.Div:
    """Observation information: the proposal title, then a borderless 3-column grid of label: value cells."""
    body = []
    for row in rows:
        cells = []
        for label, value in row:
            shown: Any = value if value not in (None, "") else "—"
            if label == "Submitted As":
                shown = html.Span(str(kind).upper(), style=KIND_STYLE, className="fw-semibold")
            cells.append(html.Td([html.Span(f"{label}: ", className="text-muted"), shown]))
        body.append(html.Tr(cells))
    return html.Div(
        [
            html.H4("Observation Information", className="h5 mt-3"),
            html.P(html.B(html.I(title)), className="mb-1") if title else None,
            dbc.Table(html.Tbody(body), borderless=True, size="sm", className="usint-check-info mb-2"),
        ]
    )


def make_links(links: Iterable[tuple[str, str]], *, title: str) -> html.Div:
    items = [html.Li(html.A(text, href=href)) for text, href in links]
    return (
        html.Div([html.H4(title, className="h6 mt-2 mb-1"), html.Ul(items, className="mb-2")]) if items else html.Div()
    )


def make_signoff_table(signoff: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str], fmt: Any) -> dbc.Table:
    """The revision's sign-off state: one column per sign-off column with status, who and when."""
    head = html.Thead(html.Tr([html.Th("")] + [html.Th(labels.get(c, c)) for c in signoff]))
    status = html.Tr([html.Th("Status")] + [html.Td(s.get("status") or "—") for s in signoff.values()])
    who = html.Tr([html.Th("By")] + [html.Td(s.get("user") or "—") for s in signoff.values()])
    when = html.Tr(
        [html.Th("When")] + [html.Td(fmt(s.get("time")) if s.get("time") else "—") for s in signoff.values()]
    )
    return dbc.Table([head, html.Tbody([status, who, when])], bordered=True, size="sm", className="usint-check-signoff")


def make_text_blocks(blocks: Iterable[Mapping[str, Any] | None]) -> html.Div:
    """Past / New remarks and comments (other-pages §4.2 item 4)."""
    out = []
    for block in blocks:
        if not block:
            continue
        out.append(html.H5(block["past_label"], className="h6 mt-2 mb-1"))
        out.append(html.P(str(block["past"]), style=PRE, className="mb-1"))
        if block.get("new_label"):
            out.append(html.H5(block["new_label"], className="h6 mt-2 mb-1", style=NEW_TEXT_STYLE))
            out.append(html.P(str(block["new"]), style=PRE, className="mb-1"))
    return html.Div(out)


def _label(row: Mapping[str, Any]) -> html.Td:
    unit = f" ({row['unit']})" if row.get("unit") else ""
    return html.Td([row["label"], html.Small(unit, className="text-muted")], title=row["name"])


def make_change_table(title: str, rows: Sequence[Mapping[str, Any]]) -> dbc.Table:
    """One "Change Requested Parameters" table: parameter | original | requested."""
    head = html.Thead(
        [
            html.Tr(html.Th(title, colSpan=3, style=HEADER_STYLE)),
            html.Tr([html.Th("Parameter"), html.Th("Original"), html.Th("Requested")]),
        ]
    )
    body = html.Tbody(
        [html.Tr([_label(r), html.Td(r["original"], style=PRE), html.Td(r["requested"], style=PRE)]) for r in rows]
    )
    return dbc.Table([head, body], bordered=True, size="sm", className="usint-check-changes")
