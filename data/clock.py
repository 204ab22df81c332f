"""The one clock of the application: callers read `now()`; data functions take `now=` as an argument."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def epoch(moment: datetime | None = None) -> int:
    """Integer Unix seconds of `moment` (default: now), as v2.1 stores times."""
    return int((moment or now()).timestamp())
