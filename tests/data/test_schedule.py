"""The duty calendar services (data/schedule.py): every rule of other-pages §8.2 as the port decides it (D19)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from data import schedule
from data.errors import Conflict, Forbidden, NotFound, ValidationFailed
from data.models import Event, Outbox, Schedule, User
from data.schedule import change_dates, delete_period, extend_horizon, list_periods, split, unassign

TODAY = date(2026, 3, 4)  # a Wednesday
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # 10:00 in New York, the same day
MON = date(2026, 3, 9)  # the next Monday


@pytest.fixture
def db(session):
    """The shared revision-DB session (SQLite, and PostgreSQL when configured), rolled back after the test."""
    return session


def add_user(db, username, groups="usint:too", *, active=True, email=True):
    user = User(
        username=username,
        full_name=username.title() + " Person",
        email=f"{username}@example.org" if email else None,
        groups=groups,
        is_active=active,
    )
    db.add(user)
    db.flush()
    return user


@pytest.fixture
def people(db):
    return {
        "ann": add_user(db, "ann"),
        "bob": add_user(db, "bob"),
        "usi": add_user(db, "usi", "usint"),  # may edit the calendar, cannot be on duty
        "ops": add_user(db, "ops", "arcops"),  # may not edit the calendar
        "old": add_user(db, "old", "too", active=False),
        "boss": add_user(db, "boss", "admin"),
    }


def add_period(db, start, days=7, user=None, order=None):
    if order is None:
        order = (db.scalar(select(func.max(Schedule.order_id))) or 0) + 1
    row = Schedule(
        order_id=order,
        start=schedule.midnight(start),
        stop=schedule.midnight(start + timedelta(days=days - 1)),
        user_id=user.id if user else None,
        assigner_id=user.id if user else None,
    )
    db.add(row)
    db.flush()
    return row


@pytest.fixture
def weeks(db):
    """Five standard open weeks: the current one (started) and four future ones."""
    first = MON - timedelta(days=7)
    return [add_period(db, first + timedelta(days=7 * i), order=i) for i in range(5)]


def spans(db):
    return [
        (r.start.date(), r.stop.date(), r.user.username if r.user else None)
        for r in db.scalars(select(Schedule).order_by(Schedule.start))
    ]


def actions(db):
    return [e.action for e in db.scalars(select(Event).order_by(Event.id))]


# ----------------------------------------------------------------------------------------- list and flags


def test_list_periods_gives_dates_user_assigner_and_no_flags_for_standard_weeks(db, people, weeks):
    weeks[2].user_id = people["ann"].id
    weeks[2].assigner_id = people["bob"].id
    db.flush()
    periods = list_periods(db, start=TODAY, stop=TODAY + timedelta(days=60))
    assert [p.id for p in periods] == [w.id for w in weeks]
    p = periods[2]
    assert (p.start, p.stop, p.user, p.full_name, p.assigner, p.days) == (
        MON + timedelta(days=7),
        MON + timedelta(days=13),
        "ann",
        "Ann Person",
        "bob",
        7,
    )
    assert periods[0].tbd and periods[0].display_name == "TBD"
    assert not any(p.nonstandard or p.gap_before or p.overlap for p in periods)


def test_list_periods_flags_nonstandard_spans_gaps_and_overlaps(db):
    a = add_period(db, MON, days=7)
    b = add_period(db, MON + timedelta(days=9), days=3)  # two days uncovered before it, 3-day span
    c = add_period(db, MON + timedelta(days=11), days=7)  # shares a day with b
    by_id = {p.id: p for p in list_periods(db, start=MON, stop=MON + timedelta(days=30))}
    assert not by_id[a.id].gap_before and not by_id[a.id].overlap and not by_id[a.id].nonstandard
    assert by_id[b.id].gap_before and by_id[b.id].nonstandard and by_id[b.id].overlap
    assert by_id[c.id].overlap and not by_id[c.id].gap_before and not by_id[c.id].nonstandard


def test_list_periods_looks_at_the_row_before_the_window_for_the_gap_flag(db):
    add_period(db, MON, days=3)
    late = add_period(db, MON + timedelta(days=7))
    [p] = list_periods(db, start=MON + timedelta(days=8), stop=MON + timedelta(days=9))
    assert p.id == late.id and p.gap_before


def test_on_duty_and_unfilled_within(db, people, weeks):
    weeks[1].user_id = people["ann"].id
    db.flush()
    assert schedule.on_duty(db, MON + timedelta(days=3)).user == "ann"
    assert schedule.on_duty(db, date(2020, 1, 1)) is None
    unfilled = schedule.unfilled_within(db, 14, TODAY)
    assert [p.id for p in unfilled] == [weeks[0].id, weeks[2].id]


def test_duty_candidates_are_active_too_members(db, people):
    assert [u.username for u in schedule.duty_candidates(db)] == ["ann", "bob"]


# ----------------------------------------------------------------------------------------- sign up, assign


def test_sign_up_sets_user_and_assigner_writes_an_event_and_queues_the_mail(db, people, weeks):
    change = schedule.sign_up(db, weeks[1].id, user=people["ann"], now=NOW, base_url="http://usint.test")
    assert weeks[1].user_id == weeks[1].assigner_id == people["ann"].id
    assert "Ann Person signed up" in change.message and change.mails == 1
    event = db.scalars(select(Event)).one()
    assert (event.action, event.username, event.target) == ("schedule.sign_up", "ann", f"schedule:{weeks[1].id}")
    assert event.before["user"] is None and event.after["user"] == "ann"
    mail = db.scalars(select(Outbox)).one()
    assert mail.subject == "Update in TOO POC Duty Signup"
    assert mail.recipients == ["ann@example.org"]
    assert "Ann Person (ann) has signed up for POC duty" in mail.body
    assert "Start: March 09 2026" in mail.body and "Stop:  March 15 2026" in mail.body
    assert "http://usint.test/scheduler" in mail.body


def test_assign_by_someone_else_mails_both_and_records_the_assigner(db, people, weeks):
    change = schedule.assign(db, weeks[2].id, "bob", assigner=people["usi"], now=NOW)
    assert weeks[2].user_id == people["bob"].id and weeks[2].assigner_id == people["usi"].id
    assert "assigned by usi" in change.message
    mail = db.scalars(select(Outbox)).one()
    assert mail.recipients == ["bob@example.org", "usi@example.org"]
    assert "has been assigned POC duty by Usi Person (usi)" in mail.body
    assert "If this is unexpected, please contact Usi Person" in mail.body
    assert db.scalars(select(Event)).one().action == "schedule.assign"
    assert list_periods(db, start=MON + timedelta(days=7), stop=MON + timedelta(days=7))[0].assigner == "usi"


@pytest.mark.parametrize(
    ("who", "message"),
    [("usi", "not in the too group"), ("old", "inactive"), ("nobody", "No USINT user"), ("", "Choose who")],
)
def test_assign_refuses_users_who_cannot_take_duty(db, people, weeks, who, message):
    with pytest.raises(ValidationFailed, match=message):
        schedule.assign(db, weeks[1].id, who, assigner=people["ann"], now=NOW)
    assert weeks[1].user_id is None and not actions(db)


def test_sign_up_needs_the_too_group(db, people, weeks):
    with pytest.raises(ValidationFailed, match="not in the too group"):
        schedule.sign_up(db, weeks[1].id, user=people["usi"], now=NOW)


@pytest.mark.parametrize(("who", "message"), [("ops", "not in the too or usint group"), ("old", "not an active")])
def test_changes_need_the_schedule_permission(db, people, weeks, who, message):
    with pytest.raises(Forbidden, match=message):
        schedule.assign(db, weeks[1].id, "ann", assigner=people[who], now=NOW)
    with pytest.raises(Forbidden):
        unassign(db, weeks[1].id, user=people[who], now=NOW)


def test_unknown_and_missing_actors_are_refused(db, people, weeks):
    class Stranger:
        username = "stranger"

    with pytest.raises(Forbidden, match="stranger is not registered"):
        schedule.calendar_actor(db, Stranger(), None)
    with pytest.raises(Forbidden, match="not signed in"):
        schedule.calendar_actor(db, None, None)
    with pytest.raises(Forbidden, match="ops is not in the"):
        schedule.calendar_actor(db, people["ops"], None)


def test_admin_may_assign_without_being_in_too_or_usint(db, people, weeks):
    schedule.assign(db, weeks[1].id, "ann", assigner=people["boss"], now=NOW)
    assert weeks[1].user_id == people["ann"].id


def test_actor_may_be_an_identity_like_object(db, people, weeks):
    class Identity:
        username = "ann"

    schedule.sign_up(db, weeks[1].id, user=schedule.calendar_actor(db, Identity(), None), now=NOW)
    assert weeks[1].user_id == people["ann"].id


def test_taken_periods_are_not_taken_again(db, people, weeks):
    schedule.sign_up(db, weeks[1].id, user=people["ann"], now=NOW)
    with pytest.raises(Conflict, match="Ann Person already has this period: unassign it first"):
        schedule.sign_up(db, weeks[1].id, user=people["bob"], now=NOW)
    with pytest.raises(Conflict, match="already has"):
        schedule.sign_up(db, weeks[1].id, user=people["ann"], now=NOW)


def test_started_periods_are_closed(db, people, weeks):
    current = weeks[0]  # Monday 2 March .. Sunday 8 March, today is 4 March
    for call in (
        lambda: schedule.sign_up(db, current.id, user=people["ann"], now=NOW),
        lambda: split(db, current.id, user=people["ann"], now=NOW),
        lambda: delete_period(db, current.id, user=people["ann"], now=NOW),
        lambda: change_dates(db, current.id, MON, MON, user=people["ann"], now=NOW),
    ):
        with pytest.raises(Conflict, match="has started"):
            call()


def test_a_period_starting_today_is_closed_in_the_schedule_time_zone(db, people):
    row = add_period(db, date(2026, 3, 5))
    late_evening = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # still 4 March in New York
    schedule.sign_up(db, row.id, user=people["ann"], now=late_evening)
    unassign(db, row.id, user=people["ann"], now=late_evening)
    with pytest.raises(Conflict, match="has started"):
        schedule.sign_up(db, row.id, user=people["ann"], now=datetime(2026, 3, 5, 6, 0, tzinfo=UTC))


def test_unknown_period_is_not_found(db, people):
    with pytest.raises(NotFound, match="No duty period #999"):
        schedule.sign_up(db, 999, user=people["ann"], now=NOW)
    with pytest.raises(NotFound):
        schedule.get_period(db, "x")


# ----------------------------------------------------------------------------------------- unassign


def test_unassign_reopens_with_an_event_and_no_mail(db, people, weeks):
    schedule.sign_up(db, weeks[1].id, user=people["ann"], now=NOW)
    change = unassign(db, weeks[1].id, user=people["bob"], now=NOW)
    assert weeks[1].user_id is None and weeks[1].assigner_id is None
    assert "open again (was Ann Person)" in change.message
    assert actions(db) == ["schedule.sign_up", "schedule.unassign"]
    assert db.scalar(select(func.count(Outbox.id))) == 1
    with pytest.raises(Conflict, match="already open"):
        unassign(db, weeks[1].id, user=people["bob"], now=NOW)


# ----------------------------------------------------------------------------------------- change dates


def test_change_dates_refuses_reversed_too_long_past_and_unchanged_dates(db, people, weeks):
    w = weeks[1]
    cases = [
        (MON + timedelta(days=3), MON, "before the first day"),
        (MON, MON + timedelta(days=7), "at most 7 days"),
        (TODAY, TODAY + timedelta(days=2), "after today"),
        (MON, MON + timedelta(days=6), "already the dates"),
        ("2026-02-30", MON, "Not a date"),
    ]
    for start, stop, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            change_dates(db, w.id, start, stop, user=people["ann"], now=NOW)
    assert spans(db)[1][:2] == (MON, MON + timedelta(days=6)) and not actions(db)


def test_shortening_a_week_against_a_full_week_is_refused_as_in_v21(db, people, weeks):
    with pytest.raises(ValidationFailed, match="would grow beyond 7 days"):
        change_dates(db, weeks[1].id, MON, MON + timedelta(days=3), user=people["ann"], now=NOW)
    assert weeks[2].start.date() == MON + timedelta(days=7) and not actions(db)


def halves(db, people, weeks):
    """Split next week into Mon–Thu and Fri–Sun; return both rows."""
    change = split(db, weeks[1].id, user=people["ann"], now=NOW)
    return weeks[1], db.get(Schedule, change.touched[1])


def test_moving_the_end_earlier_moves_the_open_next_period_to_close_the_gap(db, people, weeks):
    first, second = halves(db, people, weeks)
    change = change_dates(db, first.id, MON, MON + timedelta(days=2), user=people["bob"], now=NOW)
    assert (first.start.date(), first.stop.date()) == (MON, MON + timedelta(days=2))
    assert (second.start.date(), second.stop.date()) == (MON + timedelta(days=3), MON + timedelta(days=6))
    assert "next open period is now Thu 12 Mar 2026" in change.message
    assert set(change.touched) == {first.id, second.id}
    assert actions(db)[-2:] == ["schedule.adjust", "schedule.change_dates"]
    assert not any(p.gap_before or p.overlap for p in list_periods(db, start=MON, stop=MON + timedelta(days=20)))


def test_moving_the_start_earlier_shrinks_the_open_previous_period(db, people, weeks):
    first, second = halves(db, people, weeks)
    change_dates(db, second.id, MON + timedelta(days=2), MON + timedelta(days=6), user=people["bob"], now=NOW)
    assert (first.stop.date(), second.start.date()) == (MON + timedelta(days=1), MON + timedelta(days=2))


def test_a_change_that_swallows_a_neighbour_is_refused(db, people, weeks):
    first, second = halves(db, people, weeks)
    with pytest.raises(ValidationFailed, match="swallow the whole previous period"):
        change_dates(db, second.id, MON - timedelta(days=1), MON + timedelta(days=5), user=people["bob"], now=NOW)


def test_a_gap_or_overlap_with_a_taken_neighbour_is_refused(db, people, weeks):
    first, second = halves(db, people, weeks)
    schedule.sign_up(db, second.id, user=people["ann"], now=NOW)
    with pytest.raises(ValidationFailed, match="leave a gap with the next period .* which Ann Person has"):
        change_dates(db, first.id, MON, MON + timedelta(days=1), user=people["bob"], now=NOW)
    with pytest.raises(ValidationFailed, match="leave an overlap with the next period"):
        change_dates(db, first.id, MON, MON + timedelta(days=4), user=people["bob"], now=NOW)
    assert (first.stop.date(), second.start.date()) == (MON + timedelta(days=3), MON + timedelta(days=4))


def test_a_full_week_may_move_when_both_neighbours_follow(db, people):
    a = add_period(db, MON, days=3)
    b = add_period(db, MON + timedelta(days=3), days=7)
    c = add_period(db, MON + timedelta(days=10), days=2)
    change_dates(db, b.id, MON + timedelta(days=2), MON + timedelta(days=8), user=people["ann"], now=NOW)
    assert [(x.start.date(), x.stop.date()) for x in (a, b, c)] == [
        (MON, MON + timedelta(days=1)),
        (MON + timedelta(days=2), MON + timedelta(days=8)),
        (MON + timedelta(days=9), MON + timedelta(days=11)),
    ]


def test_change_dates_at_the_first_and_last_rows_of_the_table(db, people):
    only = add_period(db, MON, days=4)
    change_dates(db, only.id, MON + timedelta(days=1), MON + timedelta(days=6), user=people["ann"], now=NOW)
    assert (only.start.date(), only.stop.date()) == (MON + timedelta(days=1), MON + timedelta(days=6))
    last = add_period(db, MON + timedelta(days=7), days=3)
    change_dates(db, last.id, MON + timedelta(days=7), MON + timedelta(days=13), user=people["ann"], now=NOW)
    assert last.stop.date() == MON + timedelta(days=13)


def test_change_dates_of_an_assigned_period_is_refused(db, people, weeks):
    schedule.sign_up(db, weeks[1].id, user=people["ann"], now=NOW)
    with pytest.raises(Conflict, match="unassign it before you change its dates"):
        change_dates(db, weeks[1].id, MON, MON + timedelta(days=3), user=people["ann"], now=NOW)


# ----------------------------------------------------------------------------------------- split


def test_split_uses_the_v21_arithmetic_and_renumbers_later_rows(db, people, weeks):
    orders_before = [w.order_id for w in weeks]
    first, second = halves(db, people, weeks)
    assert (first.start.date(), first.stop.date()) == (MON, MON + timedelta(days=3))  # Mon–Thu
    assert (second.start.date(), second.stop.date()) == (MON + timedelta(days=4), MON + timedelta(days=6))  # Fri–Sun
    assert second.user_id is None and second.order_id == first.order_id + 1
    assert [w.order_id for w in weeks[2:]] == [o + 1 for o in orders_before[2:]]
    assert actions(db) == ["schedule.split", "schedule.create"]


@pytest.mark.parametrize(("days", "ok"), [(2, False), (3, False), (4, True)])
def test_split_needs_more_than_two_days_between_start_and_stop(db, people, days, ok):
    row = add_period(db, MON, days=days)
    if ok:
        split(db, row.id, user=people["ann"], now=NOW)
        assert spans(db) == [
            (MON, MON + timedelta(days=1), None),
            (MON + timedelta(days=2), MON + timedelta(days=3), None),
        ]
    else:
        with pytest.raises(ValidationFailed, match="not enough time to split"):
            split(db, row.id, user=people["ann"], now=NOW)


def test_split_refuses_taken_periods_and_handles_null_order_ids(db, people):
    taken = add_period(db, MON, user=people["ann"])
    with pytest.raises(Conflict, match="unassign it before you split"):
        split(db, taken.id, user=people["ann"], now=NOW)
    legacy = add_period(db, MON + timedelta(days=7))
    legacy.order_id = None
    db.flush()
    change = split(db, legacy.id, user=people["ann"], now=NOW)
    assert db.get(Schedule, change.touched[1]).order_id is None


# ----------------------------------------------------------------------------------------- delete / merge


def test_delete_gives_the_days_to_the_previous_open_period(db, people, weeks):
    first, second = halves(db, people, weeks)
    change = delete_period(db, second.id, user=people["ann"], now=NOW)
    assert (first.start.date(), first.stop.date()) == (MON, MON + timedelta(days=6))
    assert db.get(Schedule, second.id) is None
    assert "previous period" in change.message
    assert [w.order_id for w in weeks[2:]] == [2, 3, 4]
    assert actions(db)[-2:] == ["schedule.merge", "schedule.delete"]


def test_delete_gives_the_days_to_the_next_period_when_the_previous_is_taken(db, people, weeks):
    first, second = halves(db, people, weeks)
    schedule.sign_up(db, second.id, user=people["ann"], now=NOW)
    # first is open; its previous (the current week) is open but would grow beyond 7 days; next is taken
    with pytest.raises(Conflict, match="do not fit"):
        delete_period(db, first.id, user=people["ann"], now=NOW)
    unassign(db, second.id, user=people["ann"], now=NOW)
    schedule.sign_up(db, weeks[0].id, user=people["ann"], now=datetime(2026, 3, 1, 15, tzinfo=UTC))
    change = delete_period(db, first.id, user=people["ann"], now=NOW)
    assert (second.start.date(), second.stop.date()) == (MON, MON + timedelta(days=6))
    assert "next period" in change.message


def test_delete_shares_between_both_neighbours_with_a_monday_change_over(db, people):
    prev = add_period(db, MON, days=2)  # Mon 9 .. Tue 10
    row = add_period(db, MON + timedelta(days=2), days=7)  # Wed 11 .. Tue 17
    nxt = add_period(db, MON + timedelta(days=9), days=4)  # Wed 18 .. Sat 21
    change = delete_period(db, row.id, user=people["ann"], now=NOW)
    assert (prev.start.date(), prev.stop.date()) == (MON, MON + timedelta(days=6))  # .. Sun 15
    assert (nxt.start.date(), nxt.stop.date()) == (MON + timedelta(days=7), MON + timedelta(days=12))  # Mon 16 ..
    assert "changing over on Monday" in change.message


def test_delete_refuses_when_both_neighbours_are_taken(db, people, weeks):
    first, second = halves(db, people, weeks)
    schedule.sign_up(db, second.id, user=people["ann"], now=NOW)
    schedule.sign_up(db, weeks[0].id, user=people["bob"], now=datetime(2026, 3, 1, 15, tzinfo=UTC))
    with pytest.raises(Conflict, match="both adjacent periods are taken"):
        delete_period(db, first.id, user=people["ann"], now=NOW)
    assert db.get(Schedule, first.id) is not None


def test_delete_at_the_first_and_last_rows_of_the_table(db, people):
    first = add_period(db, MON, days=3)
    middle = add_period(db, MON + timedelta(days=3), days=4, user=people["ann"])
    last = add_period(db, MON + timedelta(days=7), days=3)
    with pytest.raises(Conflict, match="the adjacent period is taken"):
        delete_period(db, first.id, user=people["bob"], now=NOW)
    with pytest.raises(Conflict, match="the adjacent period is taken"):
        delete_period(db, last.id, user=people["bob"], now=NOW)
    unassign(db, middle.id, user=people["bob"], now=NOW)
    delete_period(db, first.id, user=people["bob"], now=NOW)  # no previous row: the next one absorbs it
    assert (middle.start.date(), middle.stop.date()) == (MON, MON + timedelta(days=6))
    with pytest.raises(Conflict, match="do not fit"):
        delete_period(db, last.id, user=people["bob"], now=NOW)
    with pytest.raises(Conflict, match="do not fit"):
        delete_period(db, middle.id, user=people["bob"], now=NOW)  # the last row would last 10 days


def test_delete_refuses_the_only_period_and_taken_periods(db, people):
    only = add_period(db, MON)
    with pytest.raises(Conflict, match="only period"):
        delete_period(db, only.id, user=people["ann"], now=NOW)
    only.user_id = people["ann"].id
    db.flush()
    with pytest.raises(Conflict, match="unassign it before you remove it"):
        delete_period(db, only.id, user=people["ann"], now=NOW)


# ----------------------------------------------------------------------------------------- rolling horizon


def test_extend_appends_standard_open_weeks_to_the_horizon_and_is_idempotent(db, weeks):
    last_before = weeks[-1].stop.date()
    added = extend_horizon(db, today=TODAY)
    assert added[0].start == last_before + timedelta(days=1)
    assert all(p.days == 7 and p.tbd and p.start.weekday() == 0 for p in added)
    assert added[-1].stop >= TODAY + timedelta(days=240) > added[-1].stop - timedelta(days=7)
    orders = [db.get(Schedule, p.id).order_id for p in added]
    assert orders == list(range(5, 5 + len(added)))
    assert extend_horizon(db, today=TODAY) == []
    assert actions(db) == ["schedule.extend"]
    later = extend_horizon(db, today=TODAY + timedelta(days=7), days=240)
    assert [p.start for p in later] == [added[-1].stop + timedelta(days=1)]


def test_extend_starts_an_empty_table_at_this_weeks_monday(db):
    added = extend_horizon(db, today=TODAY, days=18)  # horizon Sunday 22 March
    assert [p.start for p in added] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert db.get(Schedule, added[0].id).order_id == 0


def test_extend_continues_from_the_latest_stop_even_with_null_order_ids(db):
    legacy = add_period(db, MON)
    legacy.order_id = None
    db.flush()
    added = extend_horizon(db, today=TODAY, days=14)
    assert [p.start for p in added] == [MON + timedelta(days=7)]
    assert db.get(Schedule, added[0].id).order_id == 0


def test_extend_refuses_a_negative_horizon(db):
    with pytest.raises(ValidationFailed, match="negative"):
        extend_horizon(db, today=TODAY, days=-1)
