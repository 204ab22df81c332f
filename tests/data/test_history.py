"""The history of one obsid: revisions, sign-off waits, events, changes and current-vs-requested values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from data.models import PENDING, SIGNED, User
from data.ocat.sources import SqlAlchemySource
from data.revisions.compare import APPLIED, UNKNOWN
from data.revisions.compare import PENDING as PENDING_STATE
from data.revisions.history import obsid_history
from data.revisions.signoffs import discard, undo_revision, undo_signoff
from tests.factories import make_revision, make_user

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=2)
H = timedelta(hours=1)
PERMISSIONS = {"discard": ["usint"], "admin": ["admin"]}


def _reload_users(session):
    session.scalars(select(User)).all()  # see tests/data/test_analytics.py


def _history_12345(session):
    bob = make_user(session, "bob", groups="arcops")
    make_revision(
        session,
        12345,
        requests={"targname": "Cas A North", "y_det_offset": 2.0},
        originals={"targname": "Cas A", "y_det_offset": 0.5},
        now=T0,
        signoff={"general": (SIGNED, bob, T0 + 3 * H)},
    )
    _reload_users(session)
    alice = make_user(session, "alice")
    make_revision(session, 12345, requests={"targname": "Cas A South"}, now=T0 + 5 * H)
    _reload_users(session)
    discard(session, 12345, 2, user=alice, now=T0 + 6 * H, permissions=PERMISSIONS)
    make_revision(session, 12345, "asis", now=T0 + 7 * H)
    _reload_users(session)
    make_revision(session, 12345, requests={"comments": "mistake"}, now=NOW - 2 * H)
    _reload_users(session)
    undo_revision(session, 12345, 4, user=alice, now=NOW - H)
    session.flush()


def test_history_lists_revisions_waits_and_events(session, ocat_source, obs_ss):
    _history_12345(session)
    view = obsid_history(session, ocat_source, 12345, now=NOW, obs_ss=obs_ss)
    assert [r.obsidrev for r in view.revisions] == ["12345.001", "12345.002", "12345.003"]
    waits = {(w.obsidrev, w.column): w for w in view.waits}
    general = waits[("12345.001", "general")]
    assert (general.status, general.user, general.end - general.start) == (SIGNED, "bob", 3 * H)
    usint = waits[("12345.001", "usint")]
    assert usint.pending and usint.end == NOW
    assert waits[("12345.002", "usint")].status == "Discard"
    assert ("12345.003", "usint") not in waits  # the asis revision is signed at submission: no wait
    actions = [(e.target, e.action) for e in view.events]
    assert ("12345.002", "discard") in actions
    assert ("12345.004", "undo.revision") in actions
    assert view.removed == ["12345.004"]


def test_history_changes_in_catalogue_labels_and_units(session, ocat_source, obs_ss):
    _history_12345(session)
    view = obsid_history(session, ocat_source, 12345, now=NOW, obs_ss=obs_ss)
    changes = {c.name: c for c in view.changes["12345.001"]}
    assert changes["y_det_offset"].label != "y_det_offset"
    assert changes["y_det_offset"].unit == "arcmin"
    assert (changes["y_det_offset"].original, changes["y_det_offset"].requested) == (0.5, 2.0)
    assert view.changes["12345.003"] == []


def test_current_value_beside_the_latest_request(session, ocat_source, obs_ss):
    _history_12345(session)
    view = obsid_history(session, ocat_source, 12345, now=NOW, obs_ss=obs_ss)
    rows = {r["name"]: r for r in view.current}
    assert set(rows) == {"targname", "y_det_offset"}  # 12345.004 was removed: its request is gone
    assert rows["targname"]["requested"] == "Cas A South"
    assert rows["targname"]["revision"] == "12345.002"  # the discarded revision's request is the latest
    assert rows["targname"]["current"] == view.targname
    assert rows["targname"]["state"] == PENDING_STATE
    assert rows["y_det_offset"]["original"] == 0.5 and rows["y_det_offset"]["revision"] == "12345.001"
    assert view.ocat_error is None


def test_an_applied_request_reads_applied(session, ocat_source, obs_ss):
    make_revision(session, 12345, requests={"targname": "Cas A"}, originals={"targname": "Cas"}, now=T0)
    view = obsid_history(session, ocat_source, 12345, now=NOW, obs_ss=obs_ss)
    assert {r["name"]: r["state"] for r in view.current}["targname"] == APPLIED


def test_ocat_down_keeps_the_revision_part(session, tmp_path, obs_ss):
    _history_12345(session)
    down = SqlAlchemySource(f"sqlite:///{tmp_path / 'missing' / 'ocat.db'}", timeout_s=1.0)
    view = obsid_history(session, down, 12345, now=NOW, obs_ss=obs_ss)
    assert view.ocat_error
    assert len(view.revisions) == 3
    assert {r["state"] for r in view.current} == {UNKNOWN}


def test_obsid_without_revisions_is_empty(session, ocat_source, obs_ss):
    view = obsid_history(session, ocat_source, 1001, now=NOW, obs_ss=obs_ss)
    assert view.empty
    assert view.current == [] and view.waits == []


def test_undone_signoff_shows_as_event_and_pending_again(session, ocat_source, obs_ss):
    bob = make_user(session, "bob", groups="arcops")
    make_revision(session, 1001, now=NOW - 3 * H, signoff={"general": (SIGNED, bob, NOW - 2 * H)})
    _reload_users(session)
    undo_signoff(session, 1001, 1, "general", user=bob, now=NOW - H)
    view = obsid_history(session, ocat_source, 1001, now=NOW, obs_ss=obs_ss)
    assert [e.action for e in view.events] == ["submit", "undo.general"]
    general = next(w for w in view.waits if w.column == "general")
    assert general.status == PENDING and general.end == NOW
