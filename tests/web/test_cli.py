"""The `usint` CLI on a temporary instance: db, user, mail and demo commands."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from data import clock
from data.db import make_engine, make_sessionmaker
from data.demo.seeding import DemoRefused
from data.revisions.store import create_revision
from data.settings import load_settings
from data.users import add_user
from web.instance import prepare_instance

ROOT = Path(__file__).parents[2]


def invoke(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["usint", *args], catch_exceptions=False)


def test_every_command_has_help(runner: Any) -> None:
    for args in (
        ["--help"],
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["user", "add", "--help"],
        ["demo", "seed", "--help"],
        ["mail", "retry", "--help"],
    ):
        result = invoke(runner, *args)
        assert result.exit_code == 0 and "Usage" in result.output, args


def test_db_upgrade_is_idempotent_and_check_passes(runner: Any) -> None:
    first = invoke(runner, "db", "upgrade")
    second = invoke(runner, "db", "upgrade")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "revision DB at" in second.output
    assert invoke(runner, "db", "check").exit_code == 0
    assert invoke(runner, "db", "seed-parameters").exit_code == 0


def test_user_add_list_groups_deactivate(runner: Any) -> None:
    added = invoke(
        runner, "user", "add", "zoe", "--email", "zoe@cfa.harvard.edu", "--full-name", "Zoe Z", "--groups", "usint:too"
    )
    assert added.exit_code == 0, added.output
    assert "zoe" in invoke(runner, "user", "list").output
    changed = invoke(runner, "user", "groups", "zoe", "--add", "ACIS", "--remove", "too")
    assert "usint:acis" in changed.output
    assert "inactive" in invoke(runner, "user", "deactivate", "zoe").output
    assert "zoe" in invoke(runner, "user", "list", "--group", "acis").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "demo", "--email", "d@x.org", "--full-name", "D"], "already exists"),
        (["user", "add", "yan", "--email", "not-an-address", "--full-name", "Y"], "expected an e-mail address"),
        (["user", "deactivate", "ghost"], "No USINT user"),
        (["user", "groups", "ghost", "--add", "usint"], "No USINT user"),
        (["user", "add", "yan"], "Missing option"),
        (["demo", "seed", "--observations", "-5"], "Invalid value"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(runner: Any, args: list[str], message: str) -> None:
    result = runner.invoke(args=["usint", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_mail_retry_reports_the_outbox(runner: Any) -> None:
    result = invoke(runner, "mail", "retry")
    assert result.exit_code == 0, result.output
    assert "requeued" in result.output and "outbox:" in result.output


def revision_count(instance: Path) -> int:
    with contextlib.closing(sqlite3.connect(instance / "usint.db")) as conn:
        return conn.execute("SELECT count(*) FROM revisions").fetchone()[0]


def test_demo_seed_replaces_the_demo_data_and_says_so(runner: Any, settings: dict[str, Any]) -> None:
    instance = Path(settings["instance_path"])
    assert revision_count(instance) == 400  # the demo instance's first start
    result = invoke(runner, "demo", "seed", "--observations", "120", "--revisions", "200", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "replaced 400 demo revisions" in result.output
    assert "120 observations" in result.output and "200 revisions" in result.output
    assert revision_count(instance) == 200


def add_real_revision(settings: dict[str, Any]) -> None:
    """A revision by a user who is not a demo user (a live DB, or a DB someone used for real)."""
    engine = make_engine(load_settings(settings, environ={}).database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            zoe = add_user(session, "zoe", email="zoe@cfa.harvard.edu", full_name="Zoe Z")
            create_revision(
                session,
                12345,
                kind="clone",
                sequence_number=500123,
                originals={},
                requests={"comments": "split"},
                notes=None,
                user=zoe,
                now=clock.now(),
            )
    finally:
        engine.dispose()


def test_demo_seed_refuses_a_revision_db_holding_other_data(runner: Any, settings: dict[str, Any]) -> None:
    instance = Path(settings["instance_path"])
    add_real_revision(settings)
    ocat_before = (instance / "ocat_demo.db").read_bytes()
    result = runner.invoke(args=["usint", "demo", "seed", "--seed", "7"])
    assert result.exit_code == 1
    assert "not seeding" in result.output and "1 revision(s) that are not demo data (e.g. 12345." in result.output
    assert revision_count(instance) == 401
    assert (instance / "ocat_demo.db").read_bytes() == ocat_before  # the Ocat is not rebuilt either


def test_a_first_start_never_seeds_demo_data_into_a_db_holding_other_data(settings: dict[str, Any]) -> None:
    """#13 item 5: USINT_DEMO=1 and the demo Ocat file gone: the start stops with the reason, nothing is added."""
    instance = Path(settings["instance_path"])
    add_real_revision(settings)
    (instance / "ocat_demo.db").unlink()
    with pytest.raises(DemoRefused, match="not demo data"):
        prepare_instance(load_settings(settings, environ={}), first_start_demo=True)
    assert revision_count(instance) == 401
    assert not (instance / "ocat_demo.db").exists()


def test_a_first_start_builds_a_missing_demo_ocat_again_without_adding_revisions(settings: dict[str, Any]) -> None:
    instance = Path(settings["instance_path"])
    with contextlib.closing(sqlite3.connect(instance / "ocat_demo.db")) as conn:
        before = conn.execute("SELECT obsid, targname, ra FROM target ORDER BY obsid").fetchall()
    (instance / "ocat_demo.db").unlink()
    prepare_instance(load_settings(settings, environ={}), first_start_demo=True)
    with contextlib.closing(sqlite3.connect(instance / "ocat_demo.db")) as conn:
        after = conn.execute("SELECT obsid, targname, ra FROM target ORDER BY obsid").fetchall()
    assert after == before  # the same Ocat as the seeding made: the revisions' obsids are all there
    assert revision_count(instance) == 400


def flask_usint(instance: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`flask --app dashboard:server usint ...` in a process of its own, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("USINT_", "FLASK_"))}
    env["USINT_INSTANCE_PATH"] = str(instance)
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "dashboard:server", "usint", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_db_upgrade_only_upgrades_and_demo_seed_ends_with_the_count_it_prints(tmp_path: Path) -> None:
    """#15 item 3: on a new demo instance `db upgrade` seeds nothing; `demo seed` then holds what it prints."""
    instance = tmp_path / "instance"
    upgraded = flask_usint(instance, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert revision_count(instance) == 0 and not (instance / "ocat_demo.db").exists()
    seeded = flask_usint(instance, "demo", "seed", "--seed", "7")
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded: " in seeded.stdout and "revision DB: 400 revisions" in seeded.stdout
    assert revision_count(instance) == 400
    again = flask_usint(instance, "demo", "seed", "--seed", "7", "--revisions", "150")
    assert "replaced 400 demo revisions" in again.stdout and "150 revisions" in again.stdout, again.stderr
    assert revision_count(instance) == 150
