"""E-mail of a submission against a real local SMTP server (ocat-data-page §10; data-layer §6).

Each test submits through data.submission (demo Ocat, revision DB on a SQLite file), commits, then runs
data.mailer.send_pending with mail_suppress False and the `smtp_server` fixture (aiosmtpd on 127.0.0.1) as the
server, and checks what the server received: subjects, To, Cc and the envelope recipients.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from data import submission
from data.mailer import TEST_PREFIX, send_pending

NOW = datetime.now(UTC)
MAIN = 12345
CUS = "cus@cfa.harvard.edu"
ARCOPS = "arcops@cfa.harvard.edu"
MP = "mp@cfa.harvard.edu"
ACIS = "acisdude@cfa.harvard.edu"
HRC = "hrcdude@cfa.harvard.edu"


def mail_of(user: str) -> str:
    return f"{user}@demo.usint.invalid"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from data.demo_ocat import build_demo_ocat
    from data.ocat_sources import make_source
    from data.settings import load_settings

    d = tmp_path_factory.mktemp("submission-mail")
    demo = build_demo_ocat(d / "ocat.db", observations=80, obs_ss=d / "obs_ss")
    settings = load_settings({"instance_path": str(d), "obs_ss": str(d / "obs_ss"), "mail_suppress": True}, environ={})
    return {"dir": d, "source": make_source(demo.url), "settings": settings}


@pytest.fixture
def sessions(world: dict, tmp_path: Path) -> Any:
    from data.db import make_engine, make_sessionmaker, session_scope
    from data.demo_revisions import seed_users
    from data.parameters import seed_parameters
    from data.schema import upgrade

    url = f"sqlite:///{tmp_path / 'usint.db'}"
    upgrade(url)
    engine = make_engine(url)
    makers = make_sessionmaker(engine)
    with session_scope(makers) as s:
        seed_parameters(s)
        seed_users(s)
    yield makers
    engine.dispose()


def submit(world: dict, sessions: Any, kind: str = "norm", changes: dict | None = None, extras: str = "",
           *, obsid: int = MAIN, username: str = "demo") -> list[str]:  # fmt: skip
    from data.db import session_scope
    from data.users import get_user

    with session_scope(sessions) as s:
        user = get_user(s, username)
        result = submission.submit(s, world["source"], obsid, kind, changes or {}, extras, user=user, now=NOW,
                                   settings=world["settings"])  # fmt: skip
        return list(result.revisions)


def deliver(world: dict, sessions: Any, smtp: Any, **overrides: Any) -> dict[str, Message]:
    """Send the outbox to the local SMTP server; the received messages by subject."""
    settings = dataclasses.replace(
        world["settings"], mail_suppress=False, mail_server=smtp.host, mail_port=smtp.port, **overrides
    )
    before = len(smtp.received)
    report = send_pending(sessions, settings, now=NOW)
    assert not report.failed and not report.retrying, report
    got = smtp.received[before:]
    assert len(got) == len(report.sent)
    return {m["Subject"]: m for m in got}


def addresses(msg: Message, header: str) -> list[str]:
    value = msg.get(header)
    return [a.strip() for a in str(value).split(",")] if value else []


def envelope(msg: Message) -> set[str]:
    return set(addresses(msg, "X-Envelope-To"))


def test_norm_general_change_log_copies_arcops(world: dict, sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(world, sessions, changes={"targname": "Cas A (mail)"})
    got = deliver(world, sessions, smtp_server)
    log = got[f"Parameter Change Log: {rev}"]
    assert addresses(log, "To") == [mail_of("demo")]
    assert addresses(log, "Cc") == [CUS, ARCOPS]
    assert envelope(log) == {mail_of("demo"), CUS, ARCOPS}
    assert log["From"] == world["settings"].mail_sender
    body = log.get_payload(decode=True).decode()
    assert "VERIFIED NORM" in body and "TARGNAME (Target Name) changed from Cas A to Cas A (mail)" in body
    assert f"/chkupdata/{rev}" in body
    # a target name change needs MP attention: to MP, copy to the submitter (and CUS)
    mp = got["POC demo submitted a request which requires MP attention"]
    assert addresses(mp, "To") == [MP]
    assert addresses(mp, "Cc") == [CUS, mail_of("demo")]
    assert "target name change" in mp.get_payload(decode=True).decode().lower()
    assert len(got) == 2


def test_norm_acis_si_change_copies_the_acis_team(world: dict, sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(world, sessions, changes={"most_efficient": "N", "frame_time": 3.0})
    log = deliver(world, sessions, smtp_server)[f"Parameter Change Log: {rev}"]
    assert addresses(log, "Cc") == [CUS, ARCOPS, ACIS]
    body = log.get_payload(decode=True).decode()
    assert "ACIS CHANGES:" in body and "FRAME_TIME" in body


def test_norm_hrc_si_change_copies_the_hrc_team(world: dict, sessions: Any, smtp_server: Any) -> None:
    plan = _plan(world, sessions, 1001, {"hrc_si_mode": "HRCSIMODE2"})
    assert plan.report.signoffs.get("hrc_si") == "Pending", plan.report.signoffs
    (rev,) = submit(world, sessions, obsid=1001, changes={"hrc_si_mode": "HRCSIMODE2"})
    log = deliver(world, sessions, smtp_server)[f"Parameter Change Log: {rev}"]
    assert HRC in addresses(log, "Cc") and ACIS not in addresses(log, "Cc")
    assert addresses(log, "Cc")[0] == CUS


def _plan(world: dict, sessions: Any, obsid: int, changes: dict) -> Any:
    from data.db import session_scope
    from data.users import get_user

    with session_scope(sessions, readonly=True) as s:
        return submission.plan_submission(s, world["source"], obsid, "norm", changes, "", user=get_user(s, "demo"),
                                          now=NOW, settings=world["settings"])  # fmt: skip


def test_asis_then_remove(world: dict, sessions: Any, smtp_server: Any) -> None:
    (asis,) = submit(world, sessions, kind="asis", username="alice")
    got = deliver(world, sessions, smtp_server)
    log = got[f"Parameter Change Log: {asis} (Approved)"]
    assert addresses(log, "To") == [mail_of("alice")] and addresses(log, "Cc") == [CUS]
    assert "VERIFIED OK AS IS" in log.get_payload(decode=True).decode()
    assert len(got) == 1

    (remove,) = submit(world, sessions, kind="remove", username="demo")
    got = deliver(world, sessions, smtp_server)
    log = got[f"Parameter Change Log: {remove} (Removed)"]
    # the submitter and the user of the most recent asis revision of that obsid
    assert addresses(log, "To") == [mail_of("demo"), mail_of("alice")]
    assert addresses(log, "Cc") == [CUS]
    assert envelope(log) == {mail_of("demo"), mail_of("alice"), CUS}
    assert "VERIFIED REMOVED" in log.get_payload(decode=True).decode()


def test_clone_is_a_split_request_copied_to_arcops(world: dict, sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(world, sessions, kind="clone", changes={"comments": "please split in two"})
    got = deliver(world, sessions, smtp_server)
    log = got[f"Parameter Change Log: {rev} (Split Request)"]
    assert addresses(log, "To") == [mail_of("demo")] and addresses(log, "Cc") == [CUS, ARCOPS]
    body = log.get_payload(decode=True).decode()
    assert "VERIFIED CLONE" in body and "NEW COMMENTS = please split in two" in body
    assert len(got) == 1  # a split sends no MP or multi-obsid message


def test_multi_obsid_submission(world: dict, sessions: Any, smtp_server: Any) -> None:
    revs = submit(world, sessions, changes={"targname": "Cyg X-1 (multi)"}, extras="1005, 1006, 1004")
    assert revs[0] == f"{MAIN}.001" and len(revs) == 3
    got = deliver(world, sessions, smtp_server)
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


def test_fast_too(world: dict, sessions: Any, smtp_server: Any) -> None:
    (rev,) = submit(world, sessions, obsid=1002, changes={"targname": "GRB 2 (mail)"})
    got = deliver(world, sessions, smtp_server)
    too = got[f"TOO observation 1002 Parameter Change ({rev})"]
    assert addresses(too, "To") == [ARCOPS] and addresses(too, "Cc") == [CUS]
    body = too.get_payload(decode=True).decode()
    assert "TOO Type:" in body and "TOO Trigger:" in body and f"/chkupdata/{rev}" in body
    assert f"Parameter Change Log: {rev}" in got


def test_test_mode_sends_only_to_the_acting_user(world: dict, sessions: Any, smtp_server: Any) -> None:
    revs = submit(world, sessions, changes={"targname": "Test mode"}, extras="1005", username="alice")
    got = deliver(world, sessions, smtp_server, mail_test_mode=True)
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


def test_nothing_is_sent_twice(world: dict, sessions: Any, smtp_server: Any) -> None:
    submit(world, sessions, kind="asis")
    assert len(deliver(world, sessions, smtp_server)) == 1
    assert deliver(world, sessions, smtp_server) == {}
