"""Callbacks of the scheduler page: draw the calendar, select a period, run the actions (E10, E11).

The page arrives filled (`pages/scheduler.py` calls `page_view` while Dash Pages serves it), so no callback runs
at load. The calendar is a grid of data rows (`_figures_scheduler.calendar_rows`): a click on a segment selects its
period (`cellClicked`), the outline follows the selection in the browser (a clientside callback marks the rows),
and the server redraws the rows only after an action.

Every action is one transaction through `data.schedule` (which re-checks the permission, D14), writes one
operation-log line on commit and, for sign-up/assign, sends the queued mail after the commit (D21).
Expected refusals (a rule, a period taken meanwhile) are shown next to the actions; a missing permission
raises `Forbidden`, which the app's error funnel shows as a toast.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from callbacks import _figures_scheduler as fig
from callbacks._context import current_user, now, session_scope, settings
from data import oplog, schedule
from data.errors import Conflict, NotFound, ValidationFailed
from data.ids import parse_period_id
from data.settings import Settings
from data.users import can, groups_of, require
from pages._ids import SchedulerIds as Ids
from web.identity import Identity

FAR_AHEAD = timedelta(days=3660)
HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}


def _today() -> date:
    return schedule.local_today(now(), settings().timezone)


def _may_edit() -> bool:
    return can(current_user(), schedule.ACTION, settings().permissions)


# ------------------------------------------------------------------------------------------------ reads


CALENDAR_OUTPUTS = (
    (Ids.CALENDAR, "rowData"),
    (Ids.SUMMARY, "children"),
    (Ids.SELECT, "options"),
    (Ids.EXTEND, "style"),
)
"""What `render_calendar` returns, in order."""
PANEL_OUTPUTS = (
    (Ids.DETAILS, "children"),
    (Ids.SIGN_UP, "disabled"),
    (Ids.ASSIGN_USER, "disabled"),
    (Ids.ASSIGN, "disabled"),
    (Ids.START, "disabled"),
    (Ids.STOP, "disabled"),
    (Ids.CHANGE, "disabled"),
    (Ids.SPLIT, "disabled"),
    (Ids.UNASSIGN, "disabled"),
    (Ids.DELETE, "disabled"),
    (Ids.ASSIGN_USER, "options"),
    (Ids.START, "value"),
    (Ids.STOP, "value"),
    (Ids.ACTIONS, "style"),
    (Ids.READ_ONLY, "children"),
    (Ids.WHY_DISABLED, "children"),
)
"""What `show_selected` returns, in order."""


def render_calendar(_version: int, selected: int | str | None) -> tuple[Any, ...]:
    """The calendar rows (data), the one-line summary with the colour key, the period choices, and the "create
    weeks" link when there are no periods (the empty grid explains why)."""
    selected = parse_period_id(selected)  # the select gives a chosen option's value as text
    today = _today()
    with session_scope(readonly=True) as session:
        periods = schedule.list_periods(
            session, start=fig.monday(today - timedelta(days=schedule.LOOK_BACK_DAYS)), stop=today + FAR_AHEAD
        )
    options = [fig.period_option(p) for p in periods if p.stop >= today]
    if not periods:
        return [], "No duty periods yet.", options, SHOWN if _may_edit() else HIDDEN
    first, last = fig.window(today, periods, look_back=schedule.LOOK_BACK_DAYS, ahead=schedule.HORIZON_DAYS)
    rows = fig.calendar_rows(periods, today=today, first=first, last=last, selected=selected)
    summary = html.Div(
        [html.Div(fig.summary_line(periods, today=today), className="fw-semibold mb-1"), fig.legend(periods)]
    )
    return rows, summary, options, HIDDEN


def page_view(selected: int | None) -> dict[tuple[str, str], Any]:
    """Everything the page shows at first, by (component id, property): the calendar and the action panel for
    `selected` (the `?period=` deep link), so the page arrives complete."""
    calendar = render_calendar(0, selected)
    panel = show_selected(selected, 0)
    return {**dict(zip(CALENDAR_OUTPUTS, calendar, strict=True)), **dict(zip(PANEL_OUTPUTS, panel, strict=True))}


def select_from_calendar(cell: dict[str, Any] | None) -> int:
    """A click on a calendar segment (ag-grid `cellClicked`) selects its period."""
    period = fig.clicked_period(cell)
    if period is None:
        raise PreventUpdate
    return period


MARK_SELECTED_JS = """
function(chosen, rows) {
    if (!rows) { return window.dash_clientside.no_update; }
    const selected = chosen === null || chosen === undefined || chosen === '' ? null : Number(chosen);
    return rows.map(r => r.kind === 'duty' && r.sel !== selected ? Object.assign({}, r, {sel: selected}) : r);
}
"""
"""Outline the selected period in the browser: the duty rows carry the selection (`sel`), no round trip."""


def show_selected(selected: int | str | None, _version: int) -> tuple[Any, ...]:
    """Details of the selected period and which actions apply to it for this user."""
    selected = parse_period_id(selected)
    who = current_user()
    may_edit = _may_edit()
    read_only = (
        ""
        if may_edit
        else (who.notice or f"Changes need the {' or '.join(settings().permissions.get(schedule.ACTION, ()))} group.")
    )
    off = (True,) * 9
    if selected is None:
        why = "Select a period in the calendar to act on it." if may_edit else ""
        return ("Nothing selected.", *off, [], None, None, SHOWN if may_edit else HIDDEN, read_only, why)
    today = _today()
    with session_scope(readonly=True) as session:
        try:
            period = schedule.get_period(session, selected)
        except NotFound as err:
            return (err.user_message, *off, [], None, None, SHOWN if may_edit else HIDDEN, read_only, "")
        candidates = [
            {"label": f"{u.full_name or u.username} ({u.username})", "value": u.username}
            for u in schedule.duty_candidates(session)
        ]
    details = fig.period_details(period, today=today)
    started = period.start <= today
    open_ = period.tbd and not started
    in_too = schedule.DUTY_GROUP in groups_of(who)
    sign_up_off = not (may_edit and open_ and in_too)
    assign_off = not (may_edit and open_)
    change_off = not (may_edit and open_)
    split_off = not (may_edit and open_ and (period.stop - period.start).days >= schedule.SPLIT_MIN_SPAN)
    unassign_off = not (may_edit and not period.tbd and not started)
    delete_off = not (may_edit and open_)
    return (
        details,
        sign_up_off,
        assign_off,  # the user dropdown
        assign_off,  # the Assign button
        change_off,  # first day
        change_off,  # last day
        change_off,  # Change dates
        split_off,
        unassign_off,
        delete_off,
        candidates,
        period.start.isoformat(),
        period.stop.isoformat(),
        SHOWN if may_edit else HIDDEN,
        read_only,
        why_disabled(period, today=today, may_edit=may_edit, in_too=in_too) if may_edit else "",
    )


def why_disabled(period: Any, *, today: date, may_edit: bool, in_too: bool) -> list[Any]:
    """Why the greyed buttons of the selected period are greyed, in words (one line each)."""
    reasons: list[str] = []
    if period.start <= today:
        reasons.append("This period has started, so it is closed: nothing can be changed.")
    elif not period.tbd:
        reasons.append(
            f"Taken by {period.display_name}: Sign me up, Assign, Change dates, Split and Delete apply to open "
            "(TBD) periods only; Unassign first."
        )
    else:
        if not in_too:
            reasons.append(
                f"“Sign me up” needs the {schedule.DUTY_GROUP.upper()} duty group, which you are not in; "
                "you can assign a TOO member instead."
            )
        if (period.stop - period.start).days < schedule.SPLIT_MIN_SPAN:
            reasons.append(f"“Split” needs a period of at least {schedule.SPLIT_MIN_SPAN + 1} days.")
    return [html.Div(r) for r in reasons]


# ----------------------------------------------------------------------------------------------- writes


def ask_confirm(_unassign: int, _delete: int, _no: int, selected: int | str | None) -> tuple[bool, str, Any]:
    """Unassign and Delete ask first (dbc.Modal); Cancel closes the dialog."""
    selected = parse_period_id(selected)
    trigger = ctx.triggered_id
    if trigger == Ids.CONFIRM_NO:
        return False, "", None
    if selected is None or trigger not in (Ids.UNASSIGN, Ids.DELETE):
        raise PreventUpdate
    with session_scope(readonly=True) as session:
        period = schedule.get_period(session, selected)
    span = schedule.fmt_range(period.start, period.stop)
    if trigger == Ids.UNASSIGN:
        text = f"Unassign {period.display_name} from {span}? The period becomes open (TBD) again."
        return True, text, {"action": "unassign", "period": selected}
    text = (
        f"Delete the open period {span}? Its days go to an adjacent open period "
        "(refused when no adjacent open period can take them within 7 days)."
    )
    return True, text, {"action": "delete", "period": selected}


def _error_text(err: ValidationFailed) -> str:
    return " ".join(dict.fromkeys(err.errors.values())) or err.user_message


EDITS = frozenset({"sign_up", "assign", "change_dates", "split", "unassign", "delete"})
"""The calendar changes a person makes (the `extend` of the horizon aside): the actor is checked first."""


ACTIONS = {
    Ids.SIGN_UP: "sign_up",
    Ids.ASSIGN: "assign",
    Ids.CHANGE: "change_dates",
    Ids.SPLIT: "split",
    Ids.EXTEND: "extend",
}
"""The action each button runs; Unassign and Delete arrive through the dialog's Yes (`PENDING`)."""


def act(
    _sign: int,
    _assign: int,
    _change: int,
    _split: int,
    _yes: int,
    _extend: int,
    selected: int | str | None,
    assignee: str | None,
    start: str | None,
    stop: str | None,
    pending: dict[str, Any] | None,
    version: int,
) -> tuple[Any, ...]:
    """Run the pressed action; returns (message, colour, shown, new version, modal open, selection)."""
    action, selected = _pressed(ctx.triggered_id, parse_period_id(selected), pending)
    if action != "extend" and selected is None:
        return "Select a period first.", "warning", True, no_update, False, no_update
    who, moment, config = current_user(), now(), settings()
    try:
        with session_scope() as session:
            if action == "extend":
                change = _extend_horizon(session, who, moment, config)
            else:
                change = _edit(session, action, selected, who, moment, config, assignee, start, stop)
    except ValidationFailed as err:
        return _error_text(err), "danger", True, no_update, False, no_update
    except (Conflict, NotFound) as err:
        return err.user_message, "warning", True, version + 1, False, no_update
    return _done(change, version)


def _pressed(trigger: Any, selected: int | None, pending: dict[str, Any] | None) -> tuple[str, int | None]:
    """The action the press asks for and its period (the dialog's pending one after Yes); PreventUpdate if none."""
    action = ACTIONS.get(trigger)
    if trigger == Ids.CONFIRM_YES:
        if not pending:
            raise PreventUpdate
        action, selected = pending["action"], pending["period"]
    if action is None:
        raise PreventUpdate
    return action, selected


def _extend_horizon(session: Session, who: Identity, moment: datetime, config: Settings) -> schedule.Change:
    """Create the open weeks the horizon lacks (schedule permission checked first)."""
    require(who, schedule.ACTION, config.permissions)
    added = schedule.extend_horizon(session, today=_today(), now=moment)
    oplog.after_commit(session, who.username, "schedule.extend", "schedule", added=len(added))
    message = f"Created {len(added)} open week(s)." if added else "The calendar already reaches 240 days."
    return schedule.Change(message, None, tuple(p.id for p in added))


def _edit(
    session: Session,
    action: str,
    selected: int | None,
    who: Identity,
    moment: datetime,
    config: Settings,
    assignee: str | None,
    start: str | None,
    stop: str | None,
) -> schedule.Change:
    """One of the `EDITS` on the selected period by the checked actor, with its operation-log line."""
    if action not in EDITS:
        raise PreventUpdate
    user = schedule.calendar_actor(session, who, config.permissions)
    common = {"now": moment, "permissions": config.permissions, "timezone": config.timezone}
    if action == "sign_up":
        change = schedule.sign_up(session, selected, user=user, base_url=config.base_url, **common)
    elif action == "assign":
        change = schedule.assign(session, selected, assignee or "", assigner=user, base_url=config.base_url, **common)
    elif action == "change_dates":
        if not start or not stop:
            raise ValidationFailed({"start": "Give both the first and the last day."})
        change = schedule.change_dates(session, selected, start, stop, user=user, **common)
    elif action == "split":
        change = schedule.split(session, selected, user=user, **common)
    elif action == "unassign":
        change = schedule.unassign(session, selected, user=user, **common)
    else:
        change = schedule.delete_period(session, selected, user=user, **common)
    oplog.after_commit(
        session,
        who.username,
        f"schedule.{action}",
        f"schedule:{selected}",
        touched=",".join(map(str, change.touched)) or None,
        assignee=assignee if action == "assign" else None,
    )
    return change


def _done(change: schedule.Change, version: int) -> tuple[Any, ...]:
    """The success answer of `act`: the message (saying an e-mail is coming), a new version, the new selection."""
    if change.mails:  # the commit woke the mail sender (D21): the e-mail goes after this answer
        change = schedule.Change(
            change.message + " A confirmation e-mail is on its way.", change.period_id, change.touched, change.mails
        )
    new_selection = (
        change.period_id if change.period_id is not None else (change.touched[0] if change.touched else None)
    )
    return change.message, "success", True, version + 1, False, new_selection if new_selection else no_update


def register(app: Dash) -> None:
    app.callback(
        *(Output(i, p) for i, p in CALENDAR_OUTPUTS),
        Input(Ids.VERSION, "data"),
        State(Ids.SELECT, "value"),
        prevent_initial_call=True,  # the layout arrives with the calendar; redrawn after an action
    )(render_calendar)
    app.callback(
        Output(Ids.SELECT, "value"),
        Input(Ids.CALENDAR, "cellClicked"),
        prevent_initial_call=True,
    )(select_from_calendar)
    app.clientside_callback(
        MARK_SELECTED_JS,
        Output(Ids.CALENDAR, "rowData", allow_duplicate=True),
        Input(Ids.SELECT, "value"),
        State(Ids.CALENDAR, "rowData"),
        prevent_initial_call=True,
    )
    app.callback(
        *(Output(i, p) for i, p in PANEL_OUTPUTS),
        Input(Ids.SELECT, "value"),
        Input(Ids.VERSION, "data"),
        prevent_initial_call=True,  # the layout arrives with the panel of the selected period
    )(show_selected)
    app.callback(
        Output(Ids.MODAL, "is_open"),
        Output(Ids.CONFIRM_TEXT, "children"),
        Output(Ids.PENDING, "data"),
        Input(Ids.UNASSIGN, "n_clicks"),
        Input(Ids.DELETE, "n_clicks"),
        Input(Ids.CONFIRM_NO, "n_clicks"),
        State(Ids.SELECT, "value"),
        prevent_initial_call=True,
    )(ask_confirm)
    app.callback(
        Output(Ids.MESSAGE, "children"),
        Output(Ids.MESSAGE, "color"),
        Output(Ids.MESSAGE, "is_open"),
        Output(Ids.VERSION, "data"),
        Output(Ids.MODAL, "is_open", allow_duplicate=True),
        Output(Ids.SELECT, "value", allow_duplicate=True),
        Input(Ids.SIGN_UP, "n_clicks"),
        Input(Ids.ASSIGN, "n_clicks"),
        Input(Ids.CHANGE, "n_clicks"),
        Input(Ids.SPLIT, "n_clicks"),
        Input(Ids.CONFIRM_YES, "n_clicks"),
        Input(Ids.EXTEND, "n_clicks"),
        State(Ids.SELECT, "value"),
        State(Ids.ASSIGN_USER, "value"),
        State(Ids.START, "value"),
        State(Ids.STOP, "value"),
        State(Ids.PENDING, "data"),
        State(Ids.VERSION, "data"),
        prevent_initial_call=True,
    )(act)
