"""TOO POC Duty Scheduler (`/scheduler`): the calendar of who is the TOO point of contact, week by week.

The calendar is a dash-ag-grid whose rows are data (`callbacks._figures_scheduler.calendar_rows`), not a table of
components. The layout arrives filled: while Dash Pages serves it to a browser, `callbacks.scheduler.page_view`
reads the calendar and the action panel's state, so the page is usable after that one round trip; the page module
itself reads no database (E6). `callbacks/scheduler.py` runs the actions and redraws after them.
`?period=<id>` opens the page with that period selected (deep link).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from callbacks._figures_scheduler import DAY_FIELDS, DAY_NAMES
from callbacks._first_view import first_view as read_first
from callbacks.scheduler import page_view
from data.ids import parse_period_id
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


EMPTY = (
    "There are no duty periods yet. The nightly job `usint schedule extend` adds open Monday–Sunday weeks 240 days "
    "ahead; a TOO or USINT member can also create them now with the link on the right."
)
HIDDEN = {"display": "none"}

View = dict[tuple[str, str], Any]
"""What the page shows at first, by (component id, property): `callbacks.scheduler.page_view`."""


def _button(id_: str, text: str, color: str, view: View) -> dbc.Button:
    return dbc.Button(
        text,
        id=id_,
        color=color,
        size="sm",
        className="me-2 mb-2",
        n_clicks=0,
        disabled=view.get((id_, "disabled"), True),
    )


def action_panel(selected: int | None, view: View) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                # Native selects (dbc.Select): labelled and keyboard-ready; a chosen option's value arrives as text.
                html.Label("Selected period", htmlFor=Ids.SELECT, className="h5 card-title d-block"),
                dbc.Select(
                    id=Ids.SELECT,
                    options=view.get((Ids.SELECT, "options"), []),
                    value=selected,
                    placeholder="Click a period in the calendar, or choose one here",
                    size="sm",
                    className="mb-2",
                ),
                html.Div(view.get((Ids.DETAILS, "children")), id=Ids.DETAILS, className="mb-2"),
                html.Div(
                    [
                        _button(Ids.SIGN_UP, "Sign me up", "primary", view),
                        html.Div(
                            [
                                dbc.Label(
                                    "Assign someone from the TOO group",
                                    html_for=Ids.ASSIGN_USER,
                                    className="small mb-0 d-block",
                                ),
                                dbc.Select(
                                    id=Ids.ASSIGN_USER,
                                    options=view.get((Ids.ASSIGN_USER, "options"), []),
                                    placeholder="Choose a person…",
                                    disabled=view.get((Ids.ASSIGN_USER, "disabled"), True),
                                    size="sm",
                                    className="mb-1",
                                ),
                                _button(Ids.ASSIGN, "Assign", "secondary", view),
                            ],
                            className="mb-1",
                        ),
                        html.Div(
                            [
                                html.Label("First day", htmlFor=Ids.START, className="small me-1"),
                                dcc.Input(
                                    id=Ids.START,
                                    type="date",
                                    className="me-2 mb-1",
                                    value=view.get((Ids.START, "value")),
                                    disabled=view.get((Ids.START, "disabled"), True),
                                ),
                                html.Label("Last day", htmlFor=Ids.STOP, className="small me-1"),
                                dcc.Input(
                                    id=Ids.STOP,
                                    type="date",
                                    className="mb-1",
                                    value=view.get((Ids.STOP, "value")),
                                    disabled=view.get((Ids.STOP, "disabled"), True),
                                ),
                                html.Div(_button(Ids.CHANGE, "Change dates", "secondary", view)),
                            ],
                            className="mb-1",
                        ),
                        _button(Ids.SPLIT, "Split", "outline-secondary", view),
                        _button(Ids.UNASSIGN, "Unassign…", "outline-danger", view),
                        _button(Ids.DELETE, "Delete / merge…", "outline-danger", view),
                    ],
                    id=Ids.ACTIONS,
                    style=view.get((Ids.ACTIONS, "style"), HIDDEN),
                ),
                html.Div(
                    view.get((Ids.WHY_DISABLED, "children")), id=Ids.WHY_DISABLED, className="small text-body-secondary"
                ),
                html.Div(view.get((Ids.READ_ONLY, "children")), id=Ids.READ_ONLY, className="text-muted small"),
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


def _day_column(field: str, name: str) -> dict[str, Any]:
    """A day of the week: a duty row's cell spans its segment's days and shows its text, classes, colour and
    tooltip (`cells` of the row); a dates row's cell shows the date. The value is the period a click selects."""
    seg = f"params.data.cells.{field}"
    has = f"params.data.cells && {seg}"
    dates = "params.data.kind === 'dates'"
    weekend = " scheduler-weekend" if field in ("sat", "sun") else ""
    today = f"(params.data.today === '{field}' ? ' scheduler-today' : '')"
    return {
        "field": field,
        "colId": field,
        "headerName": name,
        "colSpan": {"function": f"{has} ? {seg}.span : 1"},
        "valueFormatter": {"function": f"{dates} ? params.value : ({has} ? {seg}.text : '')"},
        "cellClass": {"function": f"{dates} ? 'scheduler-date{weekend}' + {today} : ({has} ? {seg}.cls : '')"},
        "cellClassRules": {
            "scheduler-selected": "params.data.kind === 'duty' && params.value != null && params.value === params.data.sel"
        },
        "cellStyle": {"function": f"{has} && {seg}.bg ? {{backgroundColor: {seg}.bg}} : null"},
        "tooltipValueGetter": {"function": f"{has} ? {seg}.tip : null"},
    }


def calendar_grid(rows: list[dict[str, Any]]) -> dag.AgGrid:
    """The duty calendar: two grid rows per week (dates, then duty segments), rows as data."""
    week = {
        "field": "week",
        "headerName": "Week",
        "flex": 0,
        "width": 100,
        "cellClassRules": {"scheduler-year": "params.data.kind === 'dates'", "scheduler-week-label": "true"},
    }
    return dag.AgGrid(
        id=Ids.CALENDAR,
        rowData=rows,
        columnDefs=[week] + [_day_column(f, n) for f, n in zip(DAY_FIELDS, DAY_NAMES, strict=True)],
        getRowId="params.data.id",
        defaultColDef={
            "sortable": False,
            "filter": False,
            "resizable": False,
            "suppressMovable": True,
            "flex": 1,
            "minWidth": 56,
        },
        rowClassRules={
            "scheduler-dates": "params.data.kind === 'dates'",
            "scheduler-week": "params.data.kind === 'duty'",
            "scheduler-current-week": "params.data.current",
        },
        dashGridOptions={
            "getRowHeight": {"function": "params.data.kind === 'dates' ? 22 : 44"},
            "headerHeight": 30,
            "animateRows": False,
            "suppressCellFocus": True,
            "suppressRowHoverHighlight": True,
            "tooltipShowDelay": 300,
            "localeText": {"noRowsToShow": EMPTY},
        },
        className="ag-theme-alpine scheduler-calendar",
        style={"height": "78vh", "minHeight": "12rem", "width": "100%"},
    )


def first_view(selected: int | None) -> View:
    """The calendar and the action panel, read while a browser opens the page (nothing at start-up)."""
    return read_first(lambda: page_view(selected), {})


def layout(period: str | None = None, **_query: str) -> html.Div:
    selected = parse_period_id(period) if period else None  # anything else (other digits, 20 digits): no selection
    view = first_view(selected)
    return html.Div(
        [
            page_header(
                "TOO POC Duty Scheduler",
                "Who is the TOO point of contact, week by week (Monday to Sunday). Past 30 days and the months ahead.",
            ),
            dcc.Store(id=Ids.VERSION, data=0),
            dcc.Store(id=Ids.PENDING, data=None),
            html.Div(view.get((Ids.SUMMARY, "children")), id=Ids.SUMMARY, className="mb-2"),
            dbc.Row(
                [
                    dbc.Col(
                        calendar_grid(view.get((Ids.CALENDAR, "rowData"), [])),
                        xs={"size": 12, "order": 2},
                        lg={"size": 8, "order": 1},
                        className="mb-3",
                    ),
                    dbc.Col(
                        [
                            action_panel(selected, view),
                            dbc.Button(
                                "Create open weeks up to 240 days ahead",
                                id=Ids.EXTEND,
                                color="link",
                                size="sm",
                                n_clicks=0,
                                style=view.get((Ids.EXTEND, "style"), HIDDEN),
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
