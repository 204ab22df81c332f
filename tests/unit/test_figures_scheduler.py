"""The duty calendar as grid rows (data, not components): what each week's cells span, say and select."""

from __future__ import annotations

import json
from datetime import date

from callbacks._figures_scheduler import calendar_rows, clicked_period
from data.schedule import Period

MONDAY = date(2026, 12, 7)
TODAY = date(2026, 12, 2)


def period(pid: int, start: str, stop: str, user: str | None = None, **flags: bool) -> Period:
    return Period(pid, pid, date.fromisoformat(start), date.fromisoformat(stop), user, None, None, None, **flags)


def week_rows(periods: list[Period], selected: int | None = None) -> tuple[dict, dict]:
    """The (dates, duty) rows of the week of MONDAY."""
    rows = calendar_rows(periods, today=TODAY, first=MONDAY, last=date(2026, 12, 13), selected=selected)
    assert len(rows) == 2
    return rows[0], rows[1]


def test_a_standard_week_is_one_cell_spanning_seven_days() -> None:
    dates, duty = week_rows([period(5, "2026-12-07", "2026-12-13", "erin")])
    assert dates["mon"] == "07 Dec" and dates["tue"] == "08" and dates["kind"] == "dates"
    assert duty["mon"] == 5 and list(duty["cells"]) == ["mon"]
    cell = duty["cells"]["mon"]
    assert cell["span"] == 7 and cell["text"] == "erin"
    assert "scheduler-taken" in cell["cls"] and cell["bg"]
    json.dumps([dates, duty])  # rows are plain data for the grid


def test_an_open_split_week_shows_two_framed_segments_with_their_length() -> None:
    _, duty = week_rows(
        [
            period(1, "2026-12-07", "2026-12-10", nonstandard=True),
            period(2, "2026-12-11", "2026-12-13", nonstandard=True),
        ]
    )
    assert (duty["mon"], duty["fri"]) == (1, 2)
    assert duty["cells"]["mon"]["span"] == 4 and duty["cells"]["fri"]["span"] == 3
    assert duty["cells"]["mon"]["text"] == "TBD · 4 d"
    assert {"scheduler-tbd", "scheduler-nonstandard"} <= set(duty["cells"]["fri"]["cls"].split())


def test_gaps_and_overlaps_are_red_and_only_overlaps_select_a_period() -> None:
    _, duty = week_rows(
        [period(1, "2026-12-07", "2026-12-09", "erin"), period(2, "2026-12-11", "2026-12-13", "demo", gap_before=True)]
    )
    assert duty["thu"] is None and "scheduler-gap" in duty["cells"]["thu"]["cls"]
    assert "scheduler-gap-before" in duty["cells"]["fri"]["cls"]
    _, duty = week_rows(
        [
            period(1, "2026-12-07", "2026-12-10", "erin", overlap=True),
            period(2, "2026-12-10", "2026-12-13", "demo", overlap=True),
        ]
    )
    assert duty["thu"] == 1 and duty["cells"]["thu"]["text"] == "overlap: erin / demo"


def test_a_week_whose_segments_change_becomes_a_new_row_and_the_selection_does_not() -> None:
    whole = [period(1, "2026-12-07", "2026-12-13")]
    _, before = week_rows(whole)
    _, selected = week_rows(whole, selected=1)
    _, split = week_rows([period(1, "2026-12-07", "2026-12-10"), period(2, "2026-12-11", "2026-12-13")])
    assert before["id"].startswith("w:2026-12-07:")
    assert selected["id"] == before["id"] and selected["sel"] == 1
    assert split["id"] != before["id"]


def test_only_a_click_on_a_duty_segment_selects_a_period() -> None:
    row = "w:2026-12-07:abc"
    assert clicked_period({"rowId": row, "colId": "mon", "value": 5}) == 5
    assert clicked_period({"rowId": "d:2026-12-07", "colId": "mon", "value": "07 Dec"}) is None
    assert clicked_period({"rowId": row, "colId": "week", "value": "07 Dec"}) is None
    assert clicked_period({"rowId": row, "colId": "thu", "value": None}) is None
    assert clicked_period({"rowId": row, "colId": "mon", "value": True}) is None
    assert clicked_period(None) is None
