"""Express Approval (other-pages §5, D16): paste obsids, preview approvable and skipped, finalize.

The three v2.1 steps (input, confirm, finalize) are one page: the preview's approvable obsids wait in a store until
Finalize, which checks everything again on the server (`callbacks/express.py`).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components.cards import page_header
from pages._ids import ExpressIds

dash.register_page(__name__, path="/express", title="Express Approval · USINT", name="Express Approval")

EXAMPLES = (
    "12345, 12346",
    "12345:12346",
    "12345 ; 12346",
    "12345: 12346; 12347, 12348 12349",
    "12345-12349 12352 - 12357,12359- 12362",
)


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            page_header("Express Approval", "Approve a list of observations as is, with no parameter changes."),
            dbc.Card(
                dbc.CardBody(
                    [
                        dbc.Label("Obsid(s) to approve immediately", html_for=ExpressIds.INPUT, className="fw-bold"),
                        dbc.Textarea(
                            id=ExpressIds.INPUT,
                            placeholder="e.g. 12345-12349 12352, 12360",
                            rows=3,
                            style={"maxWidth": "40rem"},
                        ),
                        html.Div(id=ExpressIds.FEEDBACK, className="text-danger small mt-1", role="alert"),
                        html.P(
                            [
                                "Separate obsids with commas, colons, semicolons or spaces; a dash gives an inclusive "
                                "range, and ranges and single obsids can be mixed (at most 500 obsids). Examples: ",
                                *[html.Code(e, className="me-2") for e in EXAMPLES],
                            ],
                            className="small text-muted mt-2 mb-2",
                        ),
                        dbc.Button("Preview", id=ExpressIds.PREVIEW_BUTTON, color="primary", n_clicks=0),
                    ]
                ),
                className="mb-3 shadow-sm",
            ),
            dcc.Store(id=ExpressIds.OBSIDS),
            dcc.Loading(html.Div(id=ExpressIds.PREVIEW), type="default"),
            html.Div(
                [
                    html.P(
                        "Only the rows in the Approvable table are approved by Finalize. Each is checked again "
                        "first, and you will receive a confirmation e-mail for each observation separately.",
                        className="small",
                    ),
                    dbc.Button("Finalize", id=ExpressIds.FINALIZE, color="success", n_clicks=0),
                ],
                id=ExpressIds.FINALIZE_BAR,
                hidden=True,
                className="mb-3",
            ),
            dcc.Loading(html.Div(id=ExpressIds.RESULT), type="default"),
        ]
    )
