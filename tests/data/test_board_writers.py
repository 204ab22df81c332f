"""Switch-over (#15): writes by v2.1 or by hand in SQL, with no `events` row, reach the status board.

The triggers of migration 5 record every written `revisions` / `signoffs` row in `changes`; the live board re-reads
only the obsids named there. Each test runs on SQLite and, when USINT_TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from dashboard import create_app
from data.board.live import LiveBoards
from data.board.rows import FIELD_INDEX
from data.db import WRITER_LOCK_KEY, session_scope
from data.models import Change, Event
from tests.data.test_board_live import START, WINDOW_H, live_and_full, seed_clones

V21_SIGN = text(
    "UPDATE signoffs SET general_status = 'Signed', general_signoff_id = :who, general_time = :at "
    "WHERE revision_id = (SELECT id FROM revisions WHERE obsid = :obsid AND revision_number = :rev)"
)
"""A sign-off as v2.1 writes it (`perform_signoff`: status, signer, epoch time), or an operator by hand."""
V21_REVISION = text(
    "INSERT INTO revisions (obsid, revision_number, kind, sequence_number, time, notes, user_id) "
    "VALUES (:obsid, :rev, 'norm', 500001, :at, NULL, :who)"
)
V21_SIGNOFF = text(
    "INSERT INTO signoffs (revision_id, general_status, general_signoff_id, general_time, acis_status, "
    "acis_signoff_id, acis_time, acis_si_status, acis_si_signoff_id, acis_si_time, hrc_si_status, hrc_si_signoff_id, "
    "hrc_si_time, usint_status, usint_signoff_id, usint_time) "
    "VALUES ((SELECT id FROM revisions WHERE obsid = :obsid AND revision_number = :rev), 'Pending', NULL, NULL, "
    "'Not Required', NULL, NULL, 'Not Required', NULL, NULL, 'Not Required', NULL, NULL, 'Pending', NULL, NULL)"
)
"""A new revision and its sign-off row as v2.1 writes them (data-layer §3.2, §3.5)."""


def plain_sql(sessions: sessionmaker[Session], statement: Any, **params: Any) -> None:
    """One statement in its own committed transaction, on a bare connection: no ORM, no events."""
    engine = sessions.kw["bind"]
    with engine.begin() as conn:
        conn.execute(statement, params)


def events_count(sessions: sessionmaker[Session]) -> int:
    with session_scope(sessions, readonly=True) as db:
        return db.scalar(select(func.count()).select_from(Event)) or 0


class Statements:
    """The SQL statements (and flat parameters) sent to one engine while active."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, list[Any]]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
        self.seen.append((statement, values))

    def board_reads(self) -> list[list[Any]]:
        """The obsids bound in every read of board rows (the statement joining revisions and sign-offs; its other
        parameters are the status and kind literals)."""
        return [
            [v for v in values if isinstance(v, int)] for statement, values in self.seen if "JOIN signoffs" in statement
        ]


@pytest.fixture
def boards() -> LiveBoards:
    """A live board holder of this test's own, as each app owns one."""
    return LiveBoards()


@pytest.fixture
def statements(engine: Any) -> Iterator[Statements]:
    spy = Statements()
    event.listen(engine, "before_cursor_execute", spy)
    try:
        yield spy
    finally:
        event.remove(engine, "before_cursor_execute", spy)


def test_a_signoff_written_in_plain_sql_shows_at_the_next_refresh_and_only_its_obsid_is_read(
    boards, sessions, engine, ocat_source, statements
):
    users = seed_clones(sessions, (31, 32, 33), at=START - timedelta(hours=2))
    before, _ = live_and_full(boards, sessions, START, ocat_source)
    first = boards.kept(str(engine.url), WINDOW_H)
    events = events_count(sessions)
    plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(START.timestamp()), obsid=32, rev=1)
    assert events_count(sessions) == events  # nothing but the trigger knows of it
    statements.seen.clear()
    with session_scope(sessions, readonly=True) as db:
        after = boards.current(db, now=START, closed_window_h=WINDOW_H, ocat=ocat_source)
    assert statements.board_reads() == [[32]]  # one read of board rows, for obsid 32 only
    assert boards.kept(str(engine.url), WINDOW_H) is first  # caught up, not read in full
    row = next(r for r in after.records if r[0] == "32.001")
    assert (row[FIELD_INDEX["general_status"]], row[FIELD_INDEX["general_by"]]) == ("Signed", "bob")
    kept = [a is b for a, b in zip(before.records, after.records, strict=True)]
    assert kept == [True, False, True]  # 31.001 and 33.001 keep their records
    _live, full = live_and_full(boards, sessions, START, ocat_source)
    assert after.records == full.records


def test_a_revision_written_the_v21_way_shows_at_the_next_refresh(boards, sessions, engine, ocat_source, statements):
    users = seed_clones(sessions, (41,), at=START - timedelta(hours=2))
    live_and_full(boards, sessions, START, ocat_source)
    first = boards.kept(str(engine.url), WINDOW_H)
    at = int(START.timestamp()) - 60
    with sessions.kw["bind"].begin() as conn:  # v2.1 writes the revision and its sign-off in one transaction
        conn.execute(V21_REVISION, {"obsid": 42, "rev": 1, "at": at, "who": users["alice"].id})
        conn.execute(V21_SIGNOFF, {"obsid": 42, "rev": 1})
    statements.seen.clear()
    live, full = live_and_full(boards, sessions, START, ocat_source)
    assert statements.board_reads()[0] == [42]  # the live board's catch-up: obsid 42 only (then the full read)
    assert boards.kept(str(engine.url), WINDOW_H) is first
    assert live.records == full.records
    assert {"41.001", "42.001"} == {r[0] for r in live.records}


def test_a_revision_deleted_by_hand_leaves_the_board(boards, sessions, engine, ocat_source):
    seed_clones(sessions, (51, 52), at=START - timedelta(hours=2))
    live_and_full(boards, sessions, START, ocat_source)
    plain_sql(sessions, text("DELETE FROM revisions WHERE obsid = :obsid"), obsid=51)
    live, full = live_and_full(boards, sessions, START, ocat_source)
    assert [r[0] for r in live.records] == ["52.001"] == [r[0] for r in full.records]


def test_deleting_changes_rows_costs_one_full_read_and_misses_nothing(boards, sessions, engine, ocat_source):
    users = seed_clones(sessions, (56, 57), at=START - timedelta(hours=2))
    live_and_full(boards, sessions, START, ocat_source)
    first = boards.kept(str(engine.url), WINDOW_H)
    plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(START.timestamp()), obsid=57, rev=1)
    plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(START.timestamp()), obsid=56, rev=1)
    with session_scope(sessions, readonly=True) as db:
        newest = db.scalar(select(func.max(Change.id)))
    plain_sql(sessions, text("DELETE FROM changes WHERE id < :newest"), newest=newest)  # 57's row is gone
    live, full = live_and_full(boards, sessions, START, ocat_source)
    assert boards.kept(str(engine.url), WINDOW_H) is not first
    assert live.records == full.records
    assert {r[0]: r[FIELD_INDEX["general_status"]] for r in live.records} == {"56.001": "Signed", "57.001": "Signed"}


def test_the_triggers_name_the_obsid_of_every_written_row(sessions):
    users = seed_clones(sessions, (61,), at=START)
    with session_scope(sessions, readonly=True) as db:
        start = db.scalar(select(func.max(Change.id))) or 0
    plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(START.timestamp()), obsid=61, rev=1)
    plain_sql(sessions, text("UPDATE revisions SET obsid = 62 WHERE obsid = 61"))
    plain_sql(sessions, text("DELETE FROM signoffs"))
    with session_scope(sessions, readonly=True) as db:
        found = db.execute(select(Change.obsid, Change.at).where(Change.id > start).order_by(Change.id)).all()
    assert [obsid for obsid, _ in found] == [61, 62, 61, 62]
    assert all(abs(at - time.time()) < 3600 for _, at in found)


def test_the_status_api_shows_a_signoff_written_in_plain_sql_at_the_next_refresh(
    sessions, engine, tmp_path, demo_ocat_url, obs_ss
):
    users = seed_clones(sessions, (71,), at=START - timedelta(hours=2))
    app = create_app(
        {
            "instance_path": str(tmp_path / "instance"),
            "database_url": engine.url.render_as_string(hide_password=False),
            "ocat_url": demo_ocat_url,
            "obs_ss": str(obs_ss),
            "demo": False,
            "dev_user": "demo",
            "mail_suppress": True,
        }
    )
    client = app.server.test_client()
    first = {r["obsidrev"]: r for r in client.get("/api/v1/status").json}
    assert first["71.001"]["signoff"]["general"]["status"] == "Pending"
    plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(time.time()), obsid=71, rev=1)
    again = {r["obsidrev"]: r for r in client.get("/api/v1/status").json}
    assert again["71.001"]["signoff"]["general"]["status"] == "Signed"
    assert again["71.001"]["signoff"]["general"]["user"] == "bob"
    app.server.extensions["usint"].engine.dispose()


@pytest.mark.postgres
def test_a_hand_written_transaction_on_postgresql_takes_the_writers_lock(sessions, engine):
    """Ids of `changes` must become visible in id order: a writer that does not take the advisory lock itself
    (v2.1, psql) gets it from the trigger, so it waits for this app's writer and this app's writers wait for it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer at a time anyway")
    users = seed_clones(sessions, (81,), at=START)
    done: list[float] = []

    def by_hand() -> None:
        plain_sql(sessions, V21_SIGN, who=users["bob"].id, at=int(START.timestamp()), obsid=81, rev=1)
        done.append(time.monotonic())

    with session_scope(sessions) as ours:  # takes the writers' lock at BEGIN (data.db)
        ours.execute(select(1))
        worker = threading.Thread(target=by_hand)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and not done  # the trigger waits for the writers' lock
        released = time.monotonic()
    worker.join(10)
    assert done and done[0] >= released


def test_the_migration_takes_the_lock_data_db_takes():
    migration = next((Path(__file__).parents[2] / "data" / "migrations" / "versions").glob("*_0005_*.py"))
    assert f"pg_advisory_xact_lock({WRITER_LOCK_KEY})" in migration.read_text()
