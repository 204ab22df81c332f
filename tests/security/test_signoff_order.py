"""Undo keeps the sign-off order (D13, D17): team columns → USINT (verify or Discard) → approval.

An undo that a later step depends on is refused with the step to undo first; a Discard is undone as one action.
Every order of sign, verify, approve, discard and undo below ends in a state the forward rules could reach.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from data.errors import Conflict, InvalidTransition
from data.models import DISCARD, PENDING, SIGNED
from data.revisions.signoffs import DISCARD_ITEM, approve, discard, sign, undo_revision, undo_signoff, undoable
from data.revisions.store import get_revision, is_approved
from data.settings import DEFAULT_PERMISSIONS as PERMS
from tests.factories import NOW, make_revision

LATER = NOW + timedelta(hours=1)


def _status(session, column: str, rev: int = 1) -> str:
    return get_revision(session, 12345, rev, with_values=False).signoff[column]["status"]


def _reachable(session, rev: int = 1) -> None:
    """The forward rule: USINT is never Signed while a team column is Pending, and no approval stands on an
    unverified revision."""
    view = get_revision(session, 12345, rev, with_values=False)
    team = [c for c in ("general", "acis", "acis_si", "hrc_si") if view.signoff[c]["status"] == PENDING]
    assert not (view.signoff["usint"]["status"] == SIGNED and team), view.signoff
    if is_approved(session, 12345) and view.kind == "norm":
        assert view.signoff["usint"]["status"] == SIGNED, view.signoff


def test_a_team_signoff_cannot_be_undone_under_a_usint_verification(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    sign(session, 12345, 1, "usint", user=users["alice"], now=NOW, permissions=PERMS)
    with pytest.raises(Conflict, match=r"USINT verified this revision by alice .* must be undone first"):
        undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    assert _status(session, "general") == SIGNED
    _reachable(session)
    undo_signoff(session, 12345, 1, "usint", user=users["alice"], now=LATER)
    undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    assert (_status(session, "general"), _status(session, "usint")) == (PENDING, PENDING)


def test_usint_cannot_be_undone_under_the_approval_it_made(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    result = approve(session, 12345, 1, user=users["alice"], now=NOW, permissions=PERMS)
    approval = result.approval
    assert approval is not None
    with pytest.raises(Conflict, match=rf"approval {approval.obsidrev} was made with this verification"):
        undo_signoff(session, 12345, 1, "usint", user=users["alice"], now=LATER)
    with pytest.raises(Conflict, match="USINT verified"):
        undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    _reachable(session)
    undo_revision(session, 12345, approval.revision_number, user=users["alice"], now=LATER)
    assert not is_approved(session, 12345)
    undo_signoff(session, 12345, 1, "usint", user=users["alice"], now=LATER)
    undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    _reachable(session)


@pytest.mark.parametrize("asked", [DISCARD_ITEM, "usint", "general"])
def test_a_discard_is_undone_as_one_action_whichever_column_is_named(session, users, asked):
    make_revision(session)
    discard(session, 12345, 1, user=users["alice"], now=NOW, permissions=PERMS)
    assert (_status(session, "general"), _status(session, "usint")) == (DISCARD, DISCARD)
    undo_signoff(session, 12345, 1, asked, user=users["alice"], now=LATER)
    assert (_status(session, "general"), _status(session, "usint")) == (PENDING, PENDING)
    with pytest.raises(InvalidTransition, match="waits for general"):
        approve(session, 12345, 1, user=users["alice"], now=LATER, permissions=PERMS)
    _reachable(session)


def test_a_discard_over_a_team_signoff_is_undone_before_the_signoff(session, users):
    make_revision(session)
    sign(session, 12345, 1, "general", user=users["bob"], now=NOW, permissions=PERMS)
    discard(session, 12345, 1, user=users["alice"], now=NOW, permissions=PERMS)
    with pytest.raises(Conflict, match="USINT discarded this revision by alice"):
        undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    undo_signoff(session, 12345, 1, DISCARD_ITEM, user=users["alice"], now=LATER)
    assert (_status(session, "general"), _status(session, "usint")) == (SIGNED, PENDING)
    undo_signoff(session, 12345, 1, "general", user=users["bob"], now=LATER)
    assert _status(session, "general") == PENDING


def test_the_undo_listing_offers_a_discard_once(session, users):
    make_revision(session)
    discard(session, 12345, 1, user=users["alice"], now=NOW, permissions=PERMS)
    [item] = undoable(session, user=users["alice"], now=LATER)
    assert DISCARD_ITEM in item.columns
    assert not {"general", "usint"} & set(item.columns)
