"""Revision services: numbering, the one-transaction submit, routing, approval and read views."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from data.db import session_scope
from data.errors import Forbidden, NotFound, ValidationFailed
from data.mail.outbox import Mail
from data.models import Event, Original, Outbox, Request, Revision
from data.revisions.store import (
    approved_obsids,
    board_revisions,
    count_open,
    create_revision,
    decode_value,
    encode_value,
    get_revision,
    has_open_revision,
    history,
    is_approved,
    is_open,
    next_revision_number,
    open_revisions,
    parse_obsidrev,
    requested_values,
)
from data.settings import DEFAULT_PERMISSIONS
from tests.factories import NOW, make_revision, make_user


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_revision_numbers_start_at_one_per_obsid(session):
    assert next_revision_number(session, 12345) == 1
    assert make_revision(session).revision_number == 1
    assert make_revision(session).revision_number == 2
    assert make_revision(session, obsid=999).revision_number == 1
    assert next_revision_number(session, 12345) == 3


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("ACIS-S", '"ACIS-S"'),
        (12.5, "12.5"),
        (None, None),
        ("NULL", None),
        (datetime(2026, 1, 1, tzinfo=UTC), '"2026-01-01T00:00:00Z"'),
        (["Y", None, "P"], '["Y", null, "P"]'),
    ],
)
def test_values_are_stored_as_json_text(value, stored):
    assert encode_value(value) == stored
    if stored is not None:
        assert encode_value(decode_value(stored)) == stored


def test_create_writes_non_null_originals_and_every_request(session):
    rev = make_revision(
        session,
        originals={"comments": "old", "remarks": None, "ra": 10.0, "not_a_parameter": 1},
        requests={"comments": "new", "remarks": None, "tstart": ["2026-01-01T00:00:00Z", None]},
    )
    view = get_revision(session, rev.obsid, rev.revision_number)
    assert view.originals == {"comments": "old", "ra": 10.0}
    assert view.requests == {"comments": "new", "remarks": None, "tstart": ["2026-01-01T00:00:00Z", None]}
    assert view.time == NOW
    assert view.user == "alice"
    assert view.notes == {"comment_change": True}


def test_an_unknown_requested_name_is_refused(session):
    with pytest.raises(ValidationFailed, match="no_such_thing"):
        make_revision(session, requests={"no_such_thing": 1})


@pytest.mark.parametrize(
    ("kind", "requests", "pending"),
    [
        ("norm", {"comments": "x"}, {"general", "usint"}),
        ("norm", {"exp_mode": "CC"}, {"acis", "acis_si", "usint"}),
        ("norm", {"spectra_max_count": 5}, {"acis", "usint"}),
        ("norm", {"hrc_si_mode": "X"}, {"general", "hrc_si", "usint"}),
        ("clone", {"comments": "split"}, {"general", "usint"}),
        ("asis", {}, set()),
        ("remove", {}, set()),
    ],
)
def test_signoff_routing_follows_the_catalogue(session, kind, requests, pending):
    rev = make_revision(session, kind=kind, requests=requests)
    view = get_revision(session, rev.obsid, rev.revision_number)
    assert set(view.pending) == pending
    assert is_open(view) == bool(pending)


def test_asis_is_signed_by_the_submitter_at_creation(session):
    rev = make_revision(session, kind="asis")
    usint = get_revision(session, rev.obsid, rev.revision_number).signoff["usint"]
    assert usint == {"status": "Signed", "user": "alice", "time": NOW}


def test_create_records_an_event_and_queues_mails_with_the_obsidrev(session):
    mail = Mail(subject="Parameter Change Log: {obsidrev}", to=["alice@example.org"], body="See {obsidrev}")
    make_revision(session)
    rev = make_revision(session, mails=[mail])
    event = session.scalars(select(Event).where(Event.target == "12345.002")).one()
    assert (event.action, event.username, event.after["kind"]) == ("submit", "alice", "norm")
    row = session.scalars(select(Outbox)).one()
    assert row.subject == "Parameter Change Log: 12345.002"
    assert row.body == "See 12345.002"
    assert (row.status, row.obsidrevs, row.acting_email) == ("queued", rev.obsidrev, "alice@example.org")


def test_mails_may_be_built_from_the_new_revision(session):
    make_revision(session, mails=lambda rev: [Mail(subject=f"rev {rev.obsidrev}", to=["x@y"])])
    assert session.scalar(select(Outbox.subject)) == "rev 12345.001"


def test_submit_needs_the_submit_permission_when_permissions_are_given(session, users):
    with pytest.raises(Forbidden, match="bob is not in the usint group"):
        make_revision(session, user=users["bob"], permissions=DEFAULT_PERMISSIONS)
    assert make_revision(session, user=users["alice"], permissions=DEFAULT_PERMISSIONS)


def test_an_unknown_user_cannot_submit(session):
    with pytest.raises(Forbidden, match="not registered"):
        create_revision(
            session, 1, kind="asis", sequence_number=1, originals={}, requests={}, notes=None, user=None, now=NOW
        )


def test_a_failed_transaction_leaves_no_revision_and_no_mail(sessions):
    with pytest.raises(RuntimeError):
        with session_scope(sessions) as s:
            make_revision(s, mails=[Mail(subject="x", to=["a@b"])])
            raise RuntimeError("boom")
    with session_scope(sessions) as s:
        assert count(s, Revision) == count(s, Outbox) == count(s, Request) == count(s, Original) == 0


def test_the_operation_line_is_written_after_commit_only(sessions, caplog):
    caplog.set_level(logging.INFO, logger="usint.operations")
    with pytest.raises(RuntimeError), session_scope(sessions) as s:
        make_revision(s)
        raise RuntimeError("boom")
    assert not caplog.records
    with session_scope(sessions) as s:
        make_revision(s)
        assert not caplog.records
    assert [r.getMessage() for r in caplog.records] == ["user=alice action=submit target=12345.001 kind=norm"]


def test_approval_follows_the_latest_asis_or_remove(session):
    assert not is_approved(session, 12345)
    make_revision(session, kind="asis")
    assert is_approved(session, 12345)
    make_revision(session, kind="norm")
    assert is_approved(session, 12345)
    make_revision(session, kind="remove")
    assert not is_approved(session, 12345)
    make_revision(session, kind="asis")
    make_revision(session, obsid=22222, kind="asis")
    make_revision(session, obsid=33333, kind="remove")
    assert approved_obsids(session) == [12345, 22222]


def test_open_revisions_history_and_requested_values(session):
    make_revision(session, requests={"comments": "a", "targname": "T1"})
    make_revision(session, requests={"comments": "b"})
    make_revision(session, obsid=22222, signoff={"general": "Signed", "usint": "Signed"})
    assert [v.obsidrev for v in open_revisions(session)] == ["12345.001", "12345.002"]
    assert open_revisions(session, obsids=[22222]) == []
    assert has_open_revision(session, 12345) and not has_open_revision(session, 22222)
    assert [v.revision_number for v in history(session, 12345)] == [1, 2]
    assert requested_values(session, [12345, 22222]) == {12345: {"comments": "b", "targname": "T1"}, 22222: {}}


def test_board_lists_open_and_recently_closed_revisions(session):
    old = datetime(2026, 1, 1, tzinfo=UTC)
    make_revision(session, obsid=1, now=old, signoff={"general": ("Signed", None, old), "usint": ("Signed", None, old)})
    make_revision(session, obsid=2, now=old, signoff={"general": ("Signed", None, NOW), "usint": ("Signed", None, NOW)})
    make_revision(session, obsid=3, now=old)
    assert sorted(v.obsid for v in board_revisions(session, now=NOW, window_h=36)) == [2, 3]


def test_get_revision_of_a_missing_revision_is_not_found(session):
    with pytest.raises(NotFound, match="12345.007"):
        get_revision(session, 12345, 7)


@pytest.mark.parametrize(("text", "parsed"), [("12345.004", (12345, 4)), (" 7.1 ", (7, 1))])
def test_parse_obsidrev(text, parsed):
    assert parse_obsidrev(text) == parsed


@pytest.mark.parametrize("text", ["12345", "abc.001", "1.2.3", ""])
def test_parse_obsidrev_refuses_other_text(text):
    with pytest.raises(ValidationFailed):
        parse_obsidrev(text)


def test_make_user_is_reused(session):
    assert make_user(session).id == make_user(session).id


def test_open_revisions_of_one_submitter(session, users):
    mine = make_revision(session, obsid=777, user=users["alice"])
    make_revision(session, obsid=778, user=users["demo"])
    found = open_revisions(session, submitter_id=users["alice"].id)
    assert [r.obsidrev for r in found] == [mine.obsidrev]


def test_open_revisions_limited_and_counted(session, users):
    for obsid in (903, 901, 902):
        make_revision(session, obsid=obsid, user=users["alice"])
    make_revision(session, obsid=900, user=users["demo"])
    alice = users["alice"].id
    assert [r.obsid for r in open_revisions(session, submitter_id=alice, limit=2)] == [901, 902]
    assert count_open(session, submitter_id=alice) == 3
    assert count_open(session) == 4
