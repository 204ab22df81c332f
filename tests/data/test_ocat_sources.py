"""Ocat sources: bind parameters, row shape, errors as OcatUnavailable, the sqsh literal renderer."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import types
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
    with pytest.raises(OcatUnavailable, match="readonly|read-only"):
        ocat_source.fetch("DELETE FROM target WHERE obsid = :o", {"o": 12345})
    assert ocat_source.fetch("SELECT obsid FROM target WHERE obsid = :o", {"o": 12345}) == [{"obsid": 12345}]


def test_sql_errors_become_ocat_unavailable(ocat_source: SqlAlchemySource) -> None:
    with pytest.raises(OcatUnavailable, match="cannot be read"):
        ocat_source.fetch("SELECT nope FROM nowhere", {})


def test_missing_sqlite_file_is_unavailable_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(OcatUnavailable, match="does not exist"):
        make_source(str(path)).fetch("SELECT 1", {})
    assert not path.exists()


def test_unreachable_server_is_unavailable_quickly() -> None:
    source = make_source("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=2.0)
    start = time.monotonic()
    with pytest.raises(OcatUnavailable):
        source.fetch("SELECT 1", {})
    assert time.monotonic() - start < 5


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
        "ocatsqlsrv", "axafocat", "mtaops_internal_web", "/data/auth", 3
    )  # fmt: skip
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


class _FakeSqsh:
    queries: list[str] = []
    kwargs: list[dict[str, Any]] = []
    behaviour: str = "ok"

    def __init__(self, **kwargs: Any) -> None:
        type(self).kwargs.append(kwargs)

    def fetchall(self, query: str) -> Any:
        type(self).queries.append(query)
        if self.behaviour == "fail":
            raise subprocess.CalledProcessError(1, ["sqsh.bin"])
        if self.behaviour == "slow":
            time.sleep(1.0)
        lines = ["obsid,seq_nbr,targname,ra,group_id", "12345,500123,Cas A,350.85,", "1007,101007,,10.5,G1007"]
        return astropy_ascii.read(lines, format="csv")


@pytest.fixture
def fake_sqsh(monkeypatch: pytest.MonkeyPatch) -> type[_FakeSqsh]:
    _FakeSqsh.queries, _FakeSqsh.kwargs, _FakeSqsh.behaviour = [], [], "ok"
    package = types.ModuleType("ska_dbi")
    module = types.ModuleType("ska_dbi.sqsh")
    module.Sqsh = _FakeSqsh  # type: ignore[attr-defined]
    package.sqsh = module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ska_dbi", package)
    monkeypatch.setitem(sys.modules, "ska_dbi.sqsh", module)
    return _FakeSqsh


def test_sqsh_source_renders_literals_and_converts_rows(fake_sqsh: type[_FakeSqsh]) -> None:
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


def test_sqsh_failures_and_timeouts_are_unavailable(fake_sqsh: type[_FakeSqsh]) -> None:
    fake_sqsh.behaviour = "fail"
    with pytest.raises(OcatUnavailable, match="CalledProcessError"):
        SqshSource.from_url("sqsh://s/d").fetch("SELECT 1", {})
    fake_sqsh.behaviour = "slow"
    with pytest.raises(OcatUnavailable, match="did not answer within 0.2 s"):
        SqshSource.from_url("sqsh://s/d", timeout_s=0.2).fetch("SELECT 1", {})


def test_sqsh_refuses_unrenderable_parameters_before_running(fake_sqsh: type[_FakeSqsh]) -> None:
    with pytest.raises(TypeError):
        SqshSource.from_url("sqsh://s/d").fetch("SELECT :x", {"x": object()})
    assert fake_sqsh.queries == []


def test_table_rows_of_a_header_only_table() -> None:
    table = astropy_ascii.read(["obsid,status"], format="csv")
    assert table_rows(table) == []
