"""Reminder jobs (data/reminders.py, D20): digests per team with ages, duty reminders, sent to a real SMTP server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from data import schedule
from data.db import session_scope
from data.demo.revisions import seed_users
from data.mail import reminders
from data.mail.outbox import queue
from data.mail.sender import send_pending
from data.models import Schedule
from data.settings import Settings
from tests.factories import make_revision

SUBMITTED = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
NOW = SUBMITTED + timedelta(days=2, hours=3, minutes=10)
TODAY = date(2026, 3, 4)  # Wednesday
ALL_PENDING = {c: "Pending" for c in ("general", "acis", "acis_si", "hrc_si", "usint")}


def settings_for(smtp=None) -> Settings:
    if smtp is None:
        return Settings(base_url="http://usint.test", mail_suppress=True)
    return Settings(base_url="http://usint.test", mail_server=smtp.host, mail_port=smtp.port, mail_suppress=False)


def revision(session, obsid, user, signoff):
    """`make_revision`, then reload the expired users (the factory's expire_all would otherwise make the
    operation log read an expired user inside the next SAVEPOINT commit)."""
    row = make_revision(session, obsid, user=user, now=SUBMITTED, signoff=signoff)
    session.refresh(user)
    return row


def mail_to(mails, address):
    [mail] = [m for m in mails if address in m.to]
    return mail


def test_age_reads_as_days_hours_minutes():
    assert reminders.age(timedelta(days=3, hours=4, minutes=5)) == "3 d 4 h"
    assert reminders.age(timedelta(hours=5, minutes=12)) == "5 h 12 min"
    assert reminders.age(timedelta(minutes=7, seconds=50)) == "7 min"
    assert reminders.age(timedelta(seconds=-5)) == "0 min"


def test_pending_digests_one_mail_per_team_with_ages(session):
    people = seed_users(session)
    revision(session, 1001, people["alice"], ALL_PENDING)
    signed = SUBMITTED + timedelta(days=1)
    revision(
        session,
        1002,
        people["demo"],
        {
            "general": ("Signed", people["bob"], SUBMITTED + timedelta(hours=2)),
            "acis": ("Signed", people["bob"], signed),
            "acis_si": "Not Required",
            "hrc_si": "Not Required",
            "usint": "Pending",
        },
    )
    settings = settings_for()
    mails = reminders.pending_digests(session, now=NOW, settings=settings)
    assert sorted(m.to[0] for m in mails) == sorted(
        [settings.arcops_email, settings.acis_email, settings.hrc_email, settings.cus_email]
    )
    arcops = mail_to(mails, settings.arcops_email)
    assert "1 pending sign-off for ArcOps (oldest 2 d 3 h)" in arcops.subject
    assert "1001.001" in arcops.body and "General" in arcops.body and "1002" not in arcops.body
    acis = mail_to(mails, settings.acis_email)
    assert acis.subject.startswith("USINT: 2 pending sign-offs for ACIS")
    assert re.search(r"1001\.001 +ACIS +waiting +2 d 3 h", acis.body)
    assert re.search(r"1001\.001 +ACIS SI Mode +waiting +2 d 3 h", acis.body)
    assert acis.body.count("chkupdata/1001.001") == 1
    assert "HRC SI Mode" in mail_to(mails, settings.hrc_email).body
    cus = mail_to(mails, settings.cus_email)
    # 1001's verification is not listed (its edits are pending); 1002 waits since its last edit sign-off
    assert "1001" not in cus.body.split("Parameter Status Page")[0]
    assert re.search(r"1002\.001 +USINT verification +waiting +1 d 3 h +\(submitted by demo\)", cus.body)
    assert "http://usint.test/orupdate" in cus.body and "http://usint.test/chkupdata/1002.001" in cus.body


def test_pending_digests_send_nothing_when_nothing_waits(session):
    people = seed_users(session)
    make_revision(session, 1003, user=people["alice"], now=SUBMITTED, signoff={c: "Signed" for c in ALL_PENDING})
    assert reminders.pending_digests(session, now=NOW, settings=settings_for()) == []


def week(session, start, user=None):
    row = Schedule(
        order_id=None,
        start=schedule.midnight(start),
        stop=schedule.midnight(start + timedelta(days=6)),
        user_id=user.id if user else None,
    )
    session.add(row)
    session.flush()
    return row


def test_duty_reminder_goes_to_the_poc_starting_in_two_days_and_warns_about_tbd(session):
    people = seed_users(session)
    week(session, date(2026, 3, 2), people["erin"])  # current week, taken
    week(session, date(2026, 3, 9))  # TBD, within 14 days
    week(session, date(2026, 3, 16), people["demo"])
    week(session, date(2026, 3, 23))  # TBD, starts 19 days after today: not warned
    settings = settings_for()
    # today = Saturday 7 March: the week starting Monday 9 March has nobody, so no personal reminder
    mails = reminders.duty_reminders(session, today=date(2026, 3, 7), settings=settings)
    [warning] = mails
    assert warning.to == (settings.cus_email, settings.admin_email)
    assert warning.subject == "TOO POC duty: 1 unfilled period within 14 days"
    assert "March 09 2026 – March 15 2026" in warning.body
    # today = Saturday 14 March: demo starts on Monday 16 March
    mails = reminders.duty_reminders(session, today=date(2026, 3, 14), settings=settings)
    reminder = mail_to(mails, "demo@demo.usint.invalid")
    assert reminder.subject == "TOO POC duty reminder: you are on duty from March 16 2026"
    assert "Dear Demo User" in reminder.body and "Stop:  March 22 2026" in reminder.body
    assert "http://usint.test/scheduler" in reminder.body
    assert "March 23 2026" in mail_to(mails, settings.cus_email).body
    # no one starts on Tuesday 10 March + 2: nothing personal, and the 9 March week still warns
    assert [m.to for m in reminders.duty_reminders(session, today=date(2026, 3, 8), settings=settings)] == [
        (settings.cus_email, settings.admin_email)
    ]


def test_no_duty_mail_when_everything_is_filled(session):
    people = seed_users(session)
    week(session, date(2026, 3, 2), people["erin"])
    week(session, date(2026, 3, 9), people["erin"])
    week(session, date(2026, 3, 16), people["erin"])
    assert reminders.duty_reminders(session, today=TODAY, settings=settings_for()) == []


@pytest.mark.parametrize("kind", ["pending", "duty"])
def test_reminders_reach_a_real_smtp_server_with_recipients(sessions, smtp_server, kind):
    settings = settings_for(smtp_server)
    with session_scope(sessions) as s:
        people = seed_users(s)
        if kind == "pending":
            make_revision(s, 1004, user=people["alice"], now=SUBMITTED, signoff=ALL_PENDING)
            mails = reminders.pending_digests(s, now=NOW, settings=settings)
        else:
            week(s, TODAY + timedelta(days=2), people["erin"])
            week(s, TODAY + timedelta(days=9))
            mails = reminders.duty_reminders(s, today=TODAY, settings=settings)
        queue(s, mails, acting_user_email=settings.admin_email, now=NOW)
    report = send_pending(sessions, settings, now=NOW)
    assert len(report.sent) == len(mails) and not report.failed
    got = {m["Subject"]: m for m in smtp_server.received}
    if kind == "pending":
        msg = got["USINT: 1 pending sign-off for ArcOps (oldest 2 d 3 h)"]
        assert msg["To"] == settings.arcops_email and msg["Cc"] == settings.cus_email
        assert (
            "1004.001" in msg.get_payload(decode=True).decode() and "2 d 3 h" in msg.get_payload(decode=True).decode()
        )
        assert len(got) == 3  # ArcOps, ACIS, HRC: the verification waits for the edits
    else:
        msg = got["TOO POC duty reminder: you are on duty from March 06 2026"]
        assert msg["To"] == "erin@demo.usint.invalid"
        assert msg["X-Envelope-To"] == f"erin@demo.usint.invalid, {settings.cus_email}"
        warn = got["TOO POC duty: 1 unfilled period within 14 days"]
        assert warn["To"] == f"{settings.cus_email}, {settings.admin_email}"
