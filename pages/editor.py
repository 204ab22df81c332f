"""Ocat Data Page: load an obsid, edit its parameters, confirm the changes and submit a revision
(ocat-data-page §1–§8).

With an obsid the layout is the filled editor: Dash Pages calls `layout(obsid=...)` in its routing request, and
`callbacks.editor.editor_page` reads the observation there (as every data access of the editor, it lives in the
callbacks module), so the page is usable after that one round trip instead of a chain of load callbacks. Without
an obsid it is the prompt, with the editor's empty frame hidden under it (Dash Pages checks the callbacks' ids
against the no-argument layout).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks.editor import editor_page, editor_skeleton
from pages._components.cards import page_header
from pages._ids import EditorIds

dash.register_page(
    __name__,
    path="/ocatdatapage",
    path_template="/ocatdatapage/<obsid>",
    title="Ocat Data Page · USINT",
    name="Ocat Data Page",
)


def _prompt() -> html.Div:
    return html.Div(
        [
            html.Label("Type an obsid to open it in the editor.", htmlFor=EditorIds.PROMPT_INPUT, className="mb-2"),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=EditorIds.PROMPT_INPUT,
                        placeholder="e.g. 12345",
                        type="text",
                        n_submit=0,
                        autoComplete="off",
                        autoFocus=True,
                    ),
                    dbc.Button("Open", id=EditorIds.PROMPT_GO, color="primary", n_clicks=0),
                ],
                style={"maxWidth": "24rem"},
            ),
            html.Div(id=EditorIds.PROMPT_FEEDBACK, className="text-danger small mt-1", role="alert"),
            dcc.Location(id=EditorIds.REDIRECT, refresh=True),
        ],
        id=EditorIds.PROMPT,
    )


def layout(obsid: str | None = None, **_query: str) -> html.Div:
    """The filled editor of `obsid`; the prompt when there is none."""
    if obsid:
        return html.Div(
            [page_header("Ocat Data Page", f"Obsid {obsid}"), html.Div(editor_page(obsid), id=EditorIds.BODY)]
        )
    return html.Div(
        [
            page_header("Ocat Data Page"),
            _prompt(),
            html.Div(editor_skeleton(), id=EditorIds.BODY, style={"display": "none"}),
        ]
    )
