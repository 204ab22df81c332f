"""Root fixtures, named for what they give (E22): `settings`, `app`, `client`, `runner` (a fresh app per test), and
`shared_settings`, `shared_app`, `shared_client` (one app per test module, for modules whose tests only read)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

from dashboard import create_app
from data.settings import load_settings
from web.instance import prepare_instance

pytest_plugins = ["tests.fixtures.revdb", "tests.fixtures.ocat", "tests.fixtures.submission"]


SAME_WORKER = {
    "tests/data/test_shared_cache.py": "redis-15",
    "tests/web/test_several_hosts.py": "redis-15",
}
"""Modules that use one outside resource no other test may touch meanwhile (Redis database 15, emptied by both):
under pytest-xdist they run on one worker, one after the other."""


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (the Makefile's `make test`): a module's tests run on one worker, in order, so its
    module-scoped fixtures (`shared_app`, gunicorn) are made once; the modules of `SAME_WORKER` run on the same
    worker. Other `--dist` modes are xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return SAME_WORKER.get(module, module)

    return Scheduling(config, log)


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo instance (revision DB, demo Ocat, obs_ss) built once per test run, copied by `settings`."""
    path = tmp_path_factory.mktemp("demo-instance")
    prepare_instance(load_settings({"instance_path": path}, environ={}))
    return path


def _copy_demo(demo_instance: Path, instance: Path) -> dict[str, Any]:
    """Settings overrides for an app on a copy of the demo instance at `instance`, signed in as `demo`."""
    shutil.copytree(demo_instance, instance, ignore=shutil.ignore_patterns(".init.lock", "logs"))
    return {"instance_path": str(instance), "dev_user": "demo", "mail_suppress": True}


@pytest.fixture
def settings(tmp_path: Path, demo_instance: Path) -> dict[str, Any]:
    """Settings overrides for an app on a fresh copy of the demo instance, signed in as `demo` by default."""
    return _copy_demo(demo_instance, tmp_path / "instance")


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Any]:
    yield create_app(settings)


@pytest.fixture
def client(app: Any) -> Any:
    return app.server.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.server.test_cli_runner()


@pytest.fixture(scope="module")
def shared_settings(tmp_path_factory: pytest.TempPathFactory, demo_instance: Path) -> Mapping[str, Any]:
    """`settings` of the module's shared app: the module's own copy of the demo instance, signed in as `demo`.
    Read-only; a module that needs other settings overrides this fixture (module scope)."""
    return MappingProxyType(_copy_demo(demo_instance, tmp_path_factory.mktemp("shared") / "instance"))


@pytest.fixture(scope="module")
def shared_app(shared_settings: Mapping[str, Any]) -> Any:
    """One app for all tests of a module (`create_app` takes ~0.5 s): for tests that only read, or write rows
    that none of the module's other tests looks at. A module opts in by overriding `app` (and `settings`, or
    `client`) with these."""
    return create_app(shared_settings)


@pytest.fixture
def shared_client(shared_app: Any) -> Any:
    """A test client (no cookies yet) of the module's shared app."""
    return shared_app.server.test_client()
