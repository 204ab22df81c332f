"""Alembic: a new database, a v2.1 `usint.db` adopted in place without losing a row, and `check`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from data.db import make_engine
from data.schema import V21_REVISION, _connect, alembic_config, at_head, check, code_head, current_revision, upgrade
from tests.fixtures.revdb import PG_ENV, create_pg_database, drop_pg_database

V21_DDL = (Path(__file__).parent / "v21_schema.sql").read_text()
HEAD = "0008_events_target_pattern_ix"


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
    with _connect(url) as conn:
        command.downgrade(alembic_config(conn), V21_REVISION)
        conn.commit()
    assert current_revision(url) == V21_REVISION
    assert upgrade(url) == HEAD
    assert check(url) == []


def v21_writes(con: sqlite3.Connection) -> None:
    """What v2.1 writes for a submission, a sign-off and a removal (its ORM's SQL on a plain sqlite3 connection
    with `foreign_keys=ON`, as v2.1 connects), after this app's `db upgrade` (switch-over, or a roll-back)."""
    con.execute("PRAGMA foreign_keys=ON")
    cur = con.execute(
        "INSERT INTO revisions (obsid, revision_number, kind, sequence_number, time, notes, user_id)"
        " VALUES (33333, 1, 'norm', 500003, 1700000300, NULL, 1)"
    )
    rid = cur.lastrowid
    con.execute(
        "INSERT INTO signoffs (revision_id, general_status, general_signoff_id, general_time, acis_status,"
        " acis_signoff_id, acis_time, acis_si_status, acis_si_signoff_id, acis_si_time, hrc_si_status,"
        " hrc_si_signoff_id, hrc_si_time, usint_status, usint_signoff_id, usint_time)"
        " VALUES (?, 'Pending', NULL, NULL, 'Not Required', NULL, NULL, 'Not Required', NULL, NULL,"
        " 'Not Required', NULL, NULL, 'Pending', NULL, NULL)",
        (rid,),
    )
    con.execute("INSERT INTO requests (revision_id, parameter_id, value) VALUES (?, 1, '\"NGC 2\"')", (rid,))
    con.execute("INSERT INTO originals (revision_id, parameter_id, value) VALUES (?, 1, '\"NGC 1\"')", (rid,))
    con.execute(
        "UPDATE signoffs SET general_status = 'Signed', general_signoff_id = 1, general_time = 1700000400"
        " WHERE signoffs.id = (SELECT id FROM signoffs WHERE revision_id = ?)",
        (rid,),
    )
    con.execute("DELETE FROM revisions WHERE revisions.id = 2")  # v2.1 `remove(..., 'revision')`
    con.commit()


def test_v21_still_writes_an_upgraded_file_and_the_triggers_record_it(tmp_path):
    url = make_v21_file(tmp_path / "usint.db")
    upgrade(url)
    con = sqlite3.connect(tmp_path / "usint.db")
    v21_writes(con)
    changes = con.execute("SELECT obsid FROM changes ORDER BY id").fetchall()
    signoff = con.execute("SELECT general_status FROM signoffs WHERE revision_id = 4").fetchone()
    con.close()
    assert [o for (o,) in changes] == [33333, 33333, 33333, 12345]  # revision, sign-off, sign-off update, removal
    assert signoff == ("Signed",)
    assert check(url) == []


def test_rolled_back_to_v21_the_file_keeps_working_and_can_be_upgraded_again(tmp_path):
    """Rolling back means running v2.1 on the upgraded file: the added tables, indexes and triggers stay and do
    nothing v2.1 notices, and the next `db upgrade` finds the file at head with everything v2.1 wrote."""
    url = make_v21_file(tmp_path / "usint.db")
    upgrade(url)
    con = sqlite3.connect(tmp_path / "usint.db")
    v21_writes(con)
    with pytest.raises(sqlite3.IntegrityError):  # the one thing v2.1 may notice: no duplicate revision number
        con.execute(
            "INSERT INTO revisions (obsid, revision_number, kind, sequence_number, time, notes, user_id)"
            " VALUES (33333, 1, 'norm', 500003, 1700000500, NULL, 1)"
        )
    con.rollback()
    con.close()
    assert upgrade(url) == HEAD
    assert check(url) == []
    assert dump(url, ("revisions",))["revisions"][-1][1:3] == (33333, 1)


def test_check_reports_a_missing_trigger(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(url)
    con = sqlite3.connect(tmp_path / "new.db")
    con.execute("DROP TRIGGER changes_signoffs_update")
    con.close()
    problems = check(url)
    assert len(problems) == 1 and "changes_signoffs_update" in problems[0]


def test_downgrade_drops_the_triggers_with_the_changes_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgrade(url)
    with _connect(url) as conn:
        command.downgrade(alembic_config(conn), "0004_revision_kind_ix")
        conn.commit()
    con = sqlite3.connect(tmp_path / "new.db")
    triggers = con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    tables = {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert triggers == [] and "changes" not in tables


def test_at_head_reads_the_files_and_the_version_table(tmp_path):
    assert code_head() == HEAD
    url = make_v21_file(tmp_path / "usint.db")
    assert not at_head(url)
    upgrade(url, "0004_revision_kind_ix")
    assert not at_head(url)
    upgrade(url)
    assert at_head(url)


def test_a_worker_starting_on_an_upgraded_instance_does_not_import_alembic(tmp_path):
    """Each gunicorn worker prepares the instance again after the master: at head it must not load Alembic and
    Mako (about 10 MiB per worker)."""
    instance = tmp_path / "instance"
    script = (
        "import sys\n"
        "from data.settings import load_settings\n"
        "from web.instance import prepare_instance\n"
        f"settings = load_settings({{'instance_path': {str(instance)!r}, 'demo': False}}, environ={{}})\n"
        "prepare_instance(settings)\n"
        "print('alembic' in sys.modules)\n"
    )
    root = Path(__file__).parents[2]
    first = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["True"] and again.stdout.split() == ["False"], first.stderr + again.stderr


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
        eng = create_engine(url)  # v2.1-shaped SQL on a plain connection (no advisory lock of its own)
        with eng.begin() as conn:
            conn.execute(text("INSERT INTO users (id, username, is_active) VALUES (1, 'alice', true)"))
            rid = conn.execute(
                text(
                    "INSERT INTO revisions (obsid, revision_number, kind, sequence_number, time, notes, user_id)"
                    " VALUES (33333, 1, 'norm', 500003, 1700000300, NULL, 1) RETURNING id"
                )
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO signoffs (revision_id, general_status, acis_status, acis_si_status, hrc_si_status,"
                    " usint_status) VALUES (:r, 'Pending', 'Not Required', 'Not Required', 'Not Required', 'Pending')"
                ),
                {"r": rid},
            )
            conn.execute(text("UPDATE signoffs SET general_status = 'Signed' WHERE revision_id = :r"), {"r": rid})
            conn.execute(text("DELETE FROM revisions WHERE id = :r"), {"r": rid})
            assert conn.execute(text("SELECT obsid FROM changes ORDER BY id")).scalars().all() == [33333] * 4
        eng.dispose()
        with _connect(url) as conn:
            command.downgrade(alembic_config(conn), "0004_revision_kind_ix")
            conn.commit()
        assert upgrade(url) == HEAD and check(url) == []
    finally:
        drop_pg_database(url)
