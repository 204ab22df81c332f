"""Changing the TOO duty calendar (other-pages §8, D14, D19): sign up, assign, unassign, change dates, split,
delete, and the rolling horizon. Each change checks the actor, writes one `events` row and may queue a mail."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data import events
from data.errors import Conflict, Forbidden, ValidationFailed
from data.mail.outbox import queue
from data.mail.templates.schedule import duty_mail
from data.models import Schedule, User
from data.schedule.periods import (
    ACTION,
    DEFAULT_TIMEZONE,
    DUTY_GROUP,
    HORIZON_DAYS,
    MAX_SPAN,
    ONE_DAY,
    SPLIT_MIN_SPAN,
    WEEK_SPAN,
    Change,
    Period,
    _get,
    _neighbours,
    _ordered,
    _periods,
    _snapshot,
    _span,
    _target,
    as_date,
    fmt,
    fmt_range,
    local_today,
    midnight,
    monday_of,
)
from data.settings import DEFAULT_PERMISSIONS
from data.users import acting_user, get_user, groups_of, require

MSG_TOO_LONG = "A duty period can be at most 7 days (Monday to Sunday). Please correct the dates."
MSG_REVERSED = "The last day is before the first day."
MSG_SPLIT_SHORT = "Sorry, there is not enough time to split this period: it needs more than 3 days."
MSG_BOTH_LOCKED = "Cannot remove this period: both adjacent periods are taken."
MSG_CANNOT_FIT = "Cannot remove this period: its days do not fit into an adjacent open period (at most 7 days each)."


def calendar_actor(session: Session, identity: object, permissions: Mapping[str, Sequence[str]] | None) -> User:
    """The `User` row of whoever changes the calendar (a `User`, or the web identity: anything with `username`),
    checked for the `schedule` permission (D14); Forbidden, with the reason, for anyone else."""
    if identity is None or not getattr(identity, "username", None):
        raise Forbidden("You are not signed in: the duty calendar is read only")
    return _actor(acting_user(session, identity), permissions)


def _actor(user: User, permissions: Mapping[str, Sequence[str]] | None) -> User:
    """The acting user, checked for the `schedule` permission (D14)."""
    return require(user, ACTION, permissions or DEFAULT_PERMISSIONS)


def _duty_user(session: Session, who: User | str) -> User:
    """A user who can be on duty: registered, active and in the `too` group."""
    row = who if isinstance(who, User) else get_user(session, str(who or ""))
    if row is None:
        raise ValidationFailed({"user": f"No USINT user {who!r}"})
    if not row.is_active:
        raise ValidationFailed({"user": f"{row.full_name or row.username} is inactive and cannot take TOO duty"})
    if DUTY_GROUP not in groups_of(row):
        raise ValidationFailed(
            {"user": f"{row.full_name or row.username} is not in the {DUTY_GROUP} group and cannot take TOO duty"}
        )
    return row


def _open_for_change(row: Schedule, today: date, what: str) -> None:
    """Periods that have started are closed (v2.1 shows them as `Closed`)."""
    if row.start.date() <= today:
        raise Conflict(f"The period {fmt_range(row.start.date(), row.stop.date())} has started: it cannot {what}.")


def _open_period(
    session: Session,
    period_id: int,
    user: User,
    permissions: Mapping[str, Sequence[str]] | None,
    today: date,
    what: str,
) -> tuple[User, Schedule]:
    """The actor (checked) and the period, for a change of a period that has not started by `today`."""
    actor = _actor(user, permissions)
    row = _get(session, period_id)
    _open_for_change(row, today, what)
    return actor, row


def _must_be_open(row: Schedule, what: str) -> None:
    if row.user_id is not None:
        name = row.user.full_name or row.user.username if row.user else f"user #{row.user_id}"
        raise Conflict(f"{name} has this period: unassign it before you {what}.")


def _queue_mail(
    session: Session, row: Schedule, assignee: User, actor: User, *, now: datetime, base_url: str | None
) -> int:
    mail = duty_mail(assignee=assignee, assigner=actor, start=row.start.date(), stop=row.stop.date(), base_url=base_url)
    if not mail.to:
        return 0
    queue(session, [mail], acting_user_email=actor.email, now=now)
    return 1


def _record(session: Session, actor: User, action: str, row: Schedule, before: Any, now: datetime) -> None:
    session.flush()
    events.record(
        session,
        user=actor,
        action=f"schedule.{action}",
        target=_target(row),
        before=before,
        after=_snapshot(row),
        now=now,
    )


def sign_up(
    session: Session,
    period_id: int,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    base_url: str | None = None,
) -> Change:
    """Put the acting user on duty for an open period and queue the sign-up mail (data-layer §6.9)."""
    actor = _actor(user, permissions)
    return _assign(session, period_id, actor, actor, now=now, timezone=timezone, base_url=base_url)


def assign(
    session: Session,
    period_id: int,
    username: str,
    *,
    assigner: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    base_url: str | None = None,
) -> Change:
    """Put `username` (an active `too` member) on duty for an open period; `assigner` is recorded and mailed."""
    actor = _actor(assigner, permissions)
    if not str(username or "").strip():
        raise ValidationFailed({"user": "Choose who takes this period"})
    return _assign(
        session, period_id, _duty_user(session, username), actor, now=now, timezone=timezone, base_url=base_url
    )


def _assign(
    session: Session, period_id: int, assignee: User, actor: User, *, now: datetime, timezone: str, base_url: str | None
) -> Change:
    assignee = _duty_user(session, assignee)
    row = _get(session, period_id)
    _open_for_change(row, local_today(now, timezone), "be signed up for any more")
    if row.user_id is not None:
        who = row.user.full_name or row.user.username if row.user else f"user #{row.user_id}"
        if row.user_id == assignee.id:
            raise Conflict(f"{who} already has {fmt_range(row.start.date(), row.stop.date())}.")
        raise Conflict(f"{who} already has this period: unassign it first.")
    before = _snapshot(row)
    row.user_id = assignee.id
    row.user = assignee
    row.assigner_id = actor.id
    self_signup = assignee.id == actor.id
    _record(session, actor, "sign_up" if self_signup else "assign", row, before, now)
    mails = _queue_mail(session, row, assignee, actor, now=now, base_url=base_url)
    name = assignee.full_name or assignee.username
    span = fmt_range(row.start.date(), row.stop.date())
    message = (
        f"{name} signed up for {span}." if self_signup else f"{name} is on duty {span} (assigned by {actor.username})."
    )
    return Change(message, row.id, (row.id,), mails)


def unassign(
    session: Session,
    period_id: int,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Change:
    """Re-open a period (v2.1 Unlock): user and assigner become NULL. No mail (other-pages §9.4)."""
    actor, row = _open_period(session, period_id, user, permissions, local_today(now, timezone), "be unassigned")
    if row.user_id is None:
        raise Conflict(f"{fmt_range(row.start.date(), row.stop.date())} is already open (TBD).")
    before = _snapshot(row)
    name = row.user.full_name or row.user.username if row.user else f"user #{row.user_id}"
    row.user_id = None
    row.user = None
    row.assigner_id = None
    _record(session, actor, "unassign", row, before, now)
    return Change(f"{fmt_range(row.start.date(), row.stop.date())} is open again (was {name}).", row.id, (row.id,))


def change_dates(
    session: Session,
    period_id: int,
    start: date | datetime | str,
    stop: date | datetime | str,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Change:
    """Move an open period's first and/or last day, adjusting the adjacent open periods (v2.1 Update).

    Rules: start <= stop; at most 7 days; the period and its new start are in the future; the period is open.
    When the start moves, the previous period must end the day before: if it does not already, it is moved
    when it is open and stays 1-7 days long, otherwise the change is refused (a gap or an overlap would remain).
    The same holds for the stop and the next period.
    """
    actor = _actor(user, permissions)
    first, last = as_date(start), as_date(stop)
    if last < first:
        raise ValidationFailed({"stop": MSG_REVERSED})
    if (last - first).days > MAX_SPAN:
        raise ValidationFailed({"stop": MSG_TOO_LONG})
    row = _get(session, period_id)
    today = local_today(now, timezone)
    _open_for_change(row, today, "change its dates")
    _must_be_open(row, "change its dates")
    if first <= today:
        raise ValidationFailed({"start": f"The first day must be after today ({fmt(today)})."})
    old_first, old_last = row.start.date(), row.stop.date()
    if (first, last) == (old_first, old_last):
        raise ValidationFailed({"start": "These are already the dates of this period."})
    prev, nxt = _neighbours(session, row)
    adjust: list[tuple[Schedule, str, date]] = []
    if prev is not None and first != old_first and (first - prev.stop.date()).days != 1:
        adjust.append(_adjusted(prev, "stop", first - ONE_DAY, "previous"))
    if nxt is not None and last != old_last and (nxt.start.date() - last).days != 1:
        adjust.append(_adjusted(nxt, "start", last + ONE_DAY, "next"))
    before = _snapshot(row)
    touched = [row.id]
    notes: list[str] = []
    for neighbour, side, day in adjust:
        old = _snapshot(neighbour)
        setattr(neighbour, side, midnight(day))
        _record(session, actor, "adjust", neighbour, old, now)
        touched.append(neighbour.id)
        notes.append(
            f"the {'previous' if side == 'stop' else 'next'} open period is now "
            f"{fmt_range(neighbour.start.date(), neighbour.stop.date())}"
        )
    row.start, row.stop = midnight(first), midnight(last)
    _record(session, actor, "change_dates", row, before, now)
    message = f"The period is now {fmt_range(first, last)}."
    if notes:
        message += " Also " + "; ".join(notes) + "."
    return Change(message, row.id, tuple(touched))


def _adjusted(neighbour: Schedule, side: str, day: date, which: str) -> tuple[Schedule, str, date]:
    """Check that the neighbour may take its new boundary; refuse with the reason otherwise."""
    start = day if side == "start" else neighbour.start.date()
    stop = day if side == "stop" else neighbour.stop.date()
    span = fmt_range(neighbour.start.date(), neighbour.stop.date())
    problem = (
        "gap"
        if (side == "stop" and day > neighbour.stop.date()) or (side == "start" and day < neighbour.start.date())
        else "overlap"
    )
    if neighbour.user_id is not None:
        who = neighbour.user.full_name or neighbour.user.username if neighbour.user else "someone"
        raise ValidationFailed(
            {
                "start"
                if side == "stop"
                else "stop": f"This would leave {'an' if problem == 'overlap' else 'a'} {problem} with the {which} period ({span}), "
                f"which {who} has: it cannot be adjusted. Please correct the dates."
            }
        )
    if stop < start:
        raise ValidationFailed(
            {
                "start" if side == "stop" else "stop": f"This would swallow the whole {which} period ({span}). "
                "Delete that period first, or choose other dates."
            }
        )
    if (stop - start).days > MAX_SPAN:
        raise ValidationFailed(
            {
                "start" if side == "stop" else "stop": f"The {which} open period ({span}) would grow beyond 7 days to "
                "close the gap. Please correct the dates, or split a period first."
            }
        )
    return neighbour, side, day


def split(
    session: Session,
    period_id: int,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Change:
    """Split an open period in two (v2.1 arithmetic: Mon–Sun → Mon–Thu + Fri–Sun); the new half is open."""
    actor, row = _open_period(session, period_id, user, permissions, local_today(now, timezone), "be split")
    _must_be_open(row, "split it")
    span = _span(row)
    if span < SPLIT_MIN_SPAN:
        raise ValidationFailed({"period": MSG_SPLIT_SHORT})
    half = span // 2
    before = _snapshot(row)
    old_stop = row.stop
    row.stop = row.start + timedelta(days=half)
    order = row.order_id
    if order is not None:
        session.execute(
            update(Schedule)
            .where(Schedule.order_id > order)
            .values(order_id=Schedule.order_id + 1)
            .execution_options(synchronize_session="fetch")
        )
    new = Schedule(
        order_id=None if order is None else order + 1,
        user_id=None,
        assigner_id=None,
        start=row.stop + ONE_DAY,
        stop=old_stop,
    )
    session.add(new)
    _record(session, actor, "split", row, before, now)
    _record(session, actor, "create", new, None, now)
    message = (
        f"Split into {fmt_range(row.start.date(), row.stop.date())} and {fmt_range(new.start.date(), new.stop.date())}."
    )
    return Change(message, row.id, (row.id, new.id))


def delete_period(
    session: Session,
    period_id: int,
    *,
    user: User,
    now: datetime,
    permissions: Mapping[str, Sequence[str]] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> Change:
    """Remove an open period, giving its days to an adjacent open period (v2.1 Delete, K10).

    Tried in order: the previous period absorbs it, the next one does, or both share it with the change-over
    on the Monday after its start. Every resulting period must stay within 7 days. At the ends of the table
    only the one neighbour is tried.
    """
    actor, row = _open_period(session, period_id, user, permissions, local_today(now, timezone), "be removed")
    _must_be_open(row, "remove it")
    prev, nxt = _neighbours(session, row)
    can_prev = prev is not None and prev.user_id is None
    can_next = nxt is not None and nxt.user_id is None
    if not can_prev and not can_next:
        if prev is None and nxt is None:
            raise Conflict("Cannot remove the only period of the calendar.")
        if prev is None or nxt is None:
            raise Conflict("Cannot remove this period: the adjacent period is taken.")
        raise Conflict(MSG_BOTH_LOCKED)
    first, last = row.start.date(), row.stop.date()
    plan: list[tuple[Schedule, str, date]] = []
    how = ""
    if can_prev and prev is not None and (last - prev.start.date()).days <= MAX_SPAN:
        plan, how = [(prev, "stop", last)], "previous"
    elif can_next and nxt is not None and (nxt.stop.date() - first).days <= MAX_SPAN:
        plan, how = [(nxt, "start", first)], "next"
    elif can_prev and can_next and prev is not None and nxt is not None:
        sunday = first + timedelta(days=6 - first.weekday() or 7)
        monday = sunday + ONE_DAY
        fits = (
            prev.start.date() <= sunday
            and (sunday - prev.start.date()).days <= MAX_SPAN
            and monday <= nxt.stop.date()
            and (nxt.stop.date() - monday).days <= MAX_SPAN
        )
        if fits:
            plan, how = [(prev, "stop", sunday), (nxt, "start", monday)], "both"
    if not plan:
        raise Conflict(MSG_CANNOT_FIT)
    removed = _snapshot(row)
    touched = []
    for neighbour, side, day in plan:
        old = _snapshot(neighbour)
        setattr(neighbour, side, midnight(day))
        _record(session, actor, "merge", neighbour, old, now)
        touched.append(neighbour.id)
    order = row.order_id
    session.delete(row)
    session.flush()
    if order is not None:
        session.execute(
            update(Schedule)
            .where(Schedule.order_id > order)
            .values(order_id=Schedule.order_id - 1)
            .execution_options(synchronize_session="fetch")
        )
    events.record(
        session,
        user=actor,
        action="schedule.delete",
        target=f"schedule:{removed['id']}",
        before=removed,
        after=None,
        now=now,
    )
    text = {
        "previous": "Period removed: its days went to the previous period",
        "next": "Period removed: its days went to the next period",
        "both": "Period removed: its days were shared between the previous and next periods, changing over on Monday",
    }[how]
    spans = "; ".join(fmt_range(n.start.date(), n.stop.date()) for n, _, _ in plan)
    return Change(f"{text} (now {spans}).", None, tuple(touched))


def extend_horizon(
    session: Session, *, days: int = HORIZON_DAYS, today: date | datetime, now: datetime | None = None
) -> list[Period]:
    """Append open Monday-to-Sunday periods until the last one reaches `today + days` (v2.1 maintain-schedule).

    Each new period starts the day after the last one stops and lasts 7 days, with the next `order_id`.
    Idempotent: a second run on the same day adds nothing. An empty table starts at this week's Monday
    (v2.1 did nothing, which left a new installation without a calendar).
    """
    if days < 0:
        raise ValidationFailed({"days": "The horizon must not be negative"})
    first = as_date(today)
    horizon = midnight(first + timedelta(days=days))
    rows = _ordered(session)
    max_order = session.scalar(select(func.max(Schedule.order_id)))
    order = -1 if max_order is None else max_order
    if rows:
        last_stop = max(r.stop for r in rows)
    else:
        last_stop = midnight(monday_of(first)) - ONE_DAY
    added: list[Schedule] = []
    while last_stop < horizon:
        order += 1
        start = last_stop + ONE_DAY
        row = Schedule(
            order_id=order, user_id=None, assigner_id=None, start=start, stop=start + timedelta(days=WEEK_SPAN)
        )
        session.add(row)
        added.append(row)
        last_stop = row.stop
    if added:
        session.flush()
        events.record(
            session,
            user=None,
            action="schedule.extend",
            target="schedule",
            before=None,
            after={"added": len(added), "first": added[0].start.date(), "last": added[-1].stop.date()},
            now=now or midnight(first),
        )
    return _periods(session, added, None, None) if added else []
