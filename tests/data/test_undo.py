"""Undo on rm_submission (other-pages §7, D17): the listing of data/revisions/undo.py over the rules of data/revisions/signoffs.py.

Own sign-offs and own revisions (nobody else signed) within 36 h can be undone; the edge (exactly 36 h) counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from data.errors import Forbidden
from data.events import events_for
from data.models import Revision, Signoff
from data.revisions.signoffs import discard, sign
from data.revisions.store import create_revision, get_revision, history
from data.revisions.undo import REVISION, recent_rows, reversible_items, undo
from data.settings import DEFAULT_PERMISSIONS

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
WINDOW = timedelta(hours=36)
SECOND = timedelta(seconds=1)


def norm(session, user, *, when, obsid=12345):
    """A norm revision routed to general and usint (targname requested)."""
    return create_revision(
        session,
        obsid,
        kind="norm",
        sequence_number=1,
        originals={"targname": "Old"},
        requests={"targname": "New"},
        notes=None,
        user=user,
        now=when,
    )


def asis(session, user, *, when, obsid=1005):
    return create_revision(
        session, obsid, kind="asis", sequence_number=1, originals={}, requests={}, notes=None, user=user, now=when
    )


def signed(session, rev, column, user, *, when):
    return sign(session, rev.obsid, rev.revision_number, column, user=user, now=when, permissions=DEFAULT_PERMISSIONS)


def listing(session, user, now=NOW):
    return {i.revision.obsidrev: (i.columns, i.revision_removable) for i in reversible_items(session, user, now, 36)}


# ------------------------------------------------------------------------------------------------ own sign-offs


@pytest.mark.parametrize(
    ("age", "listed"), [(timedelta(0), True), (WINDOW - SECOND, True), (WINDOW, True), (WINDOW + SECOND, False)]
)
def test_own_signoff_is_reversible_within_36_hours_edge_included(session, people, age, listed):
    rev = norm(session, people["alice"], when=NOW - timedelta(days=5))
    signed(session, rev, "general", people["bob"], when=NOW - age)
    got = listing(session, people["bob"])
    assert (got.get(rev.obsidrev) == (("general",), False)) is listed
    assert (rev.obsidrev in got) is listed


def test_undo_signoff_resets_the_column_to_pending_and_records_an_event(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(hours=2))
    signed(session, rev, "general", people["bob"], when=NOW - timedelta(hours=1))
    view = undo(session, rev.obsidrev, "general", user=people["bob"], now=NOW)
    assert view.signoff["general"] == {"status": "Pending", "user": None, "time": None}
    event = events_for(session, rev.obsidrev)[0]
    assert event.action == "undo.general" and event.username == "bob" and event.before["status"] == "Signed"
    assert listing(session, people["bob"]) == {}


def test_undo_signoff_after_36_hours_is_refused_on_the_server(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(days=3))
    signed(session, rev, "general", people["bob"], when=NOW - WINDOW - SECOND)
    with pytest.raises(Forbidden, match="36 hours"):
        undo(session, rev.obsidrev, "general", user=people["bob"], now=NOW)
    assert get_revision(session, rev.obsid, rev.revision_number).signoff["general"]["status"] == "Signed"


def test_someone_elses_signoff_is_not_listed_and_cannot_be_undone(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(days=3))
    signed(session, rev, "general", people["bob"], when=NOW - timedelta(hours=1))
    assert listing(session, people["demo"]) == {}
    with pytest.raises(Forbidden):
        undo(session, rev.obsidrev, "general", user=people["demo"], now=NOW)


def test_a_later_signoff_by_someone_else_does_not_block_undoing_ones_own(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(days=3))
    signed(session, rev, "general", people["bob"], when=NOW - timedelta(hours=3))
    signed(session, rev, "usint", people["demo"], when=NOW - timedelta(hours=1))
    assert listing(session, people["bob"]) == {rev.obsidrev: (("general",), False)}


def test_own_discard_can_be_undone(session, people):
    rev = norm(session, people["bob"], when=NOW - timedelta(days=3))
    discard(
        session,
        rev.obsid,
        rev.revision_number,
        user=people["alice"],
        now=NOW - timedelta(hours=1),
        permissions=DEFAULT_PERMISSIONS,
    )
    assert listing(session, people["alice"]) == {rev.obsidrev: (("discard",), False)}
    view = undo(session, rev.obsidrev, "discard", user=people["alice"], now=NOW)
    assert (view.signoff["general"]["status"], view.signoff["usint"]["status"]) == ("Pending", "Pending")


# ------------------------------------------------------------------------------------------------ own revisions


@pytest.mark.parametrize(("age", "listed"), [(timedelta(0), True), (WINDOW, True), (WINDOW + SECOND, False)])
def test_own_unsigned_revision_is_removable_within_36_hours_edge_included(session, people, age, listed):
    rev = norm(session, people["alice"], when=NOW - age)
    assert (listing(session, people["alice"]).get(rev.obsidrev) == ((), True)) is listed


def test_undo_revision_deletes_it_with_its_signoff_and_keeps_an_event(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(hours=1))
    undo(session, rev.obsidrev, REVISION, user=people["alice"], now=NOW)
    assert history(session, rev.obsid) == []
    assert session.scalars(select(Signoff).where(Signoff.revision_id == rev.id)).all() == []
    event = events_for(session, rev.obsidrev)[0]
    assert event.action == "undo.revision" and event.before["requests"] == {"targname": "New"}


def test_revision_signed_by_someone_else_cannot_be_removed(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(hours=5))
    signed(session, rev, "general", people["bob"], when=NOW - timedelta(hours=1))
    assert rev.obsidrev not in listing(session, people["alice"])
    with pytest.raises(Forbidden):
        undo(session, rev.obsidrev, REVISION, user=people["alice"], now=NOW)
    assert len(history(session, rev.obsid)) == 1


def test_own_approval_lists_both_its_usint_signoff_and_the_revision(session, people):
    rev = asis(session, people["alice"], when=NOW - timedelta(hours=1))
    assert listing(session, people["alice"]) == {rev.obsidrev: (("usint",), True)}
    undo(session, rev.obsidrev, REVISION, user=people["alice"], now=NOW)
    assert session.scalars(select(Revision).where(Revision.obsid == 1005)).all() == []


def test_own_revision_older_than_36_hours_is_refused_on_the_server(session, people):
    rev = norm(session, people["alice"], when=NOW - WINDOW - SECOND)
    with pytest.raises(Forbidden):
        undo(session, rev.obsidrev, REVISION, user=people["alice"], now=NOW)


def test_someone_elses_revision_cannot_be_removed(session, people):
    rev = norm(session, people["alice"], when=NOW - timedelta(hours=1))
    assert listing(session, people["demo"]) == {}
    with pytest.raises(Forbidden):
        undo(session, rev.obsidrev, REVISION, user=people["demo"], now=NOW)


def test_inactive_user_cannot_undo(session, people):
    rev = norm(session, people["frank"], when=NOW - timedelta(hours=1))
    with pytest.raises(Forbidden):
        undo(session, rev.obsidrev, REVISION, user=people["frank"], now=NOW)


# ------------------------------------------------------------------------------------------------ read-only rows


def test_recent_rows_are_the_users_ten_newest_submitted_or_signed(session, people):
    for i in range(12):
        norm(session, people["alice"], when=NOW - timedelta(days=10, hours=i), obsid=2000 + i)
    other = norm(session, people["demo"], when=NOW - timedelta(days=20), obsid=3000)
    signed(session, other, "general", people["alice"], when=NOW - timedelta(days=19))
    norm(session, people["demo"], when=NOW - timedelta(days=20), obsid=3001)
    rows = recent_rows(session, people["alice"])
    assert [r.obsid for r in rows] == [3000, *range(2011, 2002, -1)]  # newest revision first
    assert {r.obsid for r in recent_rows(session, people["alice"], limit=20)} == {*range(2000, 2012), 3000}
    assert listing(session, people["alice"]) == {}
    assert recent_rows(session, None) == []
