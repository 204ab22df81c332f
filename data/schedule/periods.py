"""Reading the TOO duty calendar (other-pages §8, data-layer §3.7, D19): periods with their highlight flags,
who is on duty, unfilled weeks, and the date helpers every part of the calendar uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import NotFound, ValidationFailed
from data.models import Schedule, User
from data.users import groups_of

ACTION = "schedule"
"""The D14 action every schedule change needs (default groups: too or usint; admin may do everything)."""
DUTY_GROUP = "too"
"""Only members of this group can be on TOO duty (v2.1's Contact choices)."""
WEEK_SPAN = 6
"""`stop - start` in days of a standard Monday-to-Sunday period (7 duty days)."""
MAX_SPAN = WEEK_SPAN
SPLIT_MIN_SPAN = 3
"""A period can be split only when `stop - start` is more than 2 days (v2.1: more than 172800 s)."""
HORIZON_DAYS = 240
"""The rolling horizon of `extend_horizon` (v2.1: 8 x 30 days)."""
LOOK_BACK_DAYS = 30
"""How far back the page shows past periods (v2.1 `pull_schedule`)."""
DEFAULT_TIMEZONE = "America/New_York"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """One duty period as the calendar, the API and the reminders see it."""

    id: int
    order_id: int | None
    start: date
    stop: date
    user: str | None
    """The username on duty, or None for TBD."""
    full_name: str | None
    email: str | None
    assigner: str | None
    """The username of whoever put `user` there (None when open or unknown)."""
    nonstandard: bool = False
    """The span is not 7 days (usage note: magenta)."""
    gap_before: bool = False
    """Days between the previous period's last day and this start are covered by nobody (usage note: red)."""
    overlap: bool = False
    """This period shares days with the previous or next one (red)."""

    @property
    def days(self) -> int:
        """Number of duty days (7 for a standard week)."""
        return (self.stop - self.start).days + 1

    @property
    def tbd(self) -> bool:
        return self.user is None

    @property
    def display_name(self) -> str:
        """The contact as people read it: full name, else username, else `TBD`."""
        if self.user is None:
            return "TBD"
        return self.full_name or self.user

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.stop


@dataclass(frozen=True)
class Change:
    """What an action did: a sentence for the person, the periods touched, and mails queued (if any)."""

    message: str
    period_id: int | None
    touched: tuple[int, ...] = ()
    mails: int = 0


def as_date(value: date | datetime | str) -> date:
    """A calendar date from a date, a datetime (its day) or ISO text `YYYY-MM-DD`; ValidationFailed otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationFailed({"date": f"Not a date: {value!r} (expected YYYY-MM-DD)"}) from None


def midnight(day: date) -> datetime:
    """The naive midnight v2.1 stores for a day."""
    return datetime.combine(day, time())


def local_today(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The calendar day of `now` where the schedule lives (naive datetimes are taken as already local)."""
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(ZoneInfo(timezone)).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fmt(day: date) -> str:
    """`March 02 2026`, the format of v2.1's mails and messages."""
    return day.strftime("%B %d %Y")


def fmt_range(start: date, stop: date) -> str:
    return f"{start.strftime('%a %d %b %Y')} – {stop.strftime('%a %d %b %Y')}"


def _span(row: Schedule) -> int:
    return (row.stop.date() - row.start.date()).days


def _snapshot(row: Schedule) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_id,
        "start": row.start.date().isoformat(),
        "stop": row.stop.date().isoformat(),
        "user": row.user.username if row.user is not None else None,
        "assigner_id": row.assigner_id,
    }


def _target(row: Schedule) -> str:
    return f"schedule:{row.id}"


def _ordered(session: Session) -> list[Schedule]:
    return list(session.scalars(select(Schedule).order_by(Schedule.start, Schedule.id)))


def _get(session: Session, period_id: int) -> Schedule:
    try:
        key = int(period_id)
    except (TypeError, ValueError):
        raise NotFound(f"No duty period {period_id!r}") from None
    if not 0 < key < 2**31:  # a hostile id would overflow the database's INTEGER
        raise NotFound(f"No duty period {period_id!r}")
    row = session.get(Schedule, key)
    if row is None:
        raise NotFound(f"No duty period #{key}: it may have been removed meanwhile. Reload the calendar.")
    return row


def _neighbours(session: Session, row: Schedule) -> tuple[Schedule | None, Schedule | None]:
    """The periods just before and after `row` in time order (None at the ends of the table)."""
    before = session.scalar(
        select(Schedule)
        .where(Schedule.id != row.id)
        .where((Schedule.start < row.start) | ((Schedule.start == row.start) & (Schedule.id < row.id)))
        .order_by(Schedule.start.desc(), Schedule.id.desc())
        .limit(1)
    )
    after = session.scalar(
        select(Schedule)
        .where(Schedule.id != row.id)
        .where((Schedule.start > row.start) | ((Schedule.start == row.start) & (Schedule.id > row.id)))
        .order_by(Schedule.start, Schedule.id)
        .limit(1)
    )
    return before, after


def _period(row: Schedule, prev: Schedule | None, nxt: Schedule | None, assigners: Mapping[int, str]) -> Period:
    start, stop = row.start.date(), row.stop.date()
    gap = prev is not None and (start - prev.stop.date()).days > 1
    overlap = (prev is not None and prev.stop.date() >= start) or (nxt is not None and nxt.start.date() <= stop)
    user = row.user
    return Period(
        id=row.id,
        order_id=row.order_id,
        start=start,
        stop=stop,
        user=user.username if user is not None else None,
        full_name=user.full_name if user is not None else None,
        email=user.email if user is not None else None,
        assigner=assigners.get(row.assigner_id) if row.assigner_id is not None else None,
        nonstandard=(stop - start).days != WEEK_SPAN,
        gap_before=gap,
        overlap=overlap,
    )


def _periods(session: Session, rows: list[Schedule], before: Schedule | None, after: Schedule | None) -> list[Period]:
    ids = {r.assigner_id for r in rows if r.assigner_id is not None}
    assigners: dict[int, str] = {}
    if ids:
        assigners = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).tuples().all())
    chain: list[Schedule | None] = [before, *rows, after]
    return [_period(rows[i], chain[i], chain[i + 2], assigners) for i in range(len(rows))]


def list_periods(session: Session, *, start: date | datetime, stop: date | datetime) -> list[Period]:
    """Every period sharing a day with `start`…`stop` (inclusive), in time order, with its highlight flags."""
    first, last = as_date(start), as_date(stop)
    rows = list(
        session.scalars(
            select(Schedule)
            .where(Schedule.stop >= midnight(first), Schedule.start <= midnight(last))
            .order_by(Schedule.start, Schedule.id)
        )
    )
    if not rows:
        return []
    before, _ = _neighbours(session, rows[0])
    _, after = _neighbours(session, rows[-1])
    return _periods(session, rows, before, after)


def get_period(session: Session, period_id: int) -> Period:
    row = _get(session, period_id)
    before, after = _neighbours(session, row)
    return _periods(session, [row], before, after)[0]


def on_duty(session: Session, day: date | datetime) -> Period | None:
    """The period covering `day` (the earliest one if legacy rows overlap), or None."""
    when = midnight(as_date(day))
    row = session.scalar(
        select(Schedule)
        .where(Schedule.start <= when, Schedule.stop >= when)
        .order_by(Schedule.start, Schedule.id)
        .limit(1)
    )
    if row is None:
        return None
    before, after = _neighbours(session, row)
    return _periods(session, [row], before, after)[0]


def unfilled_within(session: Session, days: int, today: date | datetime) -> list[Period]:
    """Open (TBD) periods sharing a day with today … today + `days`."""
    first = as_date(today)
    return [p for p in list_periods(session, start=first, stop=first + timedelta(days=days)) if p.tbd]


def duty_candidates(session: Session) -> list[User]:
    """Users who can be assigned: active members of the `too` group, by full name."""
    users = session.scalars(select(User).where(User.is_active.is_(True))).all()
    chosen = [u for u in users if DUTY_GROUP in groups_of(u)]
    return sorted(chosen, key=lambda u: ((u.full_name or u.username).lower(), u.username))
