"""Callbacks of Remove Accidental Submission (other-pages §7, D17): the list, the confirm dialog, the undo.

The listing comes from `data.revisions.undo` (over `data.revisions.signoffs.undoable`); the undo is `data.revisions.signoffs.undo_signoff` /
`undo_revision`, which check ownership and the window again, write the `events` row and the operation log line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks._context import current_user, now, session_scope, settings
from data.clock import local_text
from data.errors import Conflict, Forbidden, NotFound
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from data.revisions.signoffs import DISCARD_ITEM
from data.revisions.undo import REVISION, recent_rows, reversible_items, undo
from data.users import acting_user, get_user
from pages._ids import UndoIds

SHOWN = 50
"""How many reversible items the page lists unless asked for all (`/rm_submission?all=1`)."""
HEADINGS = (
    "ObsID.Rev#",
    "General Sign Off",
    "ACIS Sign Off",
    "ACIS SI Mode Sign Off",
    "HRC SI Mode Sign Off",
    "Verified by",
)


def _date(moment: datetime | None) -> str:
    """v2.1's short date and time, in the site's zone with its label (data.clock.local_text)."""
    return local_text(moment, settings().timezone, "%m/%d/%y %H:%M", empty="")


def _remove(obsidrev: str, column: str, label: str = "Remove") -> dbc.Button:
    return dbc.Button(label, id=UndoIds.remove_button(obsidrev, column), color="danger", size="sm", n_clicks=0)


def _signoff_cell(view: Any, column: str, reversible: Sequence[str]) -> html.Td:
    if column in reversible:
        return html.Td(_remove(view.obsidrev, column))
    if column == "usint" and DISCARD_ITEM in reversible:
        return html.Td(_remove(view.obsidrev, DISCARD_ITEM, "Undo Discard"))
    state = view.signoff[column]
    if state["status"] == "Signed":
        return html.Td(f"{state['user'] or ''} {_date(state['time'])}".strip())
    return html.Td(state["status"])


def undo_table(rows: Sequence[tuple[Any, Sequence[str], bool]]) -> dbc.Table:
    """One row per revision: the obsid cell (link, sequence number, date, Remove or the submitter), then a cell per
    sign-off column with a Remove button where this user may undo it."""
    body = []
    for view, columns, removable in rows:
        first = html.Td(
            [
                html.A(view.obsidrev, href=f"/chkupdata/{view.obsidrev}", target=f"Chkupdata{view.obsidrev}"),
                html.Div(f"{view.kind} · seq {view.sequence_number} · {_date(view.time)}", className="small"),
                _remove(view.obsidrev, REVISION) if removable else html.Div(view.user, className="small text-muted"),
            ]
        )
        body.append(
            html.Tr(
                [first] + [_signoff_cell(view, c, columns) for c in SIGNOFF_COLUMNS], **{"data-obsidrev": view.obsidrev}
            )
        )
    head = html.Thead(html.Tr([html.Th(h) for h in HEADINGS]))
    return dbc.Table([head, html.Tbody(body)], bordered=True, size="sm", className="usint-undo")


def _shown_note(shown: int, total: int) -> html.P:
    """Says that only the newest items are listed, and links to all of them."""
    return html.P(
        [
            f"Showing the {shown} newest of the {total} entries you can undo. ",
            html.A(f"Show all {total}", href="/rm_submission?all=1"),
            ".",
        ],
        className="small",
    )


def list_reversible(_tick: int | None, show_all: bool | None = False) -> Any:
    """The user's reversible items (the newest `SHOWN` unless `show_all`), or (when there are none) their 10 newest
    rows read-only. The page layout calls it as it is served; the callback reloads it after an undo."""
    who = current_user()
    if not who.username or not who.registered:
        return dbc.Alert("Only registered USINT users can undo their submissions.", color="warning")
    hours = settings().closed_window_h
    with session_scope(readonly=True) as session:
        user = get_user(session, who.username)
        items = reversible_items(session, user, now(), hours)
        recent = [] if items else recent_rows(session, user)
    if items:
        listed = items if show_all else items[:SHOWN]
        return html.Div(
            [
                html.P(
                    f"The entries with a Remove button can be undone: your own sign-offs of the last {hours:g} hours, "
                    f"and your own revisions of the last {hours:g} hours that nobody else has signed. A missing "
                    "button means someone else has signed since, or the action is older than that.",
                    className="fw-semibold",
                ),
                html.P(
                    "Undoing a sign-off sets the column back to Pending; undoing the USINT verification of an "
                    "approval (asis) re-opens it. Undoing a Discard puts back every column it closed. A sign-off that a "
                    "later step stands on (USINT's verification, an approval) is undone after that step. Removing a "
                    "revision deletes it; the audit trail keeps a copy.",
                    className="small",
                ),
                _shown_note(SHOWN, len(items)) if len(listed) < len(items) else None,
                undo_table([(i.revision, i.columns, i.revision_removable) for i in listed]),
            ]
        )
    return html.Div(
        [
            html.H4("There is no entry that you can reverse the sign-off status.", className="h5"),
            html.P("You can undo an entry when:", className="fw-semibold mb-1"),
            html.Ul(
                [
                    html.Li("you made it (a sign-off or a submitted revision);"),
                    html.Li(f"it is less than {hours:g} hours old;"),
                    html.Li("for a revision: nobody else has signed it."),
                ]
            ),
            html.P("Your 10 most recent revisions:", className="mb-1"),
            undo_table([(v, (), False) for v in recent]) if recent else html.P("None.", className="text-muted"),
        ]
    )


def describe(obsidrev: str, column: str) -> str:
    if column == REVISION:
        return f"Remove revision {obsidrev}? It is deleted with its requests and sign-offs."
    if column == DISCARD_ITEM:
        return f"Undo your Discard of {obsidrev}? Every column it closed goes back to Pending."
    return f"Undo your {SIGNOFF_LABELS.get(column, column)} sign-off of {obsidrev}? The column goes back to Pending."


def ask_confirm(_removes: list[int | None], _cancel: int | None) -> tuple[bool, Any, Any]:
    """Open the dialog for the pressed Remove button (or close it on Cancel)."""
    trigger = ctx.triggered_id
    if trigger == UndoIds.CANCEL:
        return False, no_update, None
    if not isinstance(trigger, dict) or not ctx.triggered or not ctx.triggered[0].get("value"):
        raise PreventUpdate  # buttons appearing after a re-render, not a click
    target = {"obsidrev": trigger["obsidrev"], "column": trigger["column"]}
    return True, describe(target["obsidrev"], target["column"]), target


def confirm_undo(_clicks: int | None, target: dict[str, str] | None, tick: int | None) -> tuple[Any, bool, int, Any]:
    """(message, dialog open, list reload tick, target): undo the item, checked again on the server."""
    if not target:
        raise PreventUpdate
    who = current_user()
    try:
        with session_scope() as session:
            user = acting_user(session, who)
            undo(
                session,
                target["obsidrev"],
                target["column"],
                user=user,
                now=now(),
                closed_window_h=settings().closed_window_h,
            )
    except (Forbidden, Conflict, NotFound) as err:
        message = dbc.Alert(err.user_message, color="danger", dismissable=True, className="py-2")
        return message, False, (tick or 0) + 1, None
    what = {REVISION: "Removed revision", DISCARD_ITEM: "Undid the Discard of"}.get(
        target["column"], "Undid the sign-off of"
    )
    done = dbc.Alert(f"{what} {target['obsidrev']}.", color="success", dismissable=True, className="py-2")
    return done, False, (tick or 0) + 1, None


def register(app: Dash) -> None:
    app.callback(
        Output(UndoIds.LIST, "children"),
        Input(UndoIds.LOAD, "data"),
        State(UndoIds.SHOW_ALL, "data"),
        prevent_initial_call=True,
    )(list_reversible)
    app.callback(
        Output(UndoIds.MODAL, "is_open"),
        Output(UndoIds.MODAL_BODY, "children"),
        Output(UndoIds.TARGET, "data"),
        Input(UndoIds.remove_button(ALL, ALL), "n_clicks"),
        Input(UndoIds.CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )(ask_confirm)
    app.callback(
        Output(UndoIds.RESULT, "children"),
        Output(UndoIds.MODAL, "is_open", allow_duplicate=True),
        Output(UndoIds.LOAD, "data"),
        Output(UndoIds.TARGET, "data", allow_duplicate=True),
        Input(UndoIds.CONFIRM, "n_clicks"),
        State(UndoIds.TARGET, "data"),
        State(UndoIds.LOAD, "data"),
        prevent_initial_call=True,
    )(confirm_undo)
