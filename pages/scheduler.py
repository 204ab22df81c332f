"""TOO POC Duty Scheduler (`/scheduler`): the calendar of who is the TOO point of contact, week by week.

The layout is a skeleton (no database access, E6); `callbacks/scheduler.py` draws the calendar and runs the
actions. `?period=<id>` opens the page with that period selected (deep link).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components.cards import page_header
from pages._ids import SchedulerIds as Ids

dash.register_page(__name__, path="/scheduler", title="TOO POC Duty Scheduler · USINT", name="TOO POC Duty Scheduler")

USAGE = [
    "A standard duty period runs from Monday 00:00 to Sunday 23:59 (7 days).",
    "To sign up, click an open (TBD, striped) period in the calendar and press “Sign me up”. "
    "You can also assign someone from the TOO group.",
    "If you can no longer cover a period, select it and press “Unassign”: it becomes open (TBD) again.",
    "To cover part of a week: “Split” an open period in two (Mon–Thu and Fri–Sun), or change its first or last day. "
    "The adjacent open period moves with it so that no day is left uncovered; taken periods never move.",
    "“Delete” removes an open period and gives its days to an adjacent open period (at most 7 days each).",
    "Spans other than 7 days have a magenta frame; days covered by nobody (gap) or by two periods (overlap) are red.",
    "Periods that have started are closed. New open weeks are added every night up to 240 days ahead.",
]


def _button(id_: str, text: str, color: str, **kwargs: object) -> dbc.Button:
    return dbc.Button(text, id=id_, color=color, size="sm", className="me-2 mb-2", disabled=True, n_clicks=0, **kwargs)


def action_panel() -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H5("Selected period", className="card-title"),
                dcc.Dropdown(
                    id=Ids.SELECT,
                    options=[],
                    placeholder="Click a period in the calendar, or choose one here",
                    clearable=False,
                    className="mb-2",
                ),
                html.Div(id=Ids.DETAILS, className="mb-2"),
                html.Div(
                    [
                        _button(Ids.SIGN_UP, "Sign me up", "primary"),
                        html.Div(
                            [
                                dcc.Dropdown(
                                    id=Ids.ASSIGN_USER,
                                    options=[],
                                    placeholder="Assign someone from the TOO group…",
                                    disabled=True,
                                    className="mb-1",
                                ),
                                _button(Ids.ASSIGN, "Assign", "secondary"),
                            ],
                            className="mb-1",
                        ),
                        html.Div(
                            [
                                html.Label("First day", htmlFor=Ids.START, className="small me-1"),
                                dcc.Input(id=Ids.START, type="date", disabled=True, className="me-2 mb-1"),
                                html.Label("Last day", htmlFor=Ids.STOP, className="small me-1"),
                                dcc.Input(id=Ids.STOP, type="date", disabled=True, className="mb-1"),
                                html.Div(_button(Ids.CHANGE, "Change dates", "secondary")),
                            ],
                            className="mb-1",
                        ),
                        _button(Ids.SPLIT, "Split", "outline-secondary"),
                        _button(Ids.UNASSIGN, "Unassign…", "outline-danger"),
                        _button(Ids.DELETE, "Delete / merge…", "outline-danger"),
                    ],
                    id=Ids.ACTIONS,
                ),
                html.Div(id=Ids.READ_ONLY, className="text-muted small"),
                dcc.Loading(
                    dbc.Alert(id=Ids.MESSAGE, is_open=False, color="info", className="mt-2 mb-0", dismissable=True),
                    type="dot",
                ),
            ]
        ),
        className="shadow-sm",
    )


def confirm_modal() -> dbc.Modal:
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle("Please confirm")),
            dbc.ModalBody(id=Ids.CONFIRM_TEXT),
            dbc.ModalFooter(
                [
                    dbc.Button("Cancel", id=Ids.CONFIRM_NO, color="secondary", n_clicks=0),
                    dbc.Button("Yes, do it", id=Ids.CONFIRM_YES, color="danger", n_clicks=0),
                ]
            ),
        ],
        id=Ids.MODAL,
        is_open=False,
    )


def layout(period: str | None = None, **_query: str) -> html.Div:
    try:
        selected = int(period) if period else None
    except ValueError:
        selected = None
    return html.Div(
        [
            page_header(
                "TOO POC Duty Scheduler",
                "Who is the TOO point of contact, week by week (Monday to Sunday). Past 30 days and the months ahead.",
            ),
            dcc.Store(id=Ids.VERSION, data=0),
            dcc.Store(id=Ids.PENDING, data=None),
            dcc.Store(id=Ids.INITIAL, data=selected),
            html.Div(id=Ids.SUMMARY, className="mb-2 fw-semibold"),
            dbc.Row(
                [
                    dbc.Col(
                        dcc.Loading(
                            html.Div(
                                id=Ids.CALENDAR,
                                style={"minHeight": "12rem", "maxHeight": "78vh", "overflowY": "auto"},
                            ),
                            type="default",
                        ),
                        xs={"size": 12, "order": 2},
                        lg={"size": 8, "order": 1},
                        className="mb-3",
                    ),
                    dbc.Col(
                        [
                            action_panel(),
                            dbc.Button(
                                "Create open weeks up to 240 days ahead",
                                id=Ids.EXTEND,
                                color="link",
                                size="sm",
                                n_clicks=0,
                                style={"display": "none"},
                            ),
                            html.Details(
                                [html.Summary("How the duty calendar works"), html.Ul([html.Li(t) for t in USAGE])],
                                className="small mt-3",
                            ),
                            html.Div(
                                [
                                    "Subscribe in your calendar app: ",
                                    html.A("/api/v1/schedule.ics", href="/api/v1/schedule.ics"),
                                    " (JSON: ",
                                    html.A("/api/v1/schedule", href="/api/v1/schedule"),
                                    ")",
                                ],
                                className="small text-muted mt-2",
                            ),
                        ],
                        xs={"size": 12, "order": 1},
                        lg={"size": 4, "order": 2},
                        className="mb-3",
                    ),
                ]
            ),
            confirm_modal(),
        ]
    )
