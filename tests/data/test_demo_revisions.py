"""Demo users and revisions: every state the board and the pages need."""

from __future__ import annotations

from collections import Counter

from data.demo.revisions import seed_revisions, seed_users
from data.revisions.store import board_revisions, history, open_revisions
from tests.factories import NOW


def test_demo_users_cover_every_group_and_an_inactive_one(session):
    users = seed_users(session)
    assert seed_users(session)["demo"].id == users["demo"].id
    assert users["demo"].groups == "usint:too:admin"
    assert {u.groups for u in users.values()} >= {"usint", "arcops", "acis", "hrc", "too"}
    assert not users["frank"].is_active


def test_seed_revisions_covers_every_state(session):
    report = seed_revisions(session, obsids={100: 500100, 200: 500200, 300: 500300}, count=400, seed=3, now=NOW)
    assert report.revisions == 400 and report.open == 8
    opened = open_revisions(session)
    assert len(opened) == 8
    assert Counter(v.obsid for v in opened)[100] >= 3
    every = [v for o in (100, 200, 300) for v in history(session, o)]
    kinds = Counter(v.kind for v in every)
    assert {"norm", "asis", "remove", "clone"} <= set(kinds)
    statuses = {s["status"] for v in every for s in v.signoff.values()}
    assert statuses == {"Pending", "Signed", "Not Required", "Discard"}
    recent = [v for v in board_revisions(session, now=NOW, window_h=36) if not v.is_open]
    assert recent
    for o in (100, 200, 300):
        numbers = [v.revision_number for v in history(session, o)]
        assert numbers == list(range(1, len(numbers) + 1))
