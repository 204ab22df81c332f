"""The board's fast local-time texts agree with the zone database, on ordinary days and on DST change days."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callbacks._grids_board import _LocalTimes


@pytest.mark.parametrize("zone", ["America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_local_times_match_zoneinfo_every_seven_minutes_over_change_days(zone):
    local = _LocalTimes(ZoneInfo(zone))
    starts = [datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 4, 3, tzinfo=UTC)]
    for start in starts:
        first = int(start.timestamp())
        for t in range(first, first + 3 * 86400, 7 * 60 + 3):
            expected = datetime.fromtimestamp(t, UTC).astimezone(ZoneInfo(zone)).strftime("%m/%d/%y %H:%M")
            assert local(t) == expected, (zone, t)


def test_missing_times_are_empty():
    local = _LocalTimes(ZoneInfo("America/New_York"))
    assert local(None) == "" and local(float("nan")) == ""
