"""Sign-off transitions (D13, D14, D17): the ALLOWED table, permissions, stale refusals, undo, races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.db import session_scope
from data.demo.revisions import seed_users
from data.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from data.models import STATUSES, Event, Revision
from data.revisions.signoffs import ALLOWED, approve, discard, guard, sign, undo_revision, undo_signoff, undoable
from data.revisions.store import get_revision, is_approved
from data.settings import DEFAULT_PERMISSIONS as PERMS
from tests.factories import NOW, make_revision

LATER = NOW + timedelta(hours=1)


@pytest.mark.parametrize("new", STATUSES)
@pytest.mark.parametrize("old", STATUSES)
def test_guard_allows_exactly_the_transitions_of_the_table(old, new):
    if new in ALLOWED[old]:
        guard("1.001", "general", old, new)
    else:
        with pytest.raises(InvalidTransition):
            guard("1.001", "general", old, new)


def test_sign_records_the_signer_time_and_an_event(session, users):
    make_revision(session)
    view = sign(session, 12345, 1, "general", user=users["bob"], now=LATER, permissions=PERMS)
    assert view.signoff["general"] == {"status": "Signed", "user": "bob", "time": LATER}
    event = session.scalars(select(Event).where(Event.action == "sign.general")).one()
    assert (event.before["status"], event.after["user"]) == ("Pending", "bob")


def test_sign_refuses_when_column_no_longer_pending(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    with pytest.raises(Conflict, match=r"already signed by bob at 2026-03-02 15:30 UTC") as err:
        sign(session, 12345, 1, "general", user=users["alice"], now=LATER, permissions=PERMS)
    assert err.value.status == 409


def test_sign_refuses_a_not_required_column(session, users):
    make_revision(session)
    with pytest.raises(Conflict, match="is now Not Required"):
        sign(session, 12345, 1, "acis", user=users["carol"], now=NOW, permissions=PERMS)
    with pytest.raises(InvalidTransition):
        sign(session, 12345, 1, "acis", user=users["carol"], expected="Not Required", now=NOW, permissions=PERMS)


def test_usint_verification_waits_for_the_edit_columns(session, users):
    make_revision(session, requests={"comments": "x", "exp_mode": "CC"})
    with pytest.raises(InvalidTransition, match="waits for general, acis, acis_si"):
        sign(session, 12345, 1, "usint", user=users["alice"], now=NOW, permissions=PERMS)
    for column, who in (("general", "bob"), ("acis", "carol"), ("acis_si", "carol")):
        sign(session, 12345, 1, column, user=users[who], now=NOW, permissions=PERMS)
    view = sign(session, 12345, 1, "usint", user=users["alice"], now=NOW, permissions=PERMS)
    assert not view.is_open


@pytest.mark.parametrize(
    ("column", "allowed", "refused"),
    [
        ("general", ["bob", "alice", "demo"], ["carol", "dave", "erin", "frank"]),
        ("acis", ["carol", "alice", "demo"], ["bob", "dave", "erin", "frank"]),
        ("acis_si", ["carol", "alice", "demo"], ["bob", "dave", "erin", "frank"]),
        ("hrc_si", ["dave", "alice", "demo"], ["bob", "carol", "erin", "frank"]),
    ],
)
def test_permissions_per_column(session, users, column, allowed, refused):
    requests = {"comments": "x", "exp_mode": "CC", "hrc_si_mode": "Y"}
    for who in refused:
        make_revision(session, requests=requests)
        with pytest.raises(Forbidden):
            sign(session, 12345, 1, column, user=users[who], now=NOW, permissions=PERMS)
    for n, who in enumerate(allowed, start=1):
        make_revision(session, requests=requests)
        assert sign(session, 12345, n, column, user=users[who], now=NOW, permissions=PERMS)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("bob", "bob is not in the usint group"),
        ("frank", "frank is not an active USINT user"),
        (None, "not registered"),
    ],
)
def test_refusals_say_why(session, users, who, message):
    make_revision(session, signoff={"general": "Signed"})
    with pytest.raises(Forbidden, match=message):
        sign(session, 12345, 1, "usint", user=users.get(who), now=NOW, permissions=PERMS)


def test_unknown_column_and_missing_revision(session, users):
    make_revision(session)
    with pytest.raises(ValidationFailed):
        sign(session, 12345, 1, "bogus", user=users["demo"], now=NOW, permissions=PERMS)
    with pytest.raises(NotFound):
        sign(session, 12345, 9, "general", user=users["demo"], now=NOW, permissions=PERMS)


def test_approve_adds_an_asis_revision_when_not_approved(session, users):
    make_revision(session, signoff={"general": "Signed"})
    result = approve(session, 12345, 1, user=users["alice"], now=LATER, permissions=PERMS)
    assert not result.already_approved
    assert result.approval.obsidrev == "12345.002" and result.approval.kind == "asis"
    assert result.approval.sequence_number == result.signed.sequence_number
    assert is_approved(session, 12345)


def test_approve_of_an_approved_obsid_only_signs(session, users):
    make_revision(session, kind="asis")
    make_revision(session, signoff={"general": "Signed"})
    result = approve(session, 12345, 2, user=users["alice"], now=LATER, permissions=PERMS)
    assert result.already_approved and result.approval is None
    assert "already approved" in result.message
    assert session.scalar(select(Revision.id).where(Revision.revision_number == 3)) is None


def test_discard_turns_pending_columns_into_discard(session, users):
    make_revision(session, signoff={"general": ("Signed", users["bob"], NOW)})
    with pytest.raises(Forbidden):
        discard(session, 12345, 1, user=users["bob"], now=LATER, permissions=PERMS)
    view = discard(session, 12345, 1, user=users["alice"], now=LATER, permissions=PERMS)
    assert view.signoff["general"]["status"] == "Signed"
    assert view.signoff["usint"] == {"status": "Discard", "user": "alice", "time": LATER}
    assert not view.is_open
    with pytest.raises(Conflict, match="no longer open"):
        discard(session, 12345, 1, user=users["alice"], now=LATER, permissions=PERMS)


def test_discard_refuses_when_a_column_changed_since_seen(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    with pytest.raises(Conflict, match="already signed by bob"):
        discard(
            session,
            12345,
            1,
            user=users["alice"],
            now=LATER,
            permissions=PERMS,
            expected={"general": "Pending", "usint": "Pending"},
        )


def test_undo_own_signoff_within_the_window(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    with pytest.raises(Forbidden, match="only bob"):
        undo_signoff(session, 12345, 1, "general", user=users["alice"], now=LATER)
    with pytest.raises(Forbidden, match="within 36 hours"):
        undo_signoff(session, 12345, 1, "general", user=users["bob"], now=NOW + timedelta(hours=37))
    view = undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    assert view.signoff["general"] == {"status": "Pending", "user": None, "time": None}
    actions = session.scalars(select(Event.action).order_by(Event.id)).all()
    assert actions == ["submit", "sign.general", "undo.general"]


def test_undo_of_an_asis_usint_signoff_reopens_it(session, users):
    make_revision(session, kind="asis", user=users["alice"])
    view = undo_signoff(session, 12345, 1, "usint", user=users["alice"], now=LATER)
    assert view.is_open


def test_undo_revision_deletes_it_and_keeps_its_before_state(session, users):
    make_revision(session, user=users["alice"])
    view = undo_revision(session, 12345, 1, user=users["alice"], now=LATER)
    with pytest.raises(NotFound):
        get_revision(session, 12345, 1)
    event = session.scalars(select(Event).where(Event.action == "undo.revision")).one()
    assert event.before["requests"] == view.requests and event.before["requests"]
    assert event.after is None


def test_undo_revision_refused_once_someone_else_signed(session, users):
    make_revision(session, user=users["alice"], signoff={"general": ("Signed", users["bob"], NOW)})
    with pytest.raises(Forbidden, match="before anyone else signs"):
        undo_revision(session, 12345, 1, user=users["alice"], now=LATER)
    with pytest.raises(Forbidden, match="only its submitter"):
        undo_revision(session, 12345, 1, user=users["bob"], now=LATER)


def test_undo_revision_allowed_for_own_asis(session, users):
    make_revision(session, kind="asis", user=users["alice"])
    undo_revision(session, 12345, 1, user=users["alice"], now=LATER)
    assert not is_approved(session, 12345)


def test_undoable_lists_own_recent_actions(session, users):
    make_revision(session, user=users["alice"])
    make_revision(session, obsid=2, user=users["demo"])
    sign(session, 2, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    items = {u.revision.obsidrev: u for u in undoable(session, user=users["bob"], now=LATER)}
    assert list(items) == ["2.001"] and items["2.001"].columns == ("general",)
    assert not items["2.001"].revision_removable
    mine = undoable(session, user=users["alice"], now=LATER)
    assert [(u.revision.obsidrev, u.revision_removable) for u in mine] == [("12345.001", True)]


def test_two_sessions_signing_the_same_column_at_once_one_wins(sessions):
    with session_scope(sessions) as s:
        users = seed_users(s)
        for _ in range(5):
            make_revision(s, user=users["alice"])
    barrier = threading.Barrier(2)
    outcomes: list[tuple[int, str]] = []

    def worker(name: str, rev: int) -> None:
        barrier.wait()
        try:
            with session_scope(sessions) as s:
                sign(s, 12345, rev, "general", user=users[name], now=NOW, permissions=PERMS)
            outcomes.append((rev, "won"))
        except Conflict:
            outcomes.append((rev, "conflict"))

    for rev in range(1, 6):
        threads = [threading.Thread(target=worker, args=(n, rev)) for n in ("bob", "demo")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for rev in range(1, 6):
        assert sorted(o for r, o in outcomes if r == rev) == ["conflict", "won"]
    with session_scope(sessions) as s:
        assert len(s.scalars(select(Event).where(Event.action == "sign.general")).all()) == 5
