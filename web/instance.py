"""First start: the instance folder, its logs and obs_ss folders, the revision DB, the demo data.

The demo is seeded on a first start that serves (gunicorn, `python dashboard.py`), never by a CLI command
(`usint demo seed` does it on purpose), and never into a revision DB holding anything but demo data.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.seeding import contents, rebuild_demo_ocat, refuse_unless_demo_only, seed_demo
from data.parameters.table import seed_parameters
from data.schema import at_head, upgrade
from data.settings import Settings

log = logging.getLogger("usint.instance")


@contextmanager
def instance_lock(instance: Path) -> Iterator[None]:
    """Serialise first-start work between gunicorn workers started at the same moment."""
    instance.mkdir(parents=True, exist_ok=True)
    with open(instance / ".init.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_instance(settings: Settings, *, first_start_demo: bool | None = None) -> None:
    """Create folders, upgrade the revision DB, seed the parameters; in demo mode, seed the demo on first start.

    `first_start_demo` None means: yes, unless this process is a Flask CLI command (`flask ... usint db upgrade`
    only upgrades; `usint demo seed` seeds on purpose)."""
    if first_start_demo is None:
        first_start_demo = os.environ.get("FLASK_RUN_FROM_CLI") != "true"
    with instance_lock(settings.instance_path):
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        settings.obs_ss.mkdir(parents=True, exist_ok=True)
        if not at_head(settings.database_url):  # a worker after the master's upgrade: no Alembic import
            upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            with sessions.begin() as session:
                seed_parameters(session)
            if settings.demo and first_start_demo:
                seed_demo_once(settings, sessions)
        finally:
            engine.dispose()


def seed_demo_once(settings: Settings, sessions: sessionmaker[Session]) -> None:
    """When the demo Ocat file does not exist yet: seed the demo into an empty revision DB; build the Ocat again
    (as the last seeding made it) for a DB holding demo data only; refuse (DemoRefused, start-up stops with the
    reason) for a DB holding anything else, so a live DB never gets demo revisions."""
    url = make_url(settings.ocat_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    if Path(url.database).exists():
        return

    with session_scope(sessions, readonly=True) as session:
        found = contents(session)
    refuse_unless_demo_only(found, settings.database_url)
    if found.demo:
        log.warning(
            "the demo Ocat %s is missing: building it again for the %d demo revisions", url.database, found.demo
        )
        rebuild_demo_ocat(settings, sessions)
        return
    log.info("seeding the demo Ocat and revisions in %s", settings.instance_path)
    seed_demo(settings, sessions)
