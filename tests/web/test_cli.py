"""The `usint` CLI on a temporary instance: db, user, mail and demo commands."""

from __future__ import annotations

from typing import Any

import pytest


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


def test_demo_seed_builds_a_small_demo(runner: Any, settings: dict[str, Any]) -> None:
    result = invoke(runner, "demo", "seed", "--observations", "120", "--revisions", "200", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "120 observations" in result.output and "200 revisions" in result.output
