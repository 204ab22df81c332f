"""Engine, sessionmaker and transaction scope for the revision DB (SQLite or PostgreSQL, STYLE §5, E17).

SQLite: WAL, `foreign_keys=ON`, a busy timeout, and the driver's own transaction handling switched off so
SQLAlchemy emits `BEGIN` itself (SAVEPOINT then works). Transactions begin with `BEGIN IMMEDIATE`, so two
writers never both read the same "next revision number"; a read-only scope asks for a plain deferred `BEGIN`
through the execution option `usint_readonly`. PostgreSQL write transactions take one advisory lock first,
so writers commit in id order there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver must not BEGIN on its own (breaks SAVEPOINT)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get("usint_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


WRITER_LOCK_KEY = 0x55534E54
"""The PostgreSQL advisory lock every write transaction takes first (see `_install_postgres_hooks`)."""


def _install_postgres_hooks(engine: Engine) -> None:
    """Write transactions take one transaction-scoped advisory lock before anything else, as SQLite's
    `BEGIN IMMEDIATE` does. Writers then commit in the order they got their ids, so a reader that has seen
    event N has seen every event below N: the board's change token and its catch-up from the events rely on
    that. Taken first, the lock cannot deadlock with row locks; read-only scopes do not take it."""

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if not conn.get_execution_options().get("usint_readonly", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets the connection and BEGIN hooks, PostgreSQL a pre-pinged pool."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _install_sqlite_hooks(engine, wal=not memory)
        return engine
    options: dict[str, Any] = {"pool_pre_ping": True, "pool_recycle": 1800, "pool_size": 5, "max_overflow": 10}
    if parsed.get_backend_name() == "postgresql":
        # A lock held elsewhere must end in a clear "busy" answer (SQLSTATE 55P03), never a hung request.
        lock_ms = SQLITE_BUSY_TIMEOUT_MS
        options["connect_args"] = {"options": f"-c lock_timeout={lock_ms}", **kwargs.pop("connect_args", {})}
    options.update(kwargs)
    engine = create_engine(url, **options)
    if parsed.get_backend_name() == "postgresql":
        _install_postgres_hooks(engine)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The one sessionmaker of an app: objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(sessions: sessionmaker[Session], *, readonly: bool = False) -> Iterator[Session]:
    """One unit of work: begin, then commit on success or roll back on any error.

    `readonly=True` starts a deferred transaction on SQLite (no write lock); it must not write.
    """
    session = sessions()
    try:
        with session.begin():
            if readonly:
                session.connection(execution_options={"usint_readonly": True})
            yield session
    finally:
        session.close()


def is_sqlite(bind: Engine | Connection | Session) -> bool:
    """True when `bind` talks to SQLite."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    return bind.dialect.name == "sqlite"
