"""Root fixtures, named for what they give (E22): `settings`, `app`, `client`, `runner`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.fixtures.revdb", "tests.fixtures.ocat", "tests.fixtures.submission"]


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo instance (revision DB, demo Ocat, obs_ss) built once per test run, copied by `settings`."""
    from data.settings import load_settings
    from web.instance import prepare_instance

    path = tmp_path_factory.mktemp("demo-instance")
    prepare_instance(load_settings({"instance_path": path}, environ={}))
    return path


@pytest.fixture
def settings(tmp_path: Path, demo_instance: Path) -> dict[str, Any]:
    """Settings overrides for an app on a fresh copy of the demo instance, signed in as `demo` by default."""
    instance = tmp_path / "instance"
    shutil.copytree(demo_instance, instance, ignore=shutil.ignore_patterns(".init.lock", "logs"))
    return {"instance_path": str(instance), "dev_user": "demo", "mail_suppress": True}


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Any]:
    from dashboard import create_app

    yield create_app(settings)


@pytest.fixture
def client(app: Any) -> Any:
    return app.server.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.server.test_cli_runner()


@pytest.fixture(autouse=True)
def _no_live_boards() -> None:
    """Each test starts without this process's live boards: a test database reused by the next test may
    reach the same change token with other rows (ids are reused after a rollback)."""
    from data.board import live as board_live

    board_live.forget()
