"""The one local-time formatter (data.clock.local_text): the site's zone, labelled, across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from data.clock import local_text


def test_the_zone_label_follows_daylight_saving_time() -> None:
    assert local_text(datetime(2026, 1, 15, 17, 30, tzinfo=UTC), "America/New_York") == "2026-01-15 12:30 EST"
    assert local_text(datetime(2026, 7, 15, 16, 30, tzinfo=UTC), "America/New_York") == "2026-07-15 12:30 EDT"


def test_a_pattern_a_zone_object_and_no_moment() -> None:
    moment = datetime(2026, 3, 2, 9, 5, 7, tzinfo=UTC)
    assert local_text(moment, ZoneInfo("UTC"), "%m/%d/%y %H:%M:%S") == "03/02/26 09:05:07 UTC"
    assert local_text(None, "UTC") == "—"
    assert local_text(None, "UTC", empty="") == ""


def test_a_naive_moment_is_utc() -> None:
    assert local_text(datetime(2026, 1, 15, 17, 30), "America/New_York") == "2026-01-15 12:30 EST"
