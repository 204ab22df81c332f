"""Alembic: a new database, a v2.1 `usint.db` adopted in place without losing a row, and `check`."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from data.schema import V21_REVISION, alembic_config, check, current_revision, upgrade
from tests.fixtures.revdb import PG_ENV, create_pg_database, drop_pg_database

V21_DDL = (Path(__file__).parent / "v21_schema.sql").read_text()
HEAD = "0004_revision_kind_ix"


def make_v21_file(path: Path, *, duplicate: bool = False) -> str:
    """A SQLite file as v2.1 left it: its DDL, Flask-Session's table, and a few rows of every kind."""
    con = sqlite3.connect(path)
    con.executescript(V21_DDL)
    con.executescript(
        """
        INSERT INTO users VALUES (1, 'alice', 1, 'alice@cfa', 'usint:too', 'Alice A'), (2, 'bob', 0, NULL, 'usint', NULL);
        INSERT INTO parameters VALUES (1, 'targname', 1, 'string', 'Target Name'), (20, 'comments', 1, 'string', 'Comments');
        INSERT INTO revisions VALUES (1, 12345, 1, 'norm', 500001, 1700000000, '{"comment_change": true}', 1),
                                     (2, 12345, 2, 'asis', 500001, 1700000100, NULL, 1),
                                     (3, 22222, 1, 'norm', 500002, 1700000200, NULL, 2);
        INSERT INTO signoffs VALUES (1, 1, 'Signed', 2, 1700000050, 'Not Required', NULL, NULL, 'Not Required', NULL, NULL,
                                     'Not Required', NULL, NULL, 'Signed', 1, 1700000060),
                                    (2, 2, 'Not Required', NULL, NULL, 'Not Required', NULL, NULL, 'Not Required', NULL, NULL,
                                     'Not Required', NULL, NULL, 'Signed', 1, 1700000100),
                                    (3, 3, 'Pending', NULL, NULL, 'Discard', NULL, NULL, 'Not Required', NULL, NULL,
                                     'Not Required', NULL, NULL, 'Pending', NULL, NULL);
        INSERT INTO originals VALUES (1, 1, 20, '"old"'), (2, 1, 1, '"NGC 1"');
        INSERT INTO requests VALUES (1, 1, 20, '"new"'), (2, 3, 1, NULL);
        INSERT INTO schedules VALUES (1, 0, 1, '2026-03-02 00:00:00.000000', '2026-03-08 00:00:00.000000', 1),
                                     (2, 1, NULL, '2026-03-09 00:00:00.000000', '2026-03-15 00:00:00.000000', NULL);
        INSERT INTO sessions VALUES (1, 'abc', x'00', NULL);
        """
    )
    if duplicate:
        con.execute("INSERT INTO revisions VALUES (4, 12345, 2, 'norm', 500001, 1700000150, NULL, 1)")
        con.execute(
            "INSERT INTO signoffs VALUES (4, 4, 'Pending', NULL, NULL, 'Not Required', NULL, NULL, 'Not Required', NULL,"
            " NULL, 'Not Required', NULL, NULL, 'Pending', NULL, NULL)"
        )
    con.commit()
    con.close()
    return f"sqlite:///{path}"


def dump(url: str, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    eng = create_engine(url)
    with eng.connect() as conn:
        out = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))] for t in tables}
    eng.dispose()
    return out


V21 = ("users", "parameters", "revisions", "signoffs", "originals", "requests", "schedules", "sessions")


def test_a_new_sqlite_file_is_created_at_head_and_passes_check(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert upgrade(url) == HEAD
    assert check(url) == []


def test_upgrade_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(url)
    assert upgrade(url) == HEAD


def test_a_v21_file_is_adopted_and_upgraded_without_losing_a_row(tmp_path):
    url = make_v21_file(tmp_path / "usint.db")
    before = dump(url, V21)
    assert current_revision(url) is None
    assert upgrade(url) == HEAD
    assert dump(url, V21) == before
    assert check(url) == []
    names = set(inspect(create_engine(url)).get_table_names())
    assert {"events", "outbox", "alembic_version", "sessions"} <= names


def test_an_adopted_file_still_cascades_deletes(tmp_path):
    url = make_v21_file(tmp_path / "usint.db")
    upgrade(url)
    from data.db import make_engine

    eng = make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM revisions WHERE id = 1"))
        assert conn.execute(text("SELECT COUNT(*) FROM signoffs WHERE revision_id = 1")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM originals WHERE revision_id = 1")).scalar() == 0
    eng.dispose()


def test_duplicate_revision_numbers_of_v21_are_renumbered_and_recorded(tmp_path):
    url = make_v21_file(tmp_path / "usint.db", duplicate=True)
    upgrade(url)
    rows = dump(url, ("revisions", "events"))
    numbers = sorted((r[1], r[2]) for r in rows["revisions"])
    assert numbers == [(12345, 1), (12345, 2), (12345, 3), (22222, 1)]
    assert [r[0] for r in rows["revisions"] if (r[1], r[2]) == (12345, 3)] == [4]
    assert [(e[4], e[5]) for e in rows["events"]] == [("migrate.renumber", "12345.003")]


def test_downgrade_to_v21_and_back(tmp_path):
    url = make_v21_file(tmp_path / "usint.db")
    upgrade(url)
    from data.schema import _connect

    with _connect(url) as conn:
        command.downgrade(alembic_config(conn), V21_REVISION)
        conn.commit()
    assert current_revision(url) == V21_REVISION
    assert upgrade(url) == HEAD
    assert check(url) == []


def test_check_reports_a_database_behind_head(tmp_path):
    url = make_v21_file(tmp_path / "usint.db")
    problems = check(url)
    assert problems and "usint db upgrade" in problems[0]


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} not set")
def test_a_new_postgresql_database_is_created_at_head_and_passes_check():
    url = create_pg_database(os.environ[PG_ENV], prefix="usint_mig")
    try:
        assert upgrade(url) == HEAD
        assert upgrade(url) == HEAD
        assert check(url) == []
    finally:
        drop_pg_database(url)
