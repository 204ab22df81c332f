"""`approvals`: each approved obsid with the asis revision that approved it (when, by whom), on every backend."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from data.models import User
from data.revisions.store import approvals, approved_obsids
from tests.factories import NOW, make_revision


def test_the_newest_asis_or_remove_decides_and_gives_when_and_by_whom(
    session: Session, people: dict[str, User]
) -> None:
    alice, bob = people["alice"], people["bob"]
    make_revision(session, 1001, "asis", user=alice, now=NOW - timedelta(days=3))
    make_revision(session, 1001, "norm", user=bob, now=NOW - timedelta(days=2))  # a later change keeps the approval
    make_revision(session, 1002, "asis", user=alice, now=NOW - timedelta(days=5))
    make_revision(session, 1002, "remove", user=bob, now=NOW - timedelta(days=4))  # taken off again
    make_revision(session, 1003, "asis", user=alice, now=NOW - timedelta(days=6))
    make_revision(session, 1003, "remove", user=alice, now=NOW - timedelta(days=5))
    make_revision(session, 1003, "asis", user=bob, now=NOW - timedelta(days=1))  # approved again, by bob
    make_revision(session, 1004, "norm", user=alice)  # never approved

    found = approvals(session)
    assert [(a.obsid, a.obsidrev, a.user) for a in found] == [(1003, "1003.003", "bob"), (1001, "1001.001", "alice")]
    assert found[0].time == (NOW - timedelta(days=1)).replace(microsecond=0)
    assert found[0].full_name == bob.full_name
    assert sorted(a.obsid for a in found) == approved_obsids(session) == [1001, 1003]
