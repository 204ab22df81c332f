"""Callbacks of the history page `/history/<obsid>` (E10): the obsid prompt and the history view.

`load_history(obsid)` reads `data.revisions.history.obsid_history` in one session and gives the small header, the
small table of current values, and the data of the revisions grid and timeline (`callbacks/_grids_history.py`,
`callbacks/_figures_history.py`); the page layout calls it while it is served (the page arrives filled, one round
trip), "Re-read" calls it again. A down Ocat shows a banner above a complete revision part.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from dash import Dash, Input, Output, State, html, no_update

from callbacks._context import now, ocat_source, session_scope, settings
from callbacks._figures_history import timeline_figure
from callbacks._grids_history import current_rows, revision_rows
from data.clock import local_text
from data.errors import UsintError
from data.ids import parse_obsid
from data.revisions.history import ObsidHistory, obsid_history
from pages._components import history_parts as ui
from pages._ids import HistoryIds

OUTPUTS = ("content", "hidden", "current", "figure", "revisions", "feedback")


def goto(_clicks: int | None, _submits: int | None, text: str | None) -> tuple[Any, str]:
    """The prompt: open `/history/<obsid>` or say what is wrong with the input."""
    value = (text or "").strip()
    if not value:
        return no_update, "Please enter an obsid, e.g. 12345."
    obsid = parse_obsid(value)
    if obsid is None:
        return no_update, f"“{value[:40]}” is not an obsid (a whole number, e.g. 12345)."
    return f"/history/{obsid}", ""


def _hidden(content: Any, feedback: str = "") -> tuple[Any, ...]:
    """Only the header part (prompt, no revisions): the body hidden, its grids and figure emptied."""
    return content, True, [], {}, [], feedback


def build_content(data: ObsidHistory, zone_name: str) -> tuple[Any, ...]:
    """Everything the page shows for an `ObsidHistory` (no DB, no Ocat), in `OUTPUTS` order."""
    if data.empty:
        return _hidden(html.Div(ui.no_revisions(data.obsid)))
    fmt = partial(local_text, zone=zone_name)
    alerts = []
    if data.ocat_error:
        alerts.append(ui.banner(f"The Ocat cannot be read, so current values are not shown ({data.ocat_error})."))
    elif data.ocat_missing:
        alerts.append(ui.banner(f"Obsid {data.obsid} is not in the Ocat, so current values are not shown."))
    header = html.Div([ui.header(data.obsid, data.targname, data.status, len(data.revisions), zone_name), *alerts])
    current = ui.current_grid(current_rows(data))
    return header, False, current, timeline_figure(data, zone_name), revision_rows(data, fmt), ""


def load_history(obsid: str | None) -> tuple[Any, ...]:
    """The page for its obsid, in `OUTPUTS` order."""
    if not obsid:
        return _hidden(ui.prompt())
    number = parse_obsid(obsid)
    if number is None:
        return _hidden(ui.prompt(), f"“{obsid[:40]}” is not an obsid (a whole number, e.g. 12345).")
    conf = settings()
    try:
        source = ocat_source()
    except UsintError:
        source = None
    with session_scope(readonly=True) as session:
        data = obsid_history(session, source, number, now=now(), obs_ss=conf.obs_ss)
    return build_content(data, conf.timezone)


def reread_history(obsid: str | None, _clicks: int | None) -> tuple[Any, ...]:
    """ "Re-read": the same data again, with the revisions and the Ocat as they are now (the page arrives filled)."""
    return load_history(obsid)


def register(app: Dash) -> None:
    app.callback(
        Output(HistoryIds.CONTENT, "children"),
        Output(HistoryIds.BODY, "hidden"),
        Output(HistoryIds.CURRENT, "children"),
        Output(HistoryIds.TIMELINE, "figure"),
        Output(HistoryIds.REVISIONS, "rowData"),
        Output(HistoryIds.FEEDBACK, "children"),
        Input(HistoryIds.OBSID, "data"),
        Input(HistoryIds.REFRESH, "n_clicks"),
        prevent_initial_call=True,
    )(reread_history)
    app.callback(
        Output(HistoryIds.REDIRECT, "href"),
        Output(HistoryIds.FEEDBACK, "children", allow_duplicate=True),
        Input(HistoryIds.GO, "n_clicks"),
        Input(HistoryIds.INPUT, "n_submit"),
        State(HistoryIds.INPUT, "value"),
        prevent_initial_call=True,
    )(goto)
