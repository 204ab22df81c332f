"""Callbacks of the history page `/history/<obsid>` (E10): the obsid prompt and the history view.

`load_history(obsid)` reads `data.revisions.history.obsid_history` in one session and builds the page with the pure
`build_content`; a down Ocat shows a banner above a complete revision part.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import Dash, Input, Output, State, html, no_update

from callbacks._check_rows import show
from callbacks._context import now, ocat_source, session_scope, settings
from callbacks._figures_history import timeline_figure
from data.errors import UsintError
from data.models import DISCARD, NOT_REQUIRED
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from data.revisions.history import HistoryEvent, ObsidHistory, obsid_history
from pages._components import history_parts as ui
from pages._ids import HistoryIds

_OBSID = re.compile(r"^\s*(\d{1,9})\s*$")
EVENT_TEXT = {
    "submit": "submitted",
    "approve": "signed USINT verification and approved",
    "discard": "discarded",
    "undo.revision": "removed the revision",
}


def parse_obsid(text: str | None) -> int | None:
    match = _OBSID.match(text or "")
    return int(match.group(1)) if match else None


def goto(_clicks: int | None, _submits: int | None, text: str | None) -> tuple[Any, str]:
    """The prompt: open `/history/<obsid>` or say what is wrong with the input."""
    value = (text or "").strip()
    if not value:
        return no_update, "Please enter an obsid, e.g. 12345."
    obsid = parse_obsid(value)
    if obsid is None:
        return no_update, f"“{value[:40]}” is not an obsid (a whole number, e.g. 12345)."
    return f"/history/{obsid}", ""


def _fmt(zone: ZoneInfo):
    def fmt(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if moment else "—"

    return fmt


def event_text(event: HistoryEvent, fmt: Any) -> str:
    """One audit event as a sentence."""
    action = event.action
    if action.startswith("sign."):
        what = f"signed {SIGNOFF_LABELS.get(action[5:], action[5:])}"
    elif action.startswith("undo.") and action != "undo.revision":
        what = f"undid the {SIGNOFF_LABELS.get(action[5:], action[5:])} sign-off"
    else:
        what = EVENT_TEXT.get(action, action)
    return f"{fmt(event.time)}: {event.user or 'someone'} {what}"


def _state(view: Any) -> str:
    statuses = [s["status"] for s in view.signoff.values()]
    if "Pending" in statuses:
        return "open"
    if DISCARD in statuses:
        return "discarded"
    return {"asis": "approved", "remove": "removed"}.get(view.kind, "closed")


def build_content(data: ObsidHistory, zone_name: str) -> html.Div:
    """The whole history view from an `ObsidHistory` (no DB, no Ocat): testable without a request."""
    if data.empty:
        return html.Div(ui.no_revisions(data.obsid))
    fmt = _fmt(ZoneInfo(zone_name))
    alerts = []
    if data.ocat_error:
        alerts.append(ui.banner(f"The Ocat cannot be read, so current values are not shown ({data.ocat_error})."))
    elif data.ocat_missing:
        alerts.append(ui.banner(f"Obsid {data.obsid} is not in the Ocat, so current values are not shown."))
    known = data.ocat_error is None and not data.ocat_missing
    current_rows = [
        {
            "label": r.label,
            "unit": r.unit,
            "requested": show(r.requested),
            "revision": r.revision,
            "current": show(r.current) if known else "unavailable",
            "state": "unknown" if r.applied is None else ("applied" if r.applied else "pending"),
        }
        for r in data.current
    ]
    by_target: dict[str, list[str]] = {}
    for event in data.events:
        by_target.setdefault(event.target, []).append(event_text(event, fmt))
    cards = []
    for view in reversed(data.revisions):
        signoffs = [
            {
                "label": SIGNOFF_LABELS[c],
                "status": view.signoff[c]["status"],
                "user": view.signoff[c]["user"],
                "time": fmt(view.signoff[c]["time"]),
            }
            for c in SIGNOFF_COLUMNS
            if view.signoff[c]["status"] != NOT_REQUIRED
        ]
        changes = [
            {"label": c.label, "unit": c.unit, "original": show(c.original) if c.has_original else "n/a",
             "requested": show(c.requested)}
            for c in data.changes.get(view.obsidrev, [])
        ]  # fmt: skip
        cards.append(
            ui.revision_card(
                {
                    "obsidrev": view.obsidrev,
                    "kind": view.kind,
                    "user": view.user,
                    "time": fmt(view.time),
                    "state": _state(view),
                    "signoffs": signoffs,
                    "changes": changes,
                    "events": by_target.get(view.obsidrev, []),
                }
            )  # fmt: skip
        )
    removed = [ui.removed_card(rev, by_target.get(rev, [])) for rev in data.removed]
    return html.Div(
        [
            ui.header(data.obsid, data.targname, data.status, len(data.revisions), zone_name),
            *alerts,
            ui.current_table(current_rows),
            ui.timeline(timeline_figure(data, zone_name)),
            html.H4("Revisions, newest first", className="h5 mt-3"),
            *cards,
            *removed,
        ],
        className="usint-history",
    )


def load_history(obsid: str | None) -> tuple[Any, str]:
    """(content, prompt message) for the page's obsid."""
    if not obsid:
        return ui.prompt(), ""
    number = parse_obsid(obsid)
    if number is None:
        return ui.prompt(), f"“{obsid[:40]}” is not an obsid (a whole number, e.g. 12345)."
    conf = settings()
    try:
        source = ocat_source()
    except UsintError:
        source = None
    with session_scope(readonly=True) as session:
        data = obsid_history(session, source, number, now=now(), obs_ss=conf.obs_ss)
    return build_content(data, conf.timezone), ""


def register(app: Dash) -> None:
    app.callback(
        Output(HistoryIds.CONTENT, "children"),
        Output(HistoryIds.FEEDBACK, "children"),
        Input(HistoryIds.OBSID, "data"),
    )(load_history)
    app.callback(
        Output(HistoryIds.REDIRECT, "href"),
        Output(HistoryIds.FEEDBACK, "children", allow_duplicate=True),
        Input(HistoryIds.GO, "n_clicks"),
        Input(HistoryIds.INPUT, "n_submit"),
        State(HistoryIds.INPUT, "value"),
        prevent_initial_call=True,
    )(goto)
