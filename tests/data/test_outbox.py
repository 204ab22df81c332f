"""The outbox (D21): queued with the change, sent after commit, retried, test and suppress modes."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.db import on_outbox_commit, session_scope
from data.mail.outbox import Mail, outbox_status, queue, retry_failed
from data.mail.sender import BackgroundSender, send_pending
from data.models import Outbox, Revision
from data.settings import Settings
from tests.factories import NOW, make_revision
from tests.fixtures.revdb import free_port

MAIL = Mail(
    subject="Parameter Change Log: {obsidrev}", to=["alice@example.org"], cc=["arcops@cfa"], body="Obsid = 12345"
)


def settings_for(server=None, **changes) -> Settings:
    base = Settings(mail_server="127.0.0.1", mail_port=server.port if server else free_port(), cus_email="cus@cfa")
    return dataclasses.replace(base, **changes)


def submit(sessions, mails=(MAIL,)) -> str:
    with session_scope(sessions) as s:
        return make_revision(s, mails=list(mails)).obsidrev


def rows(sessions) -> list[Outbox]:
    with session_scope(sessions) as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def test_queue_adds_rows_to_the_callers_transaction(session):
    queue(session, [MAIL, MAIL], acting_user_email="a@b", now=NOW)
    assert [r.status for r in session.scalars(select(Outbox))] == ["queued", "queued"]


def test_mail_is_sent_after_commit_with_cus_in_cc(sessions, smtp_server):
    obsidrev = submit(sessions)
    report = send_pending(sessions, settings_for(smtp_server), now=NOW)
    assert len(report.sent) == 1
    msg = smtp_server.received[0]
    assert msg["Subject"] == f"Parameter Change Log: {obsidrev}"
    assert msg["Cc"] == "cus@cfa, arcops@cfa"
    assert set(msg["X-Envelope-To"].split(", ")) == {"alice@example.org", "cus@cfa", "arcops@cfa"}
    assert [(r.status, r.sent_at) for r in rows(sessions)] == [("sent", int(NOW.timestamp()))]
    assert send_pending(sessions, settings_for(smtp_server), now=NOW + timedelta(hours=1)).sent == []


def test_test_mode_prefixes_and_sends_only_to_the_acting_user(sessions, smtp_server):
    submit(sessions, [Mail(subject="Hello", to=["arcops@cfa"], cc=["mp@cfa"])])
    send_pending(sessions, settings_for(smtp_server, mail_test_mode=True), now=NOW)
    msg = smtp_server.received[0]
    assert msg["Subject"] == "TEST!!! Hello"
    assert msg["X-Envelope-To"] == "alice@example.org"
    assert msg["Cc"] is None


def test_suppress_mode_logs_instead_of_sending(sessions, smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="usint.mail")
    submit(sessions)
    report = send_pending(sessions, settings_for(smtp_server, mail_suppress=True), now=NOW)
    assert len(report.suppressed) == 1 and smtp_server.received == []
    assert rows(sessions)[0].status == "suppressed"
    assert "Parameter Change Log" in caplog.text


@pytest.mark.parametrize("trouble", ["refusing", "down"])
def test_a_failed_send_keeps_the_revision_and_a_later_send_delivers(sessions, smtp_server, trouble):
    submit(sessions)
    if trouble == "refusing":
        smtp_server.refuse = True
    else:
        smtp_server.stop()
    report = send_pending(sessions, settings_for(smtp_server), now=NOW)
    assert len(report.retrying) == 1
    (row,) = rows(sessions)
    assert (row.status, row.attempts) == ("queued", 1)
    assert ("554" in row.last_error) if trouble == "refusing" else row.last_error
    with session_scope(sessions) as s:
        assert s.scalar(select(Revision.obsid)) == 12345
        assert outbox_status(s).problems[0].id == row.id
    smtp_server.refuse = False
    smtp_server.start()
    assert send_pending(sessions, settings_for(smtp_server), now=NOW + timedelta(seconds=10)).sent == []
    report = send_pending(sessions, settings_for(smtp_server), now=NOW + timedelta(minutes=2))
    assert report.sent == [row.id]
    assert len(smtp_server.received) == 1
    assert rows(sessions)[0].status == "sent"


def test_after_max_attempts_a_mail_fails_and_can_be_retried(sessions, smtp_server):
    submit(sessions)
    smtp_server.refuse = True
    settings = settings_for(smtp_server)
    for minute in range(3):
        send_pending(sessions, settings, now=NOW + timedelta(minutes=2 * minute), max_attempts=3)
    (row,) = rows(sessions)
    assert (row.status, row.attempts) == ("failed", 3)
    with session_scope(sessions) as s:
        status = outbox_status(s)
        assert status.counts == {"failed": 1}
        assert status.problems[0].last_error
        assert retry_failed(s) == 1
    smtp_server.refuse = False
    assert len(send_pending(sessions, settings, now=NOW + timedelta(hours=1)).sent) == 1


def test_a_message_sent_again_after_a_crash_keeps_its_message_id(sessions, smtp_server):
    submit(sessions, [MAIL, Mail(subject="Other", to=["bob@example.org"])])
    send_pending(sessions, settings_for(smtp_server), now=NOW)
    with session_scope(sessions) as s:  # the sender died after sending the first one, before marking it sent
        first = s.scalars(select(Outbox).order_by(Outbox.id)).first()
        first.status, first.sent_at, first.last_attempt_at = "queued", None, None
    send_pending(sessions, settings_for(smtp_server), now=NOW + timedelta(minutes=5))
    ids = [m["Message-ID"] for m in smtp_server.received]
    assert len(ids) == 3 and ids[0] == ids[2] != ids[1]
    assert ids[0].startswith("<usint-outbox.") and ids[0].endswith(">")


def test_only_a_committed_transaction_that_queued_mail_calls_the_hook(sessions):
    calls = []
    on_outbox_commit(sessions, lambda: calls.append(1))
    submit(sessions)
    assert calls == [1]
    with session_scope(sessions) as s:  # a commit that queued nothing
        retry_failed(s)
    assert calls == [1]
    with pytest.raises(RuntimeError), session_scope(sessions) as s:
        queue(s, [MAIL], acting_user_email=None, now=NOW)
        raise RuntimeError("rolled back")
    assert calls == [1]
    assert len(rows(sessions)) == 1


def test_the_background_sender_mails_after_the_commit_wakes_it(sessions, smtp_server):
    sender = BackgroundSender(settings_for(smtp_server), sessions, now=lambda: NOW)
    on_outbox_commit(sessions, sender.wake)
    obsidrev = submit(sessions)
    assert sender.wait_idle(10)
    assert smtp_server.subjects == [f"Parameter Change Log: {obsidrev}"]
    assert [r.status for r in rows(sessions)] == ["sent"] and sender.runs == 1
