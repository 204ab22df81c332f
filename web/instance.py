"""First start: the instance folder, its logs and obs_ss folders, the revision DB, the demo data."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def prepare_instance(settings: Settings) -> None:
    """Create folders, upgrade the revision DB, and seed the demo Ocat and revisions once."""
    with instance_lock(settings.instance_path):
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        settings.obs_ss.mkdir(parents=True, exist_ok=True)
        from data.schema import upgrade

        upgrade(settings.database_url)
        from data.db import make_engine, make_sessionmaker
        from data.parameters.table import seed_parameters

        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            with sessions.begin() as session:
                seed_parameters(session)
            if settings.demo:
                seed_demo_once(settings, sessions)
        finally:
            engine.dispose()


def seed_demo_once(settings: Settings, sessions) -> None:
    """Build the demo Ocat and demo users/revisions when the demo Ocat file does not exist yet."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.ocat_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    if Path(url.database).exists():
        return
    from data.demo.seeding import seed_demo

    log.info("seeding the demo Ocat and revisions in %s", settings.instance_path)
    seed_demo(settings, sessions)
