"""Callbacks of the analytics page (E10): the filters drive every figure; a CSV of the table; sky-map click-through.

`analytics_figures(start, end, instruments)` reads `data.analytics.compute` in one session and builds the figures
with the pure `callbacks._figures_analytics`. Dates are whole days in the display time zone (D4). The page arrives
drawn for the default filters (`pages/analytics.py` calls `analytics_figures` while Dash Pages serves it), so the
figure callback runs only when a filter changes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, no_update
from dash.exceptions import PreventUpdate

from callbacks import _figures_analytics as figs
from callbacks._context import live_boards, now, ocat_lookups, ocat_source, session_scope, settings
from data import analytics
from data.csv_export import frame_csv
from data.errors import UsintError, ValidationFailed
from pages._ids import AnalyticsIds

MAX_DAYS = 366 * 10


def date_range(start_date: str | None, end_date: str | None, zone: str, today: date) -> tuple[datetime, datetime]:
    """The date inputs' days (ISO) → [start, stop) as aware datetimes: local midnights, the end day included."""
    try:
        first = date.fromisoformat((start_date or "")[:10]) if start_date else today - timedelta(days=365)
        last = date.fromisoformat((end_date or "")[:10]) if end_date else today
    except ValueError as err:
        raise ValidationFailed({"dates": f"Not a date: {err}"}) from err
    if last < first:
        first, last = last, first
    if (last - first).days > MAX_DAYS:
        raise ValidationFailed({"dates": "Choose at most ten years"})
    tz = ZoneInfo(zone)
    return datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)


def _source() -> Any:
    try:
        return ocat_source()
    except UsintError:
        return None


def load(
    start_date: str | None, end_date: str | None, instruments: list[str] | None
) -> tuple[analytics.AnalyticsData, str]:
    conf = settings()
    moment = now()
    start, stop = date_range(start_date, end_date, conf.timezone, moment.astimezone(ZoneInfo(conf.timezone)).date())
    with session_scope(readonly=True) as session:
        data = analytics.compute(
            session,
            _source(),
            start,
            stop,
            instruments or None,
            now=moment,
            obs_ss=conf.obs_ss,
            lookups=ocat_lookups(),
            frames=live_boards().derived.setdefault("analytics_frames", analytics.KeptFrames()),
        )
    scope = figs.scope_text(start.date().isoformat(), (stop - timedelta(days=1)).date().isoformat(), instruments)
    return data, scope


def build_figures(data: analytics.AnalyticsData, scope: str, zone: str) -> list[Any]:
    """The seven figures, in the order of the page's outputs (pure)."""
    return [
        figs.weekly_figure(data.weekly, scope, zone),
        figs.turnaround_figure(data.turnaround, scope),
        figs.backlog_figure(data.backlog, scope, zone),
        figs.age_figure(data.ages, scope),
        figs.counts_figure(data.by_instrument, "instrument", "Revisions by instrument", scope),
        figs.counts_figure(data.by_submitter, "user", "Revisions by submitter", scope),
        figs.sky_figure(data.sky, scope),
    ]


def summary_text(data: analytics.AnalyticsData, scope: str) -> str:
    actions = dict(zip(data.actions["action"], data.actions["count"], strict=True)) if len(data.actions) else {}
    parts = [
        f"{scope}: {data.submitted} revisions submitted",
        f"{data.open_now} open now (older ones still open included)",
    ]
    if actions:
        parts.append("audit trail: " + ", ".join(f"{k} {v}" for k, v in sorted(actions.items())))
    return "; ".join(parts) + "."


def analytics_figures(start_date: str | None, end_date: str | None, instruments: list[str] | None) -> list[Any]:
    """Every figure, the summary line and the Ocat banner for the filters."""
    conf = settings()
    data, scope = load(start_date, end_date, instruments)
    banner = None
    if data.ocat_error:
        banner = dbc.Alert(
            f"The Ocat cannot be read, so instruments are unknown and the sky map is empty ({data.ocat_error}).",
            color="warning",
            className="py-2 usint-ocat-down",
        )
    return [*build_figures(data, scope, conf.timezone), summary_text(data, scope), banner]


def download_csv(
    n_clicks: int | None, start_date: str | None, end_date: str | None, instruments: list[str] | None
) -> dict[str, Any]:
    """The table behind the figures as CSV (one row per revision, times in the display zone)."""
    if not n_clicks:
        raise PreventUpdate
    data, _scope = load(start_date, end_date, instruments)
    table = analytics.export_table(data.frame, settings().timezone)
    name = f"usint-revisions-{(start_date or '')[:10]}-{(end_date or '')[:10]}.csv"
    return dcc.send_string(frame_csv(table), name, type="text/csv")


def open_history(click: dict[str, Any] | None) -> Any:
    """A click on a sky-map point opens that obsid's history."""
    points = (click or {}).get("points") or []
    if not points or not points[0].get("customdata"):
        return no_update
    try:
        obsid = int(points[0]["customdata"][0])
    except (TypeError, ValueError):
        return no_update
    return f"/history/{obsid}"


def register(app: Dash) -> None:
    ids = AnalyticsIds
    app.callback(
        Output(ids.WEEKLY, "figure"),
        Output(ids.TURNAROUND, "figure"),
        Output(ids.BACKLOG, "figure"),
        Output(ids.AGES, "figure"),
        Output(ids.BY_INSTRUMENT, "figure"),
        Output(ids.BY_SUBMITTER, "figure"),
        Output(ids.SKY, "figure"),
        Output(ids.SUMMARY, "children"),
        Output(ids.BANNER, "children"),
        Input(ids.START, "value"),
        Input(ids.END, "value"),
        Input(ids.INSTRUMENTS, "value"),
        prevent_initial_call=True,  # the layout arrives with the default filters' figures
    )(analytics_figures)
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.CSV, "n_clicks"),
        State(ids.START, "value"),
        State(ids.END, "value"),
        State(ids.INSTRUMENTS, "value"),
        prevent_initial_call=True,
    )(download_csv)
    app.callback(Output(ids.REDIRECT, "href"), Input(ids.SKY, "clickData"), prevent_initial_call=True)(open_history)
