"""The live board (`data.board.live`): kept up to date from the `changes` table, always equal to a full read.

The main test drives random submissions, sign-offs, approvals, discards, undos and clock steps through the
services (each in its own committed transaction, as the pages do) and after every step compares the live board
with a board read in full; the live copy must have caught up from the changes, not re-read everything.
Writes by other writers (plain SQL, v2.1) are in `test_board_writers.py`.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from callbacks._grids_board import GridRowCache, grid_rows
from data.board.live import MAX_CHANGES, LiveBoards
from data.board.rows import board_data, change_token
from data.db import session_scope
from data.demo.revisions import SIGNERS, seed_users
from data.errors import UsintError
from data.models import PENDING, SIGNOFF_PREFIXES, Revision, Signoff, User
from data.parameters import catalogue
from data.parameters.table import seed_parameters
from data.revisions.signoffs import approve, discard, sign, undo_revision, undo_signoff
from data.revisions.store import create_revision
from data.settings import DEFAULT_PERMISSIONS

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
WINDOW_H = 36.0
EDIT_NAMES = {c: sorted(catalogue._SIGNOFF_LISTS[c])[:2] for c in catalogue._SIGNOFF_LISTS}


def users_of(db: Session) -> dict[str, User]:
    return {u.username: u for u in db.scalars(select(User))}


def submit(db: Session, rng: random.Random, now: datetime, obsid: int) -> None:
    kind = rng.choice(["norm", "norm", "norm", "clone", "asis", "remove"])
    requests: dict[str, Any] = {}
    if kind == "norm":
        for column in rng.sample(sorted(EDIT_NAMES), rng.randint(1, 2)):
            requests[rng.choice(EDIT_NAMES[column])] = None
    notes = {"large_coordinate_change": True} if rng.random() < 0.2 else None
    users = users_of(db)
    create_revision(
        db,
        obsid,
        kind=kind,
        sequence_number=500_000 + obsid % 1000,
        originals={},
        requests=requests,
        notes=notes,
        user=users[rng.choice(["demo", "alice"])],
        now=now,
    )


def random_step(db: Session, rng: random.Random, now: datetime) -> str:
    """One random change through the services; returns its name (a refused change still counts)."""
    users = users_of(db)
    revisions = db.execute(select(Revision, Signoff).join(Signoff, Signoff.revision_id == Revision.id)).all()
    open_ones = [(r, s) for r, s in revisions if s.is_open]
    choice = rng.random()
    if choice < 0.22 or not open_ones:
        submit(db, rng, now, rng.randint(1, 12))
        return "submit"
    edits_done = [(r, s) for r, s in open_ones if not any(getattr(s, f"{c}_status") == PENDING for c in EDIT_NAMES)]
    if choice < 0.35 and edits_done:
        revision, _ = rng.choice(edits_done)
        approve(
            db, revision.obsid, revision.revision_number, user=users["demo"], now=now, permissions=DEFAULT_PERMISSIONS
        )
        return "approve"
    revision, signoff = rng.choice(open_ones)
    obsid, rev = revision.obsid, revision.revision_number
    if choice < 0.65:
        pending = [c for c in SIGNOFF_PREFIXES if getattr(signoff, f"{c}_status") == PENDING]
        column = rng.choice(pending)
        sign(db, obsid, rev, column, user=users[SIGNERS[column][0]], now=now, permissions=DEFAULT_PERMISSIONS)
        return f"sign.{column}"
    if choice < 0.72:
        discard(db, obsid, rev, user=users["alice"], now=now, permissions=DEFAULT_PERMISSIONS)
        return "discard"
    cutoff = now.timestamp() - WINDOW_H * 3600
    if choice < 0.86:
        signed = [
            (r, s, c)
            for r, s in revisions
            for c in SIGNOFF_PREFIXES
            if getattr(s, f"{c}_signoff_id") is not None and (getattr(s, f"{c}_time") or 0) >= cutoff
        ]
        if signed:
            target, row, column = rng.choice(signed)
            signer = db.get(User, getattr(row, f"{column}_signoff_id"))
            undo_signoff(db, target.obsid, target.revision_number, column, user=signer, now=now, window_h=WINDOW_H)
        return "undo.signoff"
    fresh = [
        r
        for r, s in revisions
        if r.time >= cutoff and all(getattr(s, f"{c}_signoff_id") in (None, r.user_id) for c in SIGNOFF_PREFIXES)
    ]
    if fresh:
        target = rng.choice(fresh)
        undo_revision(
            db, target.obsid, target.revision_number, user=db.get(User, target.user_id), now=now, window_h=WINDOW_H
        )
    return "undo.revision"


def seed_clones(sessions: sessionmaker[Session], obsids: range | tuple[int, ...], *, at: datetime) -> dict[str, User]:
    """The demo users and one open clone revision of each of `obsids`, submitted by demo at `at`."""
    with session_scope(sessions) as db:
        seed_parameters(db)
        users = seed_users(db)
        for obsid in obsids:
            create_revision(
                db,
                obsid,
                kind="clone",
                sequence_number=500_000 + obsid,
                originals={},
                requests={},
                notes=None,
                user=users["demo"],
                now=at,
            )
    return users


@pytest.fixture
def boards() -> LiveBoards:
    """A live board holder of this test's own, as each app owns one (`web.db.Resources.boards`)."""
    return LiveBoards()


def live_and_full(boards: LiveBoards, sessions: sessionmaker[Session], now: datetime, ocat: Any) -> tuple[Any, Any]:
    with session_scope(sessions, readonly=True) as db:
        live = boards.current(db, now=now, closed_window_h=WINDOW_H, ocat=ocat)
        full = board_data(db, now=now, closed_window_h=WINDOW_H, ocat=ocat)
        assert live.meta.token == change_token(db)  # the rows are as of the token the page keeps
    return live, full


def test_the_live_board_catches_up_from_changes_and_equals_a_full_read(boards, sessions, engine, ocat_source):
    rng = random.Random(20261126)
    now = START
    with session_scope(sessions) as db:
        seed_parameters(db)
        seed_users(db)
        for obsid in range(1, 13):
            for _ in range(rng.randint(1, 3)):
                submit(db, rng, now - timedelta(days=rng.randint(1, 5)), obsid)
    live, full = live_and_full(boards, sessions, now, ocat_source)
    assert live.records == full.records and len(full) > 0
    key = (str(engine.url), WINDOW_H)
    first = boards.kept(*key)
    done: dict[str, int] = {}
    for _ in range(120):
        now += timedelta(minutes=rng.choice([0, 0, 1, 7, 90, 900]))
        try:
            with session_scope(sessions) as db:
                name = random_step(db, rng, now)
        except UsintError:
            name = "refused"
        done[name] = done.get(name, 0) + 1
        live, full = live_and_full(boards, sessions, now, ocat_source)
        assert live.records == full.records, name
        assert live.meta == dataclasses.replace(full.meta, token=live.meta.token)
    assert boards.kept(*key) is first, "an explained change was answered with a full read"
    assert {"submit", "sign.general", "approve", "discard", "undo.signoff", "undo.revision"} <= set(done), done


def test_a_change_without_events_is_caught_up_from_the_changes_table(boards, sessions, engine, ocat_source):
    users = seed_clones(sessions, (7,), at=START)
    live_and_full(boards, sessions, START, ocat_source)
    key = (str(engine.url), WINDOW_H)
    first = boards.kept(*key)
    with session_scope(sessions) as db:  # a bulk load (demo seeding, a v2.1 import, v2.1 itself): no events
        rid = db.execute(
            insert(Revision)
            .values(
                obsid=8,
                revision_number=1,
                kind="norm",
                sequence_number=500_008,
                time=int(START.timestamp()),
                user_id=users["demo"].id,
            )
            .returning(Revision.id)
        ).scalar_one()
        db.execute(
            insert(Signoff).values(
                revision_id=rid,
                general_status=PENDING,
                acis_status="Not Required",
                acis_si_status="Not Required",
                hrc_si_status="Not Required",
                usint_status=PENDING,
            )
        )
    live, full = live_and_full(boards, sessions, START, ocat_source)
    assert boards.kept(*key) is first  # caught up, not read in full
    assert live.records == full.records
    assert "8.001" in {r[0] for r in live.records}


def test_more_changes_than_the_catch_up_takes_mean_a_full_read(boards, sessions, engine, ocat_source):
    users = seed_clones(sessions, (7,), at=START)
    live_and_full(boards, sessions, START, ocat_source)
    key = (str(engine.url), WINDOW_H)
    first = boards.kept(*key)
    with session_scope(sessions) as db:  # one revision of each of many obsids: more `changes` rows than MAX_CHANGES
        rows = [
            {
                "obsid": 1000 + i,
                "revision_number": 1,
                "kind": "asis",
                "sequence_number": 500_000,
                "time": int(START.timestamp()),
                "user_id": users["demo"].id,
            }
            for i in range(MAX_CHANGES + 1)
        ]
        db.execute(insert(Revision), rows)
    live, full = live_and_full(boards, sessions, START, ocat_source)
    assert boards.kept(*key) is not first
    assert live.records == full.records


def test_nothing_changed_means_one_query_and_the_same_board(boards, sessions, engine, ocat_source):
    seed_clones(sessions, (9,), at=START)
    first, _ = live_and_full(boards, sessions, START, ocat_source)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().split()[0].upper() not in {"BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"}:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with session_scope(sessions, readonly=True) as db:
            again = boards.current(db, now=START + timedelta(seconds=30), closed_window_h=WINDOW_H, ocat=ocat_source)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert again is first
    assert len(statements) == 1  # the change token


def test_after_one_signoff_only_that_row_is_shaped_again(boards, sessions, ocat_source):
    seed_clones(sessions, (11, 12, 13), at=START - timedelta(hours=2))
    before, _ = live_and_full(boards, sessions, START, ocat_source)
    with session_scope(sessions, readonly=True) as db:
        demo = users_of(db)["demo"]
    cache = GridRowCache()  # as the app keeps one with its live boards
    rows_before = grid_rows(before, user=None, permissions=DEFAULT_PERMISSIONS, tz="UTC", cache=cache)
    with session_scope(sessions) as db:
        sign(db, 12, 1, "general", user=users_of(db)["bob"], now=START, permissions=DEFAULT_PERMISSIONS)
    after, full = live_and_full(boards, sessions, START, ocat_source)
    assert after.records == full.records
    kept = [a is b for a, b in zip(before.records, after.records, strict=True)]
    assert kept == [True, False, True]  # 12.001 re-shaped; 11.001 and 13.001 kept their records
    rows_after = grid_rows(after, user=None, permissions=DEFAULT_PERMISSIONS, tz="UTC", cache=cache)
    assert [a is b for a, b in zip(rows_before, rows_after, strict=True)] == [True, False, True]
    assert rows_after[1]["general_text"].startswith("bob ")
    # A user with buttons gets copies; the shared rows stay as anyone else sees them.
    mine = grid_rows(after, user=demo, permissions=DEFAULT_PERMISSIONS, tz="UTC", cache=cache)
    assert mine[0]["discard"] == PENDING and "discard" not in rows_after[0]
    again = grid_rows(after, user=None, permissions=DEFAULT_PERMISSIONS, tz="UTC", cache=cache)
    assert [a is b for a, b in zip(rows_after, again, strict=True)] == [True, True, True]  # same rights, same rows
    assert (
        grid_rows(after, user=demo, permissions=DEFAULT_PERMISSIONS, tz="UTC", kiosk=True, cache=cache)[0] is again[0]
    )


def test_writers_take_turns_and_readers_do_not_wait(sessions):
    """The change token and the catch-up rely on writers committing in id order: on SQLite `BEGIN IMMEDIATE`,
    on PostgreSQL the advisory lock every write transaction takes first."""
    got: list[float] = []

    def second_writer() -> None:
        with session_scope(sessions) as other:
            other.execute(select(1))
            got.append(time.monotonic())

    with session_scope(sessions) as first:
        first.execute(select(1))
        worker = threading.Thread(target=second_writer)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and not got  # still waiting for the first writer
        with session_scope(sessions, readonly=True) as reader:
            assert reader.execute(select(1)).scalar_one() == 1
        released = time.monotonic()
    worker.join(10)
    assert got and got[0] >= released


def test_readers_refreshing_at_once_after_a_change_share_one_catch_up(boards, sessions, engine, ocat_source):
    seed_clones(sessions, range(21, 31), at=START - timedelta(hours=2))
    live_and_full(boards, sessions, START, ocat_source)
    first = boards.kept(str(engine.url), WINDOW_H)
    with session_scope(sessions) as db:
        sign(db, 25, 1, "general", user=users_of(db)["bob"], now=START, permissions=DEFAULT_PERMISSIONS)
    results: list[Any] = []
    barrier = threading.Barrier(6)

    def refresh() -> None:
        barrier.wait()
        results.append(live_and_full(boards, sessions, START, ocat_source))

    threads = [threading.Thread(target=refresh) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 6
    assert all(live.records == full.records for live, full in results)
    assert boards.kept(str(engine.url), WINDOW_H) is first  # caught up once, no full read
    assert len({id(live) for live, _ in results}) == 1  # the others waited and got the same board
