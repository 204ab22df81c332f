"""The submit service (data.revisions.submission): routing, notes, multi-obsid outcomes, D8, idempotency, e-mails.

Real parts: a demo Ocat (data.demo.ocat) and a revision DB on SQLite files in a temporary folder. E-mail is
checked here on the queued `outbox` rows; tests/data/test_submission_mail.py sends them to a real local SMTP server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from data.db import session_scope
from data.errors import ValidationFailed
from data.models import Outbox, Revision
from data.ocat.read import read_observation
from data.parameters.validator import form_values
from data.revisions import submission
from data.users import get_user

NOW = datetime.now(UTC)
MAIN = 12345


def run(
    submit_world: dict,
    submit_sessions: Any,
    fn: Any,
    kind: str = "norm",
    changes: dict | None = None,
    extras: str = "",
    **kw: Any,
) -> Any:
    with session_scope(submit_sessions) as s:
        user = get_user(s, kw.pop("username", "demo"))
        ask = submission.SubmitRequest(kw.pop("obsid", MAIN), kind, changes or {}, extras, kw.pop("loaded", None))
        if fn is submission.submit:
            kw["user"] = user
        return fn(s, submit_world["source"], ask, now=NOW, settings=submit_world["settings"], **kw)


def count(submit_sessions: Any, model: Any = Revision) -> int:
    with submit_sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("changes", "pending"),
    [
        ({"targname": "Cas A (new)"}, {"general", "usint"}),
        ({"most_efficient": "N", "frame_time": 3.0}, {"acis", "acis_si", "usint"}),
        ({"spectra_max_count": 10}, {"acis", "usint"}),
        ({"comments": "why"}, {"general", "usint"}),
    ],
)
def test_routing_per_parameter_list(submit_world: dict, submit_sessions: Any, changes: dict, pending: set) -> None:
    plan = run(submit_world, submit_sessions, submission.plan_submission, changes=changes)
    assert {c for c, s in plan.report.signoffs.items() if s == "Pending"} == pending


def test_notes_flags(submit_world: dict, submit_sessions: Any) -> None:
    plan = run(submit_world, submit_sessions, submission.plan_submission, changes={"targname": "X", "dither_flag": "N"})
    assert plan.report.notes["target_name_change"] and plan.report.notes["flag_change"]
    plan = run(submit_world, submit_sessions, submission.plan_submission, obsid=1013, changes={"targname": "X"})
    assert plan.report.notes["on_or_list"] and plan.report.notes["obsdate_under10"]


def test_multi_obsid_outcomes(submit_world: dict, submit_sessions: Any) -> None:
    plan = run(
        submit_world,
        submit_sessions,
        submission.plan_submission,
        changes={"targname": "X"},
        extras="1001, 1004; 1005-1006 99999 12345",
    )
    outcome = {e.obsid: (e.outcome, e.reason) for e in plan.extras}
    assert outcome[1001][0] == outcome[1005][0] == outcome[1006][0] == "revision"
    assert outcome[1004] == ("skipped", "status is observed")
    assert outcome[99999] == ("skipped", "not in the Ocat")
    assert MAIN not in outcome


def test_instrument_specific_changes_do_not_reach_other_instruments(submit_world: dict, submit_sessions: Any) -> None:
    plan = run(
        submit_world, submit_sessions, submission.plan_submission, changes={"spectra_max_count": 10}, extras="1001"
    )
    assert plan.extras[0].outcome == "unaffected"


def test_clone_applies_to_the_main_obsid_only(submit_world: dict, submit_sessions: Any) -> None:
    plan = run(
        submit_world,
        submit_sessions,
        submission.plan_submission,
        kind="clone",
        changes={"comments": "split"},
        extras="1005",
    )
    assert plan.extras[0].outcome == "skipped"


def test_too_many_extra_obsids_is_an_error(submit_world: dict, submit_sessions: Any) -> None:
    plan = run(
        submit_world, submit_sessions, submission.plan_submission, changes={"targname": "X"}, extras="20000-20600"
    )
    assert "extra_obsids" in plan.errors


def test_submit_writes_revisions_and_mails(submit_world: dict, submit_sessions: Any) -> None:
    result = run(submit_world, submit_sessions, submission.submit, changes={"targname": "X"}, extras="1005")
    assert result.revisions == ["12345.001", "1005.001"]
    with submit_sessions() as s:
        mails = {m.subject: m for m in s.scalars(select(Outbox))}
    log = mails["Parameter Change Log: 12345.001"]
    assert log.recipients == ["demo@demo.usint.invalid"] and log.cc == ["arcops@cfa.harvard.edu"]
    assert "TARGNAME (Target Name) changed from Cas A to X" in log.body
    assert mails["Multiple Obsids Are Submitted for Parameter Changes"].recipients == ["arcops@cfa.harvard.edu"]
    mp = mails["POC demo submitted a request which requires MP attention"]
    assert mp.recipients == ["mp@cfa.harvard.edu"]


def test_fast_too_mail(submit_world: dict, submit_sessions: Any) -> None:
    run(submit_world, submit_sessions, submission.submit, obsid=1002, changes={"targname": "GRB 2"})
    with submit_sessions() as s:
        subjects = [m.subject for m in s.scalars(select(Outbox))]
    assert "TOO observation 1002 Parameter Change (1002.001)" in subjects


def test_nothing_written_on_error(submit_world: dict, submit_sessions: Any) -> None:
    with pytest.raises(ValidationFailed):
        run(submit_world, submit_sessions, submission.submit, changes={"y_det_offset": 500})
    with pytest.raises(ValidationFailed):
        run(submit_world, submit_sessions, submission.submit, obsid=1004, changes={"targname": "X"})
    assert count(submit_sessions) == 0 and count(submit_sessions, Outbox) == 0


def test_idempotency_token(submit_world: dict, submit_sessions: Any) -> None:
    first = run(submit_world, submit_sessions, submission.submit, changes={"targname": "X"}, token="t-1")
    again = run(submit_world, submit_sessions, submission.submit, changes={"targname": "X"}, token="t-1")
    assert again.revisions == first.revisions and again.replayed
    assert count(submit_sessions) == 1


def test_ocat_change_since_loading_is_a_conflict(submit_world: dict, submit_sessions: Any) -> None:
    loaded = read_observation(submit_world["source"], MAIN, submit_world["settings"].obs_ss)
    stale = dict(loaded, targname="Old name", y_det_offset=(loaded.get("y_det_offset") or 0) + 2)
    form = dict(form_values(stale), targname="Requested name")
    with pytest.raises(submission.OcatChanged) as err:
        run(submit_world, submit_sessions, submission.submit, changes=form, loaded=stale)
    assert err.value.conflicts["targname"]["now"] == loaded["targname"]
    form = dict(form_values(stale), comments="only a comment")
    result = run(submit_world, submit_sessions, submission.submit, changes=form, loaded=stale)
    assert result.refreshed == ["targname", "y_det_offset"] or "targname" in result.refreshed
    assert count(submit_sessions) == 1
