"""Engine, sessionmaker and transaction scope for the revision DB (SQLite or PostgreSQL, STYLE §5, E17).

SQLite: WAL, `foreign_keys=ON`, a busy timeout, and the driver's own transaction handling switched off so
SQLAlchemy emits `BEGIN` itself (SAVEPOINT then works). Transactions begin with `BEGIN IMMEDIATE`, so two
writers never both read the same "next revision number"; a read-only scope asks for a plain deferred `BEGIN`
through the execution option `usint_readonly`. PostgreSQL write transactions take one advisory lock first,
so writers commit in id order there too.

A write refused because the DB is read-only or full drops the pool's connections (a SQLite connection opened
while the file was read-only stays read-only; a PostgreSQL session keeps `default_transaction_read_only`), so
the app recovers by itself once the DB is writable again; the failure is remembered for `write_check` (the
health probe) until a write commits. A transaction that queued outbox rows calls the hook `on_outbox_commit`
installed, after its commit.
"""

from __future__ import annotations

import os
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
PROBE_BUSY_TIMEOUT_MS = 500
"""The health probe waits this long for SQLite's write lock, then assumes a busy, writable DB."""
LOW_DISK_BYTES = 64 * 1024 * 1024
"""Less free space than this on the SQLite file's disk makes the health probe say "degraded"."""
WRITE_PROBLEM_MAX_AGE_S = 600

# ------------------------------------------------------------------------------------------- storage problems

LOCK_SQLSTATES = {"55P03", "40P01", "40001"}  # PostgreSQL: lock not available, deadlock, serialization failure
FULL_SQLSTATES = {"53100"}  # PostgreSQL: disk full
READ_ONLY_SQLSTATES = {"25006"}  # PostgreSQL: read_only_sql_transaction
_LOCKED = ("database is locked", "database table is locked", "database is busy")
_FULL = ("disk is full", "no space left", "database is full")


def storage_problem(err: BaseException) -> str | None:
    """ "locked", "read-only" or "full" when `err` (SQLAlchemy's or the driver's) says so, else None."""
    orig = getattr(err, "orig", None) or err
    code = getattr(orig, "sqlstate", None)
    text = str(orig).lower()
    if code in LOCK_SQLSTATES or any(m in text for m in _LOCKED):
        return "locked"
    readonly_name = str(getattr(orig, "sqlite_errorname", "")).startswith("SQLITE_READONLY")
    if code in READ_ONLY_SQLSTATES or readonly_name or "readonly database" in text:
        return "read-only"
    if code in FULL_SQLSTATES or any(m in text for m in _FULL):
        return "full"
    return None


@dataclass(frozen=True)
class WriteProblem:
    kind: str
    detail: str
    at: float


_write_problems: weakref.WeakKeyDictionary[Engine, WriteProblem] = weakref.WeakKeyDictionary()


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def _opened_read_only(engine: Engine, dbapi_connection: Any) -> bool:
    """Whether a new connection can only read: the SQLite file cannot be opened for writing (SQLite then opens it
    read-only, for the connection's life), or PostgreSQL starts the session read-only."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return False
        # access(2), never open(2): closing any descriptor of the file would drop every SQLite lock this process
        # holds on it (POSIX advisory locks belong to the process), and another connection's reads then fail.
        return os.path.exists(database) and not os.access(database, os.W_OK)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SHOW transaction_read_only")
        row = cursor.fetchone()
    finally:
        cursor.close()
        dbapi_connection.rollback()
    return bool(row) and row[0] == "on"


def _install_storage_hooks(engine: Engine) -> None:
    """Read-only or full: drop the pool's connections and remember the failure; a committed write forgets it.
    A connection opened read-only is not kept in the pool: the next checkout opens a new one, which can write
    once the DB can."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        if engine.dialect.name in ("sqlite", "postgresql") and _opened_read_only(engine, dbapi_connection):
            record.info["usint_read_only"] = True

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None and record is not None and record.info.get("usint_read_only"):
            record.invalidate(soft=True)  # replaced on its next checkout

    @event.listens_for(engine, "handle_error")
    def _on_error(ctx: Any) -> None:
        kind = storage_problem(ctx.original_exception)
        if kind in ("read-only", "full"):
            _write_problems[engine] = WriteProblem(kind, _first_line(ctx.original_exception), time.monotonic())
            ctx.is_disconnect = True  # SQLAlchemy then invalidates this connection and the rest of the pool
            ctx.invalidate_pool_on_disconnect = True

    @event.listens_for(engine, "after_cursor_execute")
    def _on_execute(conn: Connection, _cursor: Any, _stmt: Any, _params: Any, context: Any, _many: bool) -> None:
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            conn.info["usint_wrote"] = True

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Connection) -> None:
        if conn.info.pop("usint_wrote", False):
            _write_problems.pop(engine, None)  # a failing COMMIT records its problem again (handle_error runs after)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Connection) -> None:
        if not conn.invalidated:  # an invalidated connection has no info left to clear
            conn.info.pop("usint_wrote", None)


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
        _install_storage_hooks(engine)
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
    _install_storage_hooks(engine)
    return engine


# ------------------------------------------------------------------------------------------- the write check


def write_check(engine: Engine) -> str | None:
    """None when the revision DB takes writes as far as a cheap probe can tell, else what is wrong, starting with
    "read-only", "full" or "disk almost full". SQLite: a write undone at once (`BEGIN IMMEDIATE` alone succeeds
    on a read-only file), the page limit and the free disk space; PostgreSQL: `SHOW transaction_read_only`. Both:
    a write that failed for lack of space within the last 10 minutes, unless a write committed since."""
    problem = _sqlite_write_check(engine) if engine.dialect.name == "sqlite" else _postgres_write_check(engine)
    if problem is None:
        recent = _write_problems.get(engine)
        if recent is not None and recent.kind == "full":
            age = time.monotonic() - recent.at
            if age < WRITE_PROBLEM_MAX_AGE_S:
                problem = f"full: a write failed {age:.0f} s ago ({recent.detail})"
    return problem


def _sqlite_write_check(engine: Engine) -> str | None:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        busy = raw.execute("PRAGMA busy_timeout").fetchone()[0]
        raw.execute(f"PRAGMA busy_timeout={PROBE_BUSY_TIMEOUT_MS}")
        try:
            refused = _sqlite_probe_write(raw)
            pages, limit, free = (
                raw.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "max_page_count", "freelist_count")
            )
        finally:
            raw.execute(f"PRAGMA busy_timeout={int(busy)}")
        if refused is not None:
            conn.invalidate()
    if refused is not None:
        engine.dispose()  # connections opened while the file was read-only stay read-only
        return refused
    if pages >= limit and free == 0:
        return f"full: the file reached its page limit ({limit} pages)"
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        stat = os.statvfs(Path(database).resolve().parent)
        if stat.f_bavail * stat.f_frsize < LOW_DISK_BYTES:
            return f"disk almost full: {stat.f_bavail * stat.f_frsize // 2**20} MiB free beside {database}"
    return None


def _sqlite_probe_write(raw: sqlite3.Connection) -> str | None:
    """Rewrite `user_version` with its own value inside a transaction, then roll back; the refusal, if any."""
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if storage_problem(err) == "locked":
            return None  # a writer holds the lock: busy, not refused
        raise
    try:
        version = int(raw.execute("PRAGMA user_version").fetchone()[0])
        raw.execute(f"PRAGMA user_version={version}")
    except sqlite3.OperationalError as err:
        kind = storage_problem(err)
        if kind in ("read-only", "full"):
            return f"{kind}: {err}"
        raise
    finally:
        raw.execute("ROLLBACK")
    return None


def _postgres_write_check(engine: Engine) -> str | None:
    with engine.connect() as conn:
        conn = conn.execution_options(usint_readonly=True)  # no writer lock for a probe
        read_only = conn.exec_driver_sql("SHOW transaction_read_only").scalar()
        conn.rollback()
    if read_only == "on":
        engine.dispose()  # pooled sessions keep the setting they connected with
        return "read-only: transaction_read_only is on"
    return None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The one sessionmaker of an app: objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


# ------------------------------------------------------------------------------------------- after commit

OUTBOX_QUEUED = "usint_outbox_queued"


def mark_outbox_queued(session: Session) -> None:
    """Note that this transaction queued outbox rows (`data.mail.outbox.queue` calls it)."""
    session.info[OUTBOX_QUEUED] = True


def on_outbox_commit(sessions: sessionmaker[Session], hook: Callable[[], None]) -> None:
    """Call `hook` after each commit of a `sessions` transaction that queued outbox rows: the one place mail
    sending starts from (D21). The hook runs in the committing thread, so it must only wake a sender."""

    @event.listens_for(sessions, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(OUTBOX_QUEUED, False):
            hook()

    @event.listens_for(sessions, "after_transaction_end")
    def _after_end(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:  # the outer transaction ended: a rolled-back one sends nothing
            session.info.pop(OUTBOX_QUEUED, None)


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
