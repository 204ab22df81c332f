"""Callbacks of the status board (`/orupdate`): refresh through the change token, and the sign-off actions.

The page arrives filled (`pages/board.py` calls `build_board` while Dash Pages serves it), so nothing here runs
at load. Refresh: every `board_refresh_s` the interval asks for `data.board.rows.change_token` (one tiny query).
When the token equals the one in the browser's store and no closed row has aged out, nothing is re-read or re-sent
(PreventUpdate). Otherwise the live board (`data.board.live`) catches up, re-reading only the obsids that
changed, and the grid gets new `rowData` (rows re-formatted only where they changed); `getRowId` makes
ag-grid update rows in place, keeping the user's sort, filter and scroll, and changed rows flash (CSS).

Actions: a click on a Sign / Signoff & Approve / Discard cell opens a confirm dialog holding what the user
saw (`expected`); Confirm runs `data.board.actions.perform` in one transaction (permission re-checked on the
server, e-mails queued with it), then sends the outbox after commit.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, Patch, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import _grids_board as grids
from callbacks._context import current_user, live_boards, now, ocat_lookups, ocat_source, session_scope, settings
from data.board.actions import perform
from data.board.rows import change_token
from data.errors import Conflict, Forbidden, NotFound
from pages._components.board_wall import wall_tiles
from pages._ids import BoardIds


def _ocat() -> Any:
    try:
        return ocat_source()
    except Exception:
        return None


def build_board(
    *, kiosk: bool, mine_first: bool, since: float | None
) -> tuple[list[dict[str, Any]], dict[str, Any], str, str, str]:
    """Read the board and shape it: (rowData, token store, updated text, summary, Ocat notice)."""
    conf = settings()
    moment = now()
    who = current_user()
    with session_scope(readonly=True) as session:
        board = live_boards().current(
            session, now=moment, closed_window_h=conf.closed_window_h, ocat=_ocat(), lookups=ocat_lookups()
        )
    meta = board.meta
    rows = grids.grid_rows(
        board,
        cache=live_boards().derived.setdefault("grid_rows", grids.GridRowCache()),
        user=who,
        permissions=conf.permissions,
        tz=conf.timezone,
        mine_first=mine_first,
        kiosk=kiosk,
        since=since,
    )
    store = {
        "token": meta.token,  # the token the rows are as of (read once, with them)
        "expires": meta.next_expiry.timestamp() if meta.next_expiry else None,
        "at": moment.timestamp(),
        "zone": conf.timezone,
    }
    notice = "" if meta.ocat_ok else "The Ocat cannot be reached: target and PI are not shown."
    return rows, store, grids.updated_text(moment, conf.timezone), grids.describe(board, conf.closed_window_h), notice


def refresh_board(
    _ticks: int | None,
    _done: Any,
    mine_first: bool | None,
    kiosk: bool | None,
    stored: dict[str, Any] | None,
) -> tuple[Any, ...]:
    """Refresh on a changed token (in full while the page has none), on an action, or on "my revisions first"."""
    trigger = ctx.triggered_id if ctx.triggered else None
    if stored and trigger == BoardIds.TICK:
        with session_scope(readonly=True) as session:
            token = change_token(session)
        expires = stored.get("expires")
        if token == stored.get("token") and (expires is None or now().timestamp() < expires):
            raise PreventUpdate
    since = stored.get("at") if stored else None
    built = build_board(kiosk=bool(kiosk), mine_first=bool(mine_first), since=since)
    if not kiosk:
        return (*built, no_update)
    return (*built, wall_tiles(grids.wall_tiles(built[0])))


def quick_filter(text: str | None) -> Patch:
    patch = Patch()
    patch["quickFilterText"] = text or ""
    return patch


def choose_action(cell: dict[str, Any] | None, kiosk: bool | None) -> tuple[Any, Any, Any]:
    """A click on a button cell opens the confirm dialog with what the user saw."""
    action = None if kiosk else grids.click_action(cell)
    if action is None:
        raise PreventUpdate
    return True, grids.confirm_text(action), action


def close_dialog(_n: int | None) -> bool:
    return False


def run_action(_n: int | None, action: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    """Confirm: do the action (server-side permission and state checks), then send the queued e-mails."""
    if not action:
        raise PreventUpdate
    conf = settings()
    moment = now()
    try:
        with session_scope() as session:
            result = perform(
                session,
                action["obsidrev"],
                action["column"],
                action["action"],
                identity=current_user(),
                expected=action.get("expected"),
                now=moment,
                settings=conf,
                ocat=_ocat(),
            )
    except (Conflict, Forbidden, NotFound) as err:
        # Expected outcomes: somebody was first, or this user may not. Show it and refresh the board.
        alert = html.Div(err.user_message, className="alert alert-warning py-2 board-result", role="alert")
        return alert, False, moment.timestamp()
    text = result.message  # the commit woke the mail sender (D21)
    if result.mails:
        text += f" E-mail: {'; '.join(result.mails)}."
    if not result.ocat_ok:
        text += " (The Ocat could not be read, so no TOO/DDT routing e-mail was checked.)"
    alert = html.Div(text, className="alert alert-success py-2 board-result", role="status")
    return alert, False, moment.timestamp()


CHECKED_JS = """
function(n, stored) {
    // The board's one display zone (settings.timezone, in the token store), labelled as `updated_text` is.
    const zone = stored && stored.zone;
    if (!zone) { return window.dash_clientside.no_update; }
    const parts = new Intl.DateTimeFormat('en-US', {hour: '2-digit', minute: '2-digit', second: '2-digit',
        hourCycle: 'h23', timeZone: zone, timeZoneName: 'short'}).formatToParts(new Date());
    const part = (type) => (parts.find((p) => p.type === type) || {}).value || '';
    return 'checked ' + part('hour') + ':' + part('minute') + ':' + part('second') + ' ' + part('timeZoneName');
}
"""


def register(app: Dash) -> None:
    app.callback(
        Output(BoardIds.GRID, "rowData"),
        Output(BoardIds.TOKEN, "data"),
        Output(BoardIds.UPDATED, "children"),
        Output(BoardIds.SUMMARY, "children"),
        Output(BoardIds.OCAT_NOTICE, "children"),
        Output(BoardIds.TILES, "children"),
        Input(BoardIds.TICK, "n_intervals"),
        Input(BoardIds.DONE, "data"),
        Input(BoardIds.MINE_FIRST, "value"),
        State(BoardIds.KIOSK, "data"),
        State(BoardIds.TOKEN, "data"),
        prevent_initial_call=True,  # the layout arrives with the rows
    )(refresh_board)
    app.callback(
        Output(BoardIds.GRID, "dashGridOptions"),
        Input(BoardIds.QUICK_FILTER, "value"),
        prevent_initial_call=True,
    )(quick_filter)
    app.callback(
        Output(BoardIds.MODAL, "is_open"),
        Output(BoardIds.MODAL_BODY, "children"),
        Output(BoardIds.PENDING_ACTION, "data"),
        Input(BoardIds.GRID, "cellClicked"),
        State(BoardIds.KIOSK, "data"),
        prevent_initial_call=True,
    )(choose_action)
    app.callback(
        Output(BoardIds.MODAL, "is_open", allow_duplicate=True),
        Input(BoardIds.CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )(close_dialog)
    app.callback(
        Output(BoardIds.RESULT, "children"),
        Output(BoardIds.MODAL, "is_open", allow_duplicate=True),
        Output(BoardIds.DONE, "data"),
        Input(BoardIds.CONFIRM, "n_clicks"),
        State(BoardIds.PENDING_ACTION, "data"),
        prevent_initial_call=True,
    )(run_action)
    app.clientside_callback(
        CHECKED_JS,
        Output(BoardIds.CHECKED, "children"),
        Input(BoardIds.TICK, "n_intervals"),
        State(BoardIds.TOKEN, "data"),
    )
