"""Ocat sources (data-layer §2.4, D5): one `fetch(sql, params)` over SQLAlchemy or ska_dbi's sqsh.

A source answers rows as dicts with bare column names, NULL → None and native Python values, and counts its round
trips. Every driver error or timeout becomes `OcatUnavailable`, whose message names no host, role, port or path (users
see it); those details go to the log and to the error's `detail` (for admins). SQL always uses `:name` bind parameters;
a list or tuple value is an expanding `IN (...)` list.
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import subprocess
import threading
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qs, quote, urlsplit

from sqlalchemy import Engine, bindparam, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from data.errors import OcatUnavailable

log = logging.getLogger("usint.ocat")

SQSH_DEFAULTS = {"server": "ocatsqlsrv", "database": "axafocat", "user": "mtaops_internal_web"}
_LIST_TYPES = (list, tuple, set, frozenset)


@runtime_checkable
class OcatSource(Protocol):
    """What the Ocat reader needs from a source."""

    round_trips: int

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        """Run one query; rows as dicts (bare column names, NULL → None, native types)."""
        ...


class OcatSourceError(OcatUnavailable):
    """`OcatUnavailable` with the details kept out of the user's message (driver text, host, port, role, path)."""

    def __init__(self, user_message: str, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.detail = detail


def _unavailable(user_message: str, detail: str | None = None) -> OcatSourceError:
    """The error to raise; its details are logged here, once."""
    log.warning("%s (%s)", user_message, detail or "no detail")
    return OcatSourceError(user_message, detail)


def make_source(url: str, timeout_s: float = 10.0) -> OcatSource:
    """A source for `url`: `sqsh://server/database?user=..&authdir=..`, any SQLAlchemy URL, or a SQLite file path."""
    if url.startswith("sqsh://"):
        return SqshSource.from_url(url, timeout_s=timeout_s)
    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    return SqlAlchemySource(url, timeout_s=timeout_s)


# ---------------------------------------------------------------------------------------------------- SQLAlchemy


class SqlAlchemySource:
    """SQLite mirror (opened read-only), PostgreSQL, or Sybase through `sqlalchemy-sybase` (`sybase+pyodbc://`)."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.round_trips = 0
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqlAlchemySource({make_url(self.url).render_as_string(hide_password=True)!r})"

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        stmt, values = _statement(sql, params or {})
        engine = self._get_engine()
        self.round_trips += 1
        try:
            with engine.connect() as conn:
                result = conn.execute(stmt, values)
                keys = [k.rsplit(".", 1)[-1] for k in result.keys()]
                return [dict(zip(keys, map(native, row), strict=True)) for row in result]
        except SQLAlchemyError as exc:
            raise _unavailable(f"The Ocat cannot be read: {_error_name(exc)}", _first_line(exc)) from exc

    def dispose(self) -> None:
        """Close pooled connections."""
        if self._engine is not None:
            self._engine.dispose()

    def _get_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        try:
            url = make_url(self.url)
            backend = url.get_backend_name()
            timeout = max(1, math.ceil(self.timeout_s))
            args: dict[str, Any] = {}
            if backend == "sqlite":
                url = _sqlite_read_only(url)
                args = {"timeout": self.timeout_s, "check_same_thread": False}
            elif backend == "postgresql":
                ms = int(self.timeout_s * 1000)
                args = {"connect_timeout": timeout, "options": f"-c statement_timeout={ms}"}
            elif url.get_driver_name() == "pyodbc":
                args = {"timeout": timeout}
            return create_engine(url, connect_args=args, pool_pre_ping=True)
        except NoSuchModuleError as exc:
            raise _unavailable(
                "No driver for the Ocat URL; for Sybase install requirements-sybase.txt", str(exc)
            ) from exc
        except (ArgumentError, ImportError, ValueError) as exc:
            raise _unavailable(f"Bad Ocat URL ({type(exc).__name__})", str(exc)) from exc


def _sqlite_read_only(url: Any) -> Any:
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return url
    path = Path(db)
    if not path.is_file():
        raise _unavailable("The Ocat mirror file does not exist", f"missing: {path}")
    return url.set(database=f"file:{quote(str(path.resolve()))}?mode=ro", query={"uri": "true"})


def _statement(sql: str, params: Mapping[str, object]) -> tuple[Any, dict[str, Any]]:
    values = {k: list(v) if isinstance(v, _LIST_TYPES) else v for k, v in params.items()}
    stmt = text(sql)
    expanding = [bindparam(k, expanding=True) for k, v in values.items() if isinstance(v, list)]
    if expanding:
        stmt = stmt.bindparams(*expanding)
    return stmt, values


def native(value: Any) -> Any:
    """A driver value as a plain Python value (Decimal → int/float, bytes → str, numpy scalars → Python)."""
    if value is None or isinstance(value, str | int | float | datetime | date):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # type: ignore[operator]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if hasattr(value, "item"):
        return value.item()
    return value


def _error_name(exc: BaseException) -> str:
    """The driver's error class (OperationalError, ProgrammingError...): says what kind, names nothing."""
    return type(getattr(exc, "orig", None) or exc).__name__


def _first_line(exc: BaseException | str) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip()
    return msg.splitlines()[0][:300] if msg else type(exc).__name__


# ---------------------------------------------------------------------------------------------------- sqsh


class SqshSource:
    """Sybase through `ska_dbi.sqsh` (imported on first use). sqsh has no bind parameters, so parameters are
    rendered into the SQL by `render_sql`, which accepts only ints, finite floats, strings and lists of them."""

    def __init__(self, server: str, database: str, user: str, authdir: str | None, timeout_s: float = 10.0) -> None:
        self.server, self.database, self.user, self.authdir = server, database, user, authdir
        self.timeout_s = timeout_s
        self.round_trips = 0

    @classmethod
    def from_url(cls, url: str, timeout_s: float = 10.0) -> SqshSource:
        """`sqsh://server/database?user=..&authdir=..` (defaults: ocatsqlsrv, axafocat, mtaops_internal_web)."""
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(
            server=parts.hostname or SQSH_DEFAULTS["server"],
            database=parts.path.strip("/") or SQSH_DEFAULTS["database"],
            user=query.get("user", SQSH_DEFAULTS["user"]),
            authdir=query.get("authdir"),
            timeout_s=timeout_s,
        )

    def __repr__(self) -> str:
        return f"SqshSource({self.server!r}, {self.database!r}, user={self.user!r})"

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        query = render_sql(sql, params or {})
        sqsh = _import_sqsh()
        self.round_trips += 1
        kwargs = {"server": self.server, "database": self.database, "user": self.user}
        if self.authdir:
            kwargs["authdir"] = self.authdir
        try:
            client = sqsh.Sqsh(**kwargs)  # checks SYBASE and sqsh.bin, finds the sqshrc file
        except Exception as exc:  # noqa: BLE001 - any set-up failure means the Ocat cannot be read
            raise _unavailable(f"The Ocat cannot be read: {type(exc).__name__}", _first_line(exc)) from exc
        command = [
            sqsh.SQSH_BIN,
            "-X",
            "-S",
            client.server,
            "-U",
            client.user,
            "-D",
            client.database,
            "-m",
            "csv",
            "-C",
            query,
        ]
        lines = _run_bounded(command, _sqsh_env(sqsh, client), self.timeout_s)
        from astropy.io import ascii as astropy_ascii  # optional: Ska's environment has it, with ska_dbi

        try:
            table = astropy_ascii.read(lines, format="csv")
        except Exception as exc:  # noqa: BLE001 - an unreadable answer is an Ocat failure too
            raise _unavailable(f"The Ocat cannot be read: {type(exc).__name__}", _first_line(exc)) from exc
        return table_rows(table)


def _sqsh_env(sqsh: Any, client: Any) -> dict[str, str]:
    """The environment ska_dbi gives sqsh.bin: SYBASE, LD_LIBRARY_PATH and the sqshrc file."""
    env = {"SYBASE": str(sqsh.SYBASE)}
    library_path = getattr(sqsh, "LD_LIBRARY_PATH", None)
    for item in getattr(sqsh, "ENV_VARS", ()):  # older ska_dbi: ["SYBASE=...", "LD_LIBRARY_PATH=..."]
        key, _, value = item.partition("=")
        env[key] = value
    if library_path:
        env["LD_LIBRARY_PATH"] = str(library_path)
    if getattr(client, "sqshrc", None) is not None:
        env["SQSHRC"] = str(client.sqshrc)
    return env


def _run_bounded(command: list[str], env: dict[str, str], timeout_s: float) -> list[str]:
    """Run sqsh.bin in its own process group; past `timeout_s` the whole group is killed (nothing lingers)."""
    proc = subprocess.Popen(  # noqa: S603 - a fixed binary; the query is one argument, no shell
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _end_group(proc)
        detail = f"sqsh.bin killed after {timeout_s:g} s"
        raise _unavailable(f"The Ocat did not answer within {timeout_s:g} s", detail) from None
    except BaseException:
        _end_group(proc)
        raise
    if proc.returncode != 0:
        detail = f"sqsh.bin exited with status {proc.returncode}: {_first_line(err.decode(errors='replace'))}"
        raise _unavailable("The Ocat cannot be read: CalledProcessError", detail)
    return out.decode(errors="replace").splitlines()


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill sqsh.bin and everything it started (its session's process group), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        log.error("sqsh.bin (pid %s) did not end after SIGKILL", proc.pid)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _import_sqsh() -> Any:
    try:
        import ska_dbi.sqsh as sqsh  # type: ignore[import-not-found]  # optional: only Ska's environment has it
    except ImportError as exc:
        raise _unavailable("The sqsh Ocat source needs ska_dbi, which is not installed", str(exc)) from exc
    return sqsh


def table_rows(table: Any) -> list[dict[str, Any]]:
    """An astropy Table (sqsh `fetchall`) → list of dicts; masked cells → None, numpy scalars → Python."""
    names = list(getattr(table, "colnames", []))
    rows = []
    for row in table:
        rows.append({name: _cell(row[name]) for name in names})
    return rows


def _cell(value: Any) -> Any:
    if value is None or getattr(value, "mask", False) is True or type(value).__name__ == "MaskedConstant":
        return None
    return native(value.tolist() if hasattr(value, "tolist") else value)


_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|(?<![:\w]):([A-Za-z_]\w*)")


def render_sql(sql: str, params: Mapping[str, object]) -> str:
    """Replace `:name` placeholders (outside string literals) by strict SQL literals; see `sql_literal`."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)
        if name not in params:
            raise ValueError(f"No value for SQL parameter :{name}")
        return sql_literal(params[name])

    return _PLACEHOLDER.sub(sub, sql)


def sql_literal(value: object) -> str:
    """One value as a SQL literal: None → NULL; int validated through int(); finite float; string single-quoted
    with quotes doubled (NUL refused); datetime quoted ISO; a list → `(a, b)` (empty → `(NULL)`). Anything else,
    including bool and nested lists, raises TypeError."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        raise TypeError("Refusing to render a bool as SQL")
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Refusing to render {value!r} as SQL")
        return repr(float(value))
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Refusing to render a string containing NUL as SQL")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, datetime):
        return "'" + value.strftime("%Y-%m-%d %H:%M:%S") + "'"
    if isinstance(value, _LIST_TYPES):
        items = list(value)
        if any(isinstance(v, _LIST_TYPES) for v in items):
            raise TypeError("Refusing to render a nested list as SQL")
        return "(" + ", ".join(sql_literal(v) for v in items) + ")" if items else "(NULL)"
    raise TypeError(f"Refusing to render a {type(value).__name__} as SQL")
