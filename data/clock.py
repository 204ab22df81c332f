"""The one clock of the application: callers read `now()`; data functions take `now=` as an argument.

`local_text` is the one way a time is shown to people: in the site's time zone, with the zone's label."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

LOCAL_FORMAT = "%Y-%m-%d %H:%M"
"""How a moment is shown by default; `local_text` adds the zone label (2026-11-30 09:15 EST)."""


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def epoch(moment: datetime | None = None) -> int:
    """Integer Unix seconds of `moment` (default: now), as v2.1 stores times."""
    return int((moment or now()).timestamp())


def zone_of(zone: str | ZoneInfo) -> ZoneInfo:
    """A time zone given by name (settings.timezone) or already made."""
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def local_text(moment: datetime | None, zone: str | tzinfo, pattern: str = LOCAL_FORMAT, empty: str = "—") -> str:
    """`moment` in `zone` as `pattern` followed by the zone's label (EST, EDT, UTC...); `empty` for None.

    A naive `moment` is taken as UTC, as the revision DB stores times."""
    if moment is None:
        return empty
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone if isinstance(zone, tzinfo) else ZoneInfo(zone))
    return f"{local.strftime(pattern)} {local.tzname()}"
