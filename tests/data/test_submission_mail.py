"""E-mail of a submission against a real local SMTP server (ocat-data-page §10; data-layer §6).

Each test submits through data.revisions.submission (demo Ocat, revision DB on a SQLite file), commits, then runs
data.mail.sender.send_pending with mail_suppress False and the `smtp_server` fixture (aiosmtpd on 127.0.0.1) as the
server, and checks what the server received: subjects, To, Cc and the envelope recipients.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from data.db import session_scope
from data.mail.sender import TEST_PREFIX, send_pending
from data.revisions import submission
from data.users import get_user

NOW = datetime.now(UTC)
MAIN = 12345
CUS = "cus@cfa.harvard.edu"
ARCOPS = "arcops@cfa.harvard.edu"
MP = "mp@cfa.harvard.edu"
ACIS = "acisdude@cfa.harvard.edu"
HRC = "hrcdude@cfa.harvard.edu"


def mail_of(user: str) -> str:
    return f"{user}@demo.usint.invalid"


def submit(
    submit_world: dict,
    submit_sessions: Any,
    kind: str = "norm",
    changes: dict | None = None,
    extras: str = "",
    *,
    obsid: int = MAIN,
    username: str = "demo",
) -> list[str]:
    with session_scope(submit_sessions) as s:
        user = get_user(s, username)
        ask = submission.SubmitRequest(obsid, kind, changes or {}, extras)
        result = submission.submit(
            s, submit_world["source"], ask, user=user, now=NOW, settings=submit_world["settings"]
        )
        return list(result.revisions)


def deliver(submit_world: dict, submit_sessions: Any, smtp: Any, **overrides: Any) -> dict[str, Message]:
    """Send the outbox to the local SMTP server; the received messages by subject."""
    settings = dataclasses.replace(
        submit_world["settings"], mail_suppress=False, mail_server=smtp.host, mail_port=smtp.port, **overrides
    )
    before = len(smtp.received)
    report = send_pending(submit_sessions, settings, now=NOW)
    assert not report.failed and not report.retrying, report
    got = smtp.received[before:]
    assert len(got) == len(report.sent)
    return {m["Subject"]: m for m in got}


def addresses(msg: Message, header: str) -> list[str]:
    value = msg.get(header)
    return [a.strip() for a in str(value).split(",")] if value else []


def envelope(msg: Message) -> set[str]:
    return set(addresses(msg, "X-Envelope-To"))


def test_norm_general_change_log_copies_arcops(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(submit_world, submit_sessions, changes={"targname": "Cas A (mail)"})
    got = deliver(submit_world, submit_sessions, smtp_server)
    log = got[f"Parameter Change Log: {rev}"]
    assert addresses(log, "To") == [mail_of("demo")]
    assert addresses(log, "Cc") == [CUS, ARCOPS]
    assert envelope(log) == {mail_of("demo"), CUS, ARCOPS}
    assert log["From"] == submit_world["settings"].mail_sender
    body = log.get_payload(decode=True).decode()
    assert "VERIFIED NORM" in body and "TARGNAME (Target Name) changed from Cas A to Cas A (mail)" in body
    assert f"/chkupdata/{rev}" in body
    # a target name change needs MP attention: to MP, copy to the submitter (and CUS)
    mp = got["POC demo submitted a request which requires MP attention"]
    assert addresses(mp, "To") == [MP]
    assert addresses(mp, "Cc") == [CUS, mail_of("demo")]
    assert "target name change" in mp.get_payload(decode=True).decode().lower()
    assert len(got) == 2


def test_norm_acis_si_change_copies_the_acis_team(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(submit_world, submit_sessions, changes={"most_efficient": "N", "frame_time": 3.0})
    log = deliver(submit_world, submit_sessions, smtp_server)[f"Parameter Change Log: {rev}"]
    assert addresses(log, "Cc") == [CUS, ARCOPS, ACIS]
    body = log.get_payload(decode=True).decode()
    assert "ACIS CHANGES:" in body and "FRAME_TIME" in body


def test_norm_hrc_si_change_copies_the_hrc_team(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    plan = _plan(submit_world, submit_sessions, 1001, {"hrc_si_mode": "HRCSIMODE2"})
    assert plan.report.signoffs.get("hrc_si") == "Pending", plan.report.signoffs
    (rev,) = submit(submit_world, submit_sessions, obsid=1001, changes={"hrc_si_mode": "HRCSIMODE2"})
    log = deliver(submit_world, submit_sessions, smtp_server)[f"Parameter Change Log: {rev}"]
    assert HRC in addresses(log, "Cc") and ACIS not in addresses(log, "Cc")
    assert addresses(log, "Cc")[0] == CUS


def _plan(submit_world: dict, submit_sessions: Any, obsid: int, changes: dict) -> Any:
    with session_scope(submit_sessions, readonly=True) as s:
        ask = submission.SubmitRequest(obsid, "norm", changes, "")
        return submission.plan_submission(s, submit_world["source"], ask, now=NOW, settings=submit_world["settings"])


def test_asis_then_remove(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    (asis,) = submit(submit_world, submit_sessions, kind="asis", username="alice")
    got = deliver(submit_world, submit_sessions, smtp_server)
    log = got[f"Parameter Change Log: {asis} (Approved)"]
    assert addresses(log, "To") == [mail_of("alice")] and addresses(log, "Cc") == [CUS]
    assert "VERIFIED OK AS IS" in log.get_payload(decode=True).decode()
    assert len(got) == 1

    (remove,) = submit(submit_world, submit_sessions, kind="remove", username="demo")
    got = deliver(submit_world, submit_sessions, smtp_server)
    log = got[f"Parameter Change Log: {remove} (Removed)"]
    # the submitter and the user of the most recent asis revision of that obsid
    assert addresses(log, "To") == [mail_of("demo"), mail_of("alice")]
    assert addresses(log, "Cc") == [CUS]
    assert envelope(log) == {mail_of("demo"), mail_of("alice"), CUS}
    assert "VERIFIED REMOVED" in log.get_payload(decode=True).decode()


def test_clone_is_a_split_request_copied_to_arcops(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(submit_world, submit_sessions, kind="clone", changes={"comments": "please split in two"})
    got = deliver(submit_world, submit_sessions, smtp_server)
    log = got[f"Parameter Change Log: {rev} (Split Request)"]
    assert addresses(log, "To") == [mail_of("demo")] and addresses(log, "Cc") == [CUS, ARCOPS]
    body = log.get_payload(decode=True).decode()
    assert "VERIFIED CLONE" in body and "NEW COMMENTS = please split in two" in body
    assert len(got) == 1  # a split sends no MP or multi-obsid message


def test_multi_obsid_submission(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    revs = submit(submit_world, submit_sessions, changes={"targname": "Cyg X-1 (multi)"}, extras="1005, 1006, 1004")
    assert revs[0] == f"{MAIN}.001" and len(revs) == 3
    got = deliver(submit_world, submit_sessions, smtp_server)
    for rev in revs:  # one change log per revision, each to the submitter with its own copies
        log = got[f"Parameter Change Log: {rev}"]
        assert addresses(log, "To") == [mail_of("demo")] and addresses(log, "Cc") == [CUS, ARCOPS]
        assert f"Obsid = {rev.split('.')[0]}" in log.get_payload(decode=True).decode()
    multi = got["Multiple Obsids Are Submitted for Parameter Changes"]
    assert addresses(multi, "To") == [ARCOPS] and addresses(multi, "Cc") == [CUS]
    body = multi.get_payload(decode=True).decode()
    assert all(f"/chkupdata/{r}" in body for r in revs)
    assert f"Updated parameters for {MAIN} are:" in body and "1004 : status is observed" in body
    mp = got["POC demo submitted a request which requires MP attention"]
    assert all(f"{r.split('.')[0]}: " in mp.get_payload(decode=True).decode() for r in revs)
    assert len(got) == len(revs) + 2


def test_fast_too(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(submit_world, submit_sessions, obsid=1002, changes={"targname": "GRB 2 (mail)"})
    got = deliver(submit_world, submit_sessions, smtp_server)
    too = got[f"TOO observation 1002 Parameter Change ({rev})"]
    assert addresses(too, "To") == [ARCOPS] and addresses(too, "Cc") == [CUS]
    body = too.get_payload(decode=True).decode()
    assert "TOO Type:" in body and "TOO Trigger:" in body and f"/chkupdata/{rev}" in body
    assert f"Parameter Change Log: {rev}" in got


def test_test_mode_sends_only_to_the_acting_user(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    revs = submit(submit_world, submit_sessions, changes={"targname": "Test mode"}, extras="1005", username="alice")
    got = deliver(submit_world, submit_sessions, smtp_server, mail_test_mode=True)
    assert set(got) == {
        f"{TEST_PREFIX}Parameter Change Log: {revs[0]}",
        f"{TEST_PREFIX}Parameter Change Log: {revs[1]}",
        f"{TEST_PREFIX}Multiple Obsids Are Submitted for Parameter Changes",
        f"{TEST_PREFIX}POC alice submitted a request which requires MP attention",
    }
    assert TEST_PREFIX == "TEST!!! "
    for msg in got.values():
        assert addresses(msg, "To") == [mail_of("alice")] and addresses(msg, "Cc") == []
        assert envelope(msg) == {mail_of("alice")}


def test_nothing_is_sent_twice(submit_world: dict, submit_sessions: Any, smtp_server: Any) -> None:
    submit(submit_world, submit_sessions, kind="asis")
    assert len(deliver(submit_world, submit_sessions, smtp_server)) == 1
    assert deliver(submit_world, submit_sessions, smtp_server) == {}
