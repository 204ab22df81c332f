"""API routes: the TOO duty calendar as JSON and as an iCalendar feed (INTERFACE.md, `GET /api/v1/schedule`).

Both take optional `?start=YYYY-MM-DD&stop=YYYY-MM-DD` (default: the page's window, 30 days back to the end of
the calendar). Bad dates answer 400 with a message.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlparse

from flask import Response, jsonify, request
from icalendar import Calendar, Event

from api._blueprint import bp
from data import clock
from data.schedule import LOOK_BACK_DAYS, Period, as_date, list_periods, local_today
from web.db import resources, session_scope

FAR_AHEAD_DAYS = 3660


def _window() -> tuple[date, date]:
    today = local_today(clock.now(), resources().settings.timezone)
    start = as_date(request.args["start"]) if request.args.get("start") else today - timedelta(days=LOOK_BACK_DAYS)
    stop = as_date(request.args["stop"]) if request.args.get("stop") else today + timedelta(days=FAR_AHEAD_DAYS)
    return start, stop


def _periods() -> list[Period]:
    start, stop = _window()
    with session_scope(readonly=True) as session:
        return list_periods(session, start=start, stop=stop)


def period_json(p: Period) -> dict[str, Any]:
    return {
        "id": p.id,
        "start": p.start.isoformat(),
        "stop": p.stop.isoformat(),
        "user": p.user,
        "full_name": p.full_name,
        "assigner": p.assigner,
        "days": p.days,
        "nonstandard": p.nonstandard,
        "gap_before": p.gap_before,
        "overlap": p.overlap,
    }


@bp.get("/schedule")
def schedule_json() -> Any:
    """Duty periods: `id`, `start`, `stop` (dates), `user` (username, or null for TBD), and more."""
    return jsonify([period_json(p) for p in _periods()])


def ics_calendar(periods: list[Period], *, base_url: str, stamp: Any) -> bytes:
    """One all-day event per period (DTEND is the day after the last duty day, as RFC 5545 wants)."""
    cal = Calendar()
    cal.add("prodid", "-//USINT Dash//TOO POC duty calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "TOO POC duty")
    link = f"{base_url.rstrip('/')}/scheduler"
    for p in periods:
        event = Event()
        event.add("uid", f"usint-schedule-{p.id}@{_host(base_url)}")
        event.add("dtstamp", stamp)
        event.add("dtstart", p.start)
        event.add("dtend", p.stop + timedelta(days=1))
        event.add("summary", f"TOO POC: {p.display_name}")
        lines = [f"TOO point of contact: {p.display_name}" + (f" ({p.user})" if p.user else "")]
        if p.assigner and p.assigner != p.user:
            lines.append(f"Assigned by {p.assigner}")
        lines.append(link)
        event.add("description", "\n".join(lines))
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()


def _host(base_url: str) -> str:
    return urlparse(base_url).hostname or "usint"


@bp.get("/schedule.ics")
def schedule_ics() -> Response:
    """The same periods as an iCalendar feed (text/calendar)."""
    body = ics_calendar(_periods(), base_url=resources().settings.base_url, stamp=clock.now())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="too-poc-duty.ics"'},
    )
