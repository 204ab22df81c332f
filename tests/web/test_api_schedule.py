"""`GET /api/v1/schedule` and `/api/v1/schedule.ics`: the same periods as JSON and as an iCalendar feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import delete

from data import clock, schedule
from data.db import session_scope
from data.models import Schedule
from data.users import get_user


@pytest.fixture
def filled(app: Any) -> dict[str, Any]:
    """An empty calendar extended 60 days ahead, next week's period taken by erin (assigned by demo)."""
    sessions = app.server.extensions["usint"].sessions
    today = schedule.local_today(clock.now(), "America/New_York")
    with session_scope(sessions) as s:
        s.execute(delete(Schedule))
        added = schedule.extend_horizon(s, days=60, today=today)
        taken = added[1]
        schedule.assign(s, taken.id, "erin", assigner=_user(s, "demo"), now=clock.now())
    return {"today": today, "ids": [p.id for p in added], "taken": taken.id}


def _user(session: Any, name: str) -> Any:
    return get_user(session, name)


def test_schedule_json_lists_periods_with_user_or_null(client: Any, filled: dict[str, Any]) -> None:
    response = client.get("/api/v1/schedule")
    assert response.status_code == 200
    body = response.get_json()
    assert [p["id"] for p in body] == filled["ids"]
    by_id = {p["id"]: p for p in body}
    assert by_id[filled["taken"]]["user"] == "erin"
    assert by_id[filled["taken"]]["assigner"] == "demo"
    assert all(p["user"] is None for p in body if p["id"] != filled["taken"])
    first = body[0]
    assert set(first) >= {"id", "start", "stop", "user"}
    assert first["days"] == 7 and not first["nonstandard"] and not first["gap_before"] and not first["overlap"]


def test_schedule_ics_parses_and_matches_the_json(client: Any, filled: dict[str, Any]) -> None:
    response = client.get("/api/v1/schedule.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = list(cal.walk("VEVENT"))
    periods = client.get("/api/v1/schedule").get_json()
    assert len(events) == len(periods)
    for event, period in zip(events, periods, strict=True):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.isoformat() == period["start"]
        assert (end - timedelta(days=1)).isoformat() == period["stop"]  # DTEND is exclusive
        assert str(event["uid"]).startswith(f"usint-schedule-{period['id']}@")
        expected = "Erin Evans" if period["user"] == "erin" else "TBD"
        assert str(event["summary"]) == f"TOO POC: {expected}"
    assert str(cal["prodid"]).startswith("-//USINT Dash")


def test_schedule_window_query_and_bad_dates(client: Any, filled: dict[str, Any]) -> None:
    today = filled["today"]
    start = (today + timedelta(days=20)).isoformat()
    stop = (today + timedelta(days=21)).isoformat()
    body = client.get(f"/api/v1/schedule?start={start}&stop={stop}").get_json()
    assert 1 <= len(body) <= 2 and all(p["stop"] >= start and p["start"] <= stop for p in body)
    bad = client.get("/api/v1/schedule?start=2026-02-30")
    assert bad.status_code == 400 and "Not a date" in bad.get_json()["error"]
    assert client.get("/api/v1/schedule.ics?stop=soon").status_code == 400
