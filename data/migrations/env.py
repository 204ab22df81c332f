"""Alembic environment: the models' metadata, batch mode for SQLite, the connection or URL from `data.schema`."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from data.models import Base

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Compare only the tables the models own (a v2.1 file may also hold Flask-Session's `sessions`)."""
    if type_ == "table":
        return name in target_metadata.tables
    return True


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
        **kwargs,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("USINT_DATABASE_URL")
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from data.db import make_engine

    url = config.get_main_option("sqlalchemy.url") or os.environ["USINT_DATABASE_URL"]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
