"""Remove Accidental Submission (other-pages §7, D17): undo one's own recent sign-offs and submissions.

The list is read while Dash Pages serves the layout (`callbacks.rm_submission.list_reversible`), so the page arrives
complete in one round trip; the page module itself reads no database (E6). The confirm dialog and the undo are in
`callbacks/rm_submission.py`; every undo is checked again on the server.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks._first_view import first_view
from callbacks.rm_submission import list_reversible
from pages._components.cards import page_header
from pages._ids import UndoIds

dash.register_page(
    __name__, path="/rm_submission", title="Remove Accidental Submission · USINT", name="Remove Accidental Submission"
)


def confirm_dialog() -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Undo this?")),
            dbc.ModalBody(id=UndoIds.MODAL_BODY),
            dbc.ModalFooter(
                [
                    dbc.Button("Cancel", id=UndoIds.CANCEL, color="secondary", n_clicks=0),
                    dbc.Button("Undo", id=UndoIds.CONFIRM, color="danger", n_clicks=0),
                ]
            ),
        ],
        id=UndoIds.MODAL,
        is_open=False,
    )


def reversible_list(show_all: bool) -> object:
    """The user's reversible items, read while a browser opens the page (nothing at start-up)."""
    return first_view(lambda: list_reversible(None, show_all), None)


def layout(**query: str) -> html.Div:
    show_all = query.get("all") == "1"  # `?all=1`: every reversible item, not only the newest
    return html.Div(
        [
            page_header("Remove Accidental Submission", "Undo your own recent sign-offs and submissions."),
            dcc.Store(id=UndoIds.LOAD, data=0),
            dcc.Store(id=UndoIds.SHOW_ALL, data=show_all),
            dcc.Store(id=UndoIds.TARGET),
            html.Div(id=UndoIds.RESULT),
            html.Div(id=UndoIds.LIST, children=reversible_list(show_all)),
            confirm_dialog(),
        ]
    )
