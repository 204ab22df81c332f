"""Ocat sources: bind parameters, row shape, errors as OcatUnavailable, the sqsh literal renderer."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from astropy.io import ascii as astropy_ascii

from data.errors import OcatUnavailable
from data.ocat.sources import (
    OcatSource,
    SqlAlchemySource,
    SqshSource,
    make_source,
    native,
    render_sql,
    sql_literal,
    table_rows,
)

# ---------------------------------------------------------------------------------------------------- renderer


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (12345, "12345"),
        (-7, "-7"),
        (2.5, "2.5"),
        (None, "NULL"),
        ("G1007", "'G1007'"),
        ("x' OR '1'='1", "'x'' OR ''1''=''1'"),
        ("1; DROP TABLE target; --", "'1; DROP TABLE target; --'"),
        ("O'Brien", "'O''Brien'"),
        ([1, 2, 3], "(1, 2, 3)"),
        (("a", "b'c"), "('a', 'b''c')"),
        ([], "(NULL)"),
    ],
)
def test_sql_literal_renders_only_safe_literals(value: object, literal: str) -> None:
    assert sql_literal(value) == literal


@pytest.mark.parametrize("value", [True, [[1]], object(), b"bytes", {"a": 1}])
def test_sql_literal_refuses_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        sql_literal(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nul\x00byte"])
def test_sql_literal_refuses_unsafe_values(value: object) -> None:
    with pytest.raises(ValueError):
        sql_literal(value)


def test_int_subclasses_render_through_int() -> None:
    class Sneaky(int):
        def __str__(self) -> str:
            return "1 OR 1=1"

    assert sql_literal(Sneaky(5)) == "5"


def test_render_sql_replaces_placeholders_but_not_inside_strings_or_casts() -> None:
    sql = "SELECT a FROM t WHERE id IN :ids AND g = :gid AND note = ':gid' AND x::text = 'y' AND t = '10:30'"
    out = render_sql(sql, {"ids": [1, 2], "gid": "a'b"})
    assert out == (
        "SELECT a FROM t WHERE id IN (1, 2) AND g = 'a''b' AND note = ':gid' AND x::text = 'y' AND t = '10:30'"
    )


def test_render_sql_needs_every_parameter() -> None:
    with pytest.raises(ValueError, match=":obsid"):
        render_sql("SELECT * FROM target WHERE obsid = :obsid", {})


def test_native_values() -> None:
    assert native(Decimal("5")) == 5 and isinstance(native(Decimal("5")), int)
    assert native(Decimal("5.25")) == 5.25
    assert native(b"abc") == "abc"
    assert native(None) is None


# ---------------------------------------------------------------------------------------------------- SQLAlchemy


def test_sqlalchemy_source_returns_bare_names_nulls_and_counts(ocat_source: SqlAlchemySource) -> None:
    assert isinstance(ocat_source, OcatSource)
    rows = ocat_source.fetch(
        "SELECT target.obsid, target.pre_id, prop_info.title FROM target"
        " LEFT JOIN prop_info ON prop_info.ocat_propid = target.ocat_propid WHERE target.obsid IN :ids ORDER BY 1",
        {"ids": [1004, 1005, 99999]},
    )
    assert rows == [
        {"obsid": 1004, "pre_id": None, "title": "Monitoring the State Changes of Cyg X-1"},
        {"obsid": 1005, "pre_id": 1004, "title": "Monitoring the State Changes of Cyg X-1"},
    ]
    assert ocat_source.round_trips == 1
    assert ocat_source.fetch("SELECT obsid FROM target WHERE obsid IN :ids", {"ids": []}) == []
    assert ocat_source.round_trips == 2


def test_bound_strings_are_inert(ocat_source: SqlAlchemySource) -> None:
    rows = ocat_source.fetch("SELECT obsid FROM target WHERE group_id = :g", {"g": "x' OR '1'='1"})
    assert rows == [{"obsid": 1029}]
    assert ocat_source.fetch("SELECT obsid FROM target WHERE group_id = :g", {"g": "' OR 1=1 --"}) == []


def test_the_sqlite_mirror_is_opened_read_only(ocat_source: SqlAlchemySource) -> None:
    with pytest.raises(OcatUnavailable) as info:
        ocat_source.fetch("DELETE FROM target WHERE obsid = :o", {"o": 12345})
    assert "readonly" in info.value.detail
    assert ocat_source.fetch("SELECT obsid FROM target WHERE obsid = :o", {"o": 12345}) == [{"obsid": 12345}]


def test_sql_errors_become_ocat_unavailable(ocat_source: SqlAlchemySource) -> None:
    with pytest.raises(OcatUnavailable, match="cannot be read"):
        ocat_source.fetch("SELECT nope FROM nowhere", {})


def test_missing_sqlite_file_is_unavailable_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(OcatUnavailable, match="does not exist") as info:
        make_source(str(path)).fetch("SELECT 1", {})
    assert not path.exists()
    assert str(tmp_path) not in info.value.user_message, "users (the editor's toast) never see the mirror's path"
    assert str(path) in info.value.detail, "the log and admins do"


def test_unreachable_server_is_unavailable_quickly() -> None:
    source = make_source("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=2.0)
    start = time.monotonic()
    with pytest.raises(OcatUnavailable) as info:
        source.fetch("SELECT 1", {})
    assert time.monotonic() - start < 5
    assert not any(word in info.value.user_message for word in ("127.0.0.1", "port 1", "nobody")), info.value
    assert "127.0.0.1" in info.value.detail


def test_sybase_url_without_the_dialect_says_what_to_install() -> None:
    if importlib.util.find_spec("sqlalchemy_sybase") is not None:
        pytest.skip("sqlalchemy-sybase is installed here")
    with pytest.raises(OcatUnavailable, match="requirements-sybase.txt|driver|pyodbc"):
        make_source("sybase+pyodbc://user:pw@ocatdsn").fetch("SELECT 1", {})


def test_make_source_picks_the_backend(tmp_path: Path, demo_ocat_url: str) -> None:
    assert isinstance(make_source(demo_ocat_url), SqlAlchemySource)
    assert isinstance(make_source(str(tmp_path / "x.db")), SqlAlchemySource)
    sqsh = make_source("sqsh://ocatsqlsrv/axafocat?user=mtaops_internal_web&authdir=/data/auth", timeout_s=3)
    assert isinstance(sqsh, SqshSource)
    assert (sqsh.server, sqsh.database, sqsh.user, sqsh.authdir, sqsh.timeout_s) == (
        "ocatsqlsrv",
        "axafocat",
        "mtaops_internal_web",
        "/data/auth",
        3,
    )
    bare = SqshSource.from_url("sqsh://")
    assert (bare.server, bare.database, bare.user, bare.authdir) == (
        "ocatsqlsrv",
        "axafocat",
        "mtaops_internal_web",
        None,
    )


# ---------------------------------------------------------------------------------------------------- sqsh


def test_sqsh_is_imported_only_when_used_and_missing_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "ska_dbi" not in sys.modules
    monkeypatch.setitem(sys.modules, "ska_dbi", None)
    source = SqshSource.from_url("sqsh://ocatsqlsrv/axafocat")
    with pytest.raises(OcatUnavailable, match="ska_dbi"):
        source.fetch("SELECT 1", {})


SQSH_SCRIPT = """#!/bin/sh
# A stand-in for sqsh.bin: `sqsh.bin -X -S server -U user -D database -m csv -C query`, as ska_dbi runs it.
echo $$ >> {dir}/pids
for arg; do query=$arg; done
printf '%s\\n' "$query" >> {dir}/queries
case "$(cat {dir}/behaviour)" in
  fail) echo "Msg 207, Level 16: Invalid column name 'nope'" >&2; exit 1;;
  slow) sleep 30 & echo $! >> {dir}/pids; wait;;
esac
echo 'obsid,seq_nbr,targname,ra,group_id'
echo '12345,500123,Cas A,350.85,'
echo '1007,101007,,10.5,G1007'
"""


class _StandInSqsh:
    """`ska_dbi.sqsh` as the tests stand it in: the real module's constants and `Sqsh` class, running a shell
    script in place of sqsh.bin (which prints CSV, fails, or sleeps with a child process)."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.kwargs: list[dict[str, Any]] = []
        script = folder / "sqsh.bin"
        script.write_text(SQSH_SCRIPT.format(dir=folder))
        script.chmod(0o755)
        self.behaviour = "ok"

    @property
    def behaviour(self) -> str:
        return (self.dir / "behaviour").read_text()

    @behaviour.setter
    def behaviour(self, value: str) -> None:
        (self.dir / "behaviour").write_text(value)

    @property
    def queries(self) -> list[str]:
        path = self.dir / "queries"
        return path.read_text().splitlines() if path.exists() else []

    @property
    def pids(self) -> list[int]:
        path = self.dir / "pids"
        return [int(x) for x in path.read_text().split()] if path.exists() else []

    def module(self) -> types.ModuleType:
        stand_in = self
        module = types.ModuleType("ska_dbi.sqsh")
        module.SYBASE = str(self.dir)  # type: ignore[attr-defined]
        module.LD_LIBRARY_PATH = str(self.dir)  # type: ignore[attr-defined]
        module.SQSH_BIN = str(self.dir / "sqsh.bin")  # type: ignore[attr-defined]

        class Sqsh:
            def __init__(self, server: str, user: str, database: str, authdir: str = "/default/auth") -> None:
                stand_in.kwargs.append(
                    {"server": server, "database": database, "user": user}
                    | ({"authdir": authdir} if authdir != "/default/auth" else {})
                )
                self.server, self.user, self.database = server, user, database
                self.sqshrc = Path(authdir) / f"sqsh-{server}-{database}-{user}"

            def fetch(self, query: str) -> list[str]:
                env = {"SYBASE": module.SYBASE, "LD_LIBRARY_PATH": module.LD_LIBRARY_PATH, "SQSHRC": str(self.sqshrc)}
                cmd = [
                    module.SQSH_BIN,
                    "-X",
                    "-S",
                    self.server,
                    "-U",
                    self.user,
                    "-D",
                    self.database,
                    "-m",
                    "csv",
                    "-C",
                    query,
                ]
                return subprocess.check_output(cmd, env=env).decode().splitlines()

            def fetchall(self, query: str) -> Any:
                return astropy_ascii.read(self.fetch(query), format="csv")

        module.Sqsh = Sqsh  # type: ignore[attr-defined]
        return module


def _running(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its parent to reap it has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.fixture
def fake_sqsh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[_StandInSqsh]:
    stand_in = _StandInSqsh(tmp_path)
    package = types.ModuleType("ska_dbi")
    module = stand_in.module()
    package.sqsh = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ska_dbi", package)
    monkeypatch.setitem(sys.modules, "ska_dbi.sqsh", module)
    yield stand_in
    for pid in stand_in.pids:  # a stand-in left running by a failing test
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def test_sqsh_source_renders_literals_and_converts_rows(fake_sqsh: _StandInSqsh) -> None:
    source = SqshSource.from_url("sqsh://ocatsqlsrv/axafocat?user=u&authdir=/auth")
    rows = source.fetch("SELECT * FROM target WHERE obsid IN :ids OR group_id = :g", {"ids": [12345, 1007], "g": "a'b"})
    assert fake_sqsh.queries == ["SELECT * FROM target WHERE obsid IN (12345, 1007) OR group_id = 'a''b'"]
    assert fake_sqsh.kwargs == [{"server": "ocatsqlsrv", "database": "axafocat", "user": "u", "authdir": "/auth"}]
    assert rows == [
        {"obsid": 12345, "seq_nbr": 500123, "targname": "Cas A", "ra": 350.85, "group_id": None},
        {"obsid": 1007, "seq_nbr": 101007, "targname": None, "ra": 10.5, "group_id": "G1007"},
    ]
    assert all(type(r["obsid"]) is int and type(r["ra"]) is float for r in rows)
    assert source.round_trips == 1


def test_sqsh_failures_and_timeouts_are_unavailable(fake_sqsh: _StandInSqsh) -> None:
    fake_sqsh.behaviour = "fail"
    with pytest.raises(OcatUnavailable, match="CalledProcessError"):
        SqshSource.from_url("sqsh://s/d").fetch("SELECT 1", {})
    fake_sqsh.behaviour = "slow"
    with pytest.raises(OcatUnavailable, match="did not answer within 0.5 s"):
        SqshSource.from_url("sqsh://s/d", timeout_s=0.5).fetch("SELECT 1", {})


def test_a_sqsh_read_that_times_out_ends_sqsh_and_its_children(fake_sqsh: _StandInSqsh) -> None:
    """The timed-out sqsh.bin and what it started (its process group) end; nothing keeps running."""
    fake_sqsh.behaviour = "slow"
    start = time.monotonic()
    with pytest.raises(OcatUnavailable, match="did not answer"):
        SqshSource.from_url("sqsh://s/d", timeout_s=1.0).fetch("SELECT 1", {})
    assert time.monotonic() - start < 3
    assert len(fake_sqsh.pids) == 2, "the stand-in and its sleeping child started"
    deadline = time.monotonic() + 2
    while any(map(_running, fake_sqsh.pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in fake_sqsh.pids if _running(pid)], "sqsh or its child still runs after the timeout"


def test_sqsh_refuses_unrenderable_parameters_before_running(fake_sqsh: _StandInSqsh) -> None:
    with pytest.raises(TypeError):
        SqshSource.from_url("sqsh://s/d").fetch("SELECT :x", {"x": object()})
    assert fake_sqsh.queries == []


def test_table_rows_of_a_header_only_table() -> None:
    table = astropy_ascii.read(["obsid,status"], format="csv")
    assert table_rows(table) == []
