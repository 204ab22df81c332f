"""Create, adopt and upgrade the revision DB through Alembic (D1, E20); `check` is `alembic check`.

A v2.1 `usint.db` has the tables but no `alembic_version`: it is stamped at revision 1 (the v2.1 schema)
and then upgraded in place. A new database runs every revision from the start. Alembic is imported only when
there is work for it: `at_head` reads the migration files and `alembic_version` without it (every worker asks at
start; Alembic and Mako would add about 10 MiB to each).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from data.db import make_engine
from data.models import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
V21_REVISION = "0001_v21"
V21_TABLES = frozenset({"users", "revisions", "signoffs", "parameters", "originals", "requests", "schedules"})
CHANGE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "sqlite": tuple(f"changes_{t}_{op}" for t in ("revisions", "signoffs") for op in ("insert", "update", "delete")),
    "postgresql": ("changes_revisions", "changes_signoffs"),
}
"""The triggers of migration 5 that fill `changes` (what the live board reads), per dialect."""


_REVISION = re.compile(r"^(revision|down_revision) = (None|\"([^\"]*)\")", re.M)


def code_head() -> str:
    """The newest migration of `migrations/versions`, read from the files (no Alembic import)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for key, _raw, value in _REVISION.findall(path.read_text()):
            if value:
                (revisions if key == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {sorted(heads)}")
    return heads.pop()


def at_head(url_or_engine: str | Engine) -> bool:
    """True when the database's `alembic_version` is the newest migration (a cheap check without Alembic)."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as conn:
            if "alembic_version" not in inspect(conn).get_table_names():
                return False
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            return versions == [code_head()]
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code (no alembic.ini): script location inside the package."""
    from alembic.config import Config  # only when there is work (module docstring)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def _connect(url_or_engine: str | Engine) -> Iterator[Connection]:
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Batch mode recreates tables: with foreign keys on, dropping `revisions` would cascade-delete
                # every sign-off. The pragma only works outside a transaction, so it goes to the raw driver.
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                yield conn
            finally:
                if conn.dialect.name == "sqlite":
                    conn.rollback()
                    conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The Alembic revision the database is at (None: new or v2.1)."""
    from alembic.runtime.migration import MigrationContext  # only when there is work (module docstring)

    with _connect(url_or_engine) as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
        return rev


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> str | None:
    """Create a new DB or adopt a v2.1 file, then upgrade to `revision`; returns the revision reached."""
    from alembic import command  # only when there is work (module docstring)
    from alembic.runtime.migration import MigrationContext

    with _connect(url_or_engine) as conn:
        tables = set(inspect(conn).get_table_names())
        conn.commit()
        cfg = alembic_config(conn)
        if "alembic_version" not in tables and V21_TABLES <= tables:
            command.stamp(cfg, V21_REVISION)
            conn.commit()
        command.upgrade(cfg, revision)
        conn.commit()
        if conn.dialect.name == "sqlite":
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"foreign key check failed after upgrade: {broken[:5]}")
        reached = MigrationContext.configure(conn).get_current_revision()
        conn.commit()
        return reached


def check(url_or_engine: str | Engine) -> list[str]:
    """What `alembic check` reports: an empty list when the DB is at head and matches the models."""
    from alembic.autogenerate import compare_metadata  # only when there is work (module docstring)
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    problems: list[str] = []
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with _connect(url_or_engine) as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "target_metadata": Base.metadata,
                "include_name": lambda name, type_, _p: type_ != "table" or name in Base.metadata.tables,
            },
        )
        current = ctx.get_current_revision()
        if current != head:
            problems.append(f"database at revision {current!r}, code at {head!r}: run `usint db upgrade`")
        else:
            problems += [repr(diff) for diff in compare_metadata(ctx, Base.metadata)]
            problems += [
                f"trigger {name} is missing: the status board would miss writes to revisions/signoffs "
                "(downgrade to 0004_revision_kind_ix and upgrade again)"
                for name in missing_triggers(conn)
            ]
        conn.rollback()
    return problems


def missing_triggers(conn: Connection) -> list[str]:
    """The `CHANGE_TRIGGERS` of this dialect the database does not have (a SQLite batch rebuild drops them)."""
    expected = CHANGE_TRIGGERS.get(conn.dialect.name, ())
    if conn.dialect.name == "sqlite":
        have = set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    else:
        have = set(conn.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").scalars())
    return [name for name in expected if name not in have]
