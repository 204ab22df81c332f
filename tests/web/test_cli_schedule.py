"""`usint schedule …` and `usint reminders …` on a temporary demo instance (the `runner` fixture)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from data import clock
from data.db import session_scope
from data.models import Outbox, Schedule
from data.schedule import local_today, midnight
from data.users import get_user


def invoke(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["usint", *args])


def rows(app: Any) -> list[Schedule]:
    with session_scope(app.server.extensions["usint"].sessions, readonly=True) as s:
        return list(s.scalars(select(Schedule).order_by(Schedule.start)))


def clear_schedule(app: Any) -> None:
    """Start from an empty calendar (whatever the demo seed holds)."""
    with session_scope(app.server.extensions["usint"].sessions) as s:
        s.execute(delete(Schedule))
        s.execute(delete(Outbox))


def outbox(app: Any) -> list[Outbox]:
    with session_scope(app.server.extensions["usint"].sessions, readonly=True) as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


@pytest.mark.parametrize(
    "args",
    [
        ["schedule", "--help"],
        ["schedule", "extend", "--help"],
        ["schedule", "show", "--help"],
        ["reminders", "--help"],
        ["reminders", "pending", "--help"],
        ["reminders", "duty", "--help"],
    ],
)
def test_every_command_has_help(runner: Any, args: list[str]) -> None:
    result = invoke(runner, *args)
    assert result.exit_code == 0 and "Usage" in result.output, result.output


def test_schedule_extend_fills_the_horizon_and_is_idempotent(app: Any, runner: Any) -> None:
    clear_schedule(app)
    first = invoke(runner, "schedule", "extend")
    assert first.exit_code == 0, first.output
    assert "added" in first.output and "open period(s)" in first.output
    made = rows(app)
    today = local_today(clock.now(), "America/New_York")
    assert made[0].start.date() <= today and made[0].start.weekday() == 0
    assert made[-1].stop.date() >= today + timedelta(days=240)
    assert all((r.stop - r.start).days == 6 and r.user_id is None for r in made)
    second = invoke(runner, "schedule", "extend")
    assert second.exit_code == 0 and second.output.startswith("nothing to add"), second.output
    assert len(rows(app)) == len(made)
    longer = invoke(runner, "schedule", "extend", "--days", "300")
    assert longer.exit_code == 0 and "added" in longer.output
    assert rows(app)[-1].stop.date() >= today + timedelta(days=300)
    shown = invoke(runner, "schedule", "show", "--weeks", "2")
    assert shown.exit_code == 0 and "TBD" in shown.output and "open (TBD)" in shown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["schedule", "extend", "--days", "0"], "0 is not in the range"),
        (["schedule", "extend", "--days", "-5"], "not in the range"),
        (["schedule", "extend", "--days", "lots"], "'lots' is not a valid integer"),
        (["schedule", "extend", "--weeks", "2"], "No such option"),
        (["reminders", "pending", "extra"], "unexpected extra argument"),
        (["reminders", "weekly"], "No such command"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(app: Any, runner: Any, args: list[str], message: str) -> None:
    before = len(rows(app))
    result = invoke(runner, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(rows(app)) == before


def test_reminders_pending_queues_one_digest_per_team_and_sends(app: Any, runner: Any) -> None:
    clear_schedule(app)
    result = invoke(runner, "reminders", "pending")
    assert result.exit_code == 0, result.output
    mails = outbox(app)
    assert mails, "the demo instance has open revisions"
    assert {tuple(m.recipients) for m in mails} <= {
        ("arcops@cfa.harvard.edu",),
        ("acisdude@cfa.harvard.edu",),
        ("hrcdude@cfa.harvard.edu",),
        ("cus@cfa.harvard.edu",),
    }
    assert all(m.status == "suppressed" for m in mails)  # the test instance suppresses sending
    assert "outbox: sent 0, suppressed" in result.output
    dry = invoke(runner, "reminders", "pending", "--dry-run")
    assert dry.exit_code == 0 and "nothing sent" in dry.output and "waiting" in dry.output
    assert len(outbox(app)) == len(mails)
    twice = invoke(runner, "reminders", "pending")  # cron twice, or a manual run after cron
    assert twice.exit_code == 0 and "already sent today at" in twice.output, twice.output
    assert len(outbox(app)) == len(mails)
    again = invoke(runner, "reminders", "pending", "--again")
    assert again.exit_code == 0 and len(outbox(app)) == 2 * len(mails)


def test_reminders_duty_warns_about_unfilled_weeks(app: Any, runner: Any) -> None:
    clear_schedule(app)
    assert "nothing to send" in invoke(runner, "reminders", "duty").output
    invoke(runner, "schedule", "extend", "--days", "30")
    result = invoke(runner, "reminders", "duty")
    assert result.exit_code == 0, result.output
    [mail] = outbox(app)
    assert mail.subject.startswith("TOO POC duty:") and "unfilled" in mail.subject
    assert mail.recipients == ["cus@cfa.harvard.edu", "bwargelin@cfa.harvard.edu"]


def test_reminders_duty_reminds_the_poc_two_days_ahead(app: Any, runner: Any) -> None:
    clear_schedule(app)
    today = local_today(clock.now(), "America/New_York")
    with session_scope(app.server.extensions["usint"].sessions) as s:
        erin = get_user(s, "erin")
        start = today + timedelta(days=2)
        for i in range(3):
            day = start + timedelta(days=7 * i)
            s.add(Schedule(order_id=i, start=_midnight(day), stop=_midnight(day + timedelta(days=6)), user_id=erin.id))
    result = invoke(runner, "reminders", "duty")
    assert result.exit_code == 0, result.output
    mails = outbox(app)
    assert [m.recipients for m in mails] == [[erin.email]]
    assert mails[0].subject.startswith("TOO POC duty reminder: you are on duty from")


def _midnight(day: Any) -> Any:
    return midnight(day)
