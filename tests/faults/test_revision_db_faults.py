"""The revision DB locked or full: a clear 503 message (API and Dash toast), nothing half written.

Locked: another connection holds `BEGIN EXCLUSIVE` on the SQLite file while a submit runs (the test shortens the
app engine's busy timeout on its connections to 1 s, which is configuring the DB, not changing our code).
Full: SQLite with `PRAGMA max_page_count` pinned to the current size on the app's connections; PostgreSQL with a
trigger on `outbox` (the last table a submit writes) raising `disk_full` (SQLSTATE 53100) as a full disk does.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from tests.faults.conftest import assert_consistent, dash_call, fill_outbox, notice_text, table_counts

OBSID = 12345
CHANGE = {"obsid": OBSID, "changes": {"y_det_offset": 2.5}}


def _engine(app: Any) -> Any:
    return app.server.extensions["usint"].engine


def _on_connect(engine: Any, *pragmas: str) -> None:
    """Run `pragmas` on every new connection of the app's engine, and drop the pooled ones."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    engine.dispose()


@pytest.fixture
def sqlite_app(app: Any) -> Any:
    _on_connect(_engine(app), "PRAGMA busy_timeout=1000")
    return app


@pytest.fixture
def write_lock(settings: dict[str, Any]) -> Iterator[sqlite3.Connection]:
    """Another process-like connection holding the SQLite write lock until the test releases it."""
    holder = sqlite3.connect(Path(settings["instance_path"]) / "usint.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield holder
    finally:
        if holder.in_transaction:
            holder.rollback()
        holder.close()


def _assert_clear_503(response: Any) -> str:
    assert response.status_code == 503, (response.status_code, response.data[:500])
    message = response.get_json()["error"]
    assert "revision database" in message and "nothing was saved" in message.lower(), message
    return message


def test_locked_db_submit_is_503_and_nothing_partial(sqlite_app: Any, write_lock: sqlite3.Connection) -> None:
    client = sqlite_app.server.test_client()
    write_lock.rollback()
    before = table_counts(_engine(sqlite_app))
    write_lock.execute("BEGIN EXCLUSIVE")
    start = time.monotonic()
    response = client.post("/api/v1/revisions", json=CHANGE)
    assert time.monotonic() - start < 10
    assert "busy" in _assert_clear_503(response)
    write_lock.rollback()
    assert table_counts(_engine(sqlite_app)) == before
    assert_consistent(_engine(sqlite_app))
    again = client.post("/api/v1/revisions", json=CHANGE)
    assert again.status_code == 201, again.get_json()


def test_locked_db_signoff_is_503(sqlite_app: Any, write_lock: sqlite3.Connection) -> None:
    client = sqlite_app.server.test_client()
    write_lock.rollback()
    rows = client.get("/api/v1/status").get_json()
    target = next(r for r in rows if r["signoff"]["general"]["status"] == "Pending")
    write_lock.execute("BEGIN EXCLUSIVE")
    response = client.post("/api/v1/signoffs", json={"obsidrev": target["obsidrev"], "column": "general"})
    _assert_clear_503(response)
    write_lock.rollback()
    after = client.get(f"/api/v1/revisions/{target['obsidrev']}").get_json()
    assert after["signoff"]["general"]["status"] == "Pending"


def test_locked_db_in_a_callback_shows_a_clear_toast(sqlite_app: Any, write_lock: sqlite3.Connection) -> None:
    """The Dash funnel: a callback whose transaction cannot get the lock says so in the toast, in bounded time."""
    client = sqlite_app.server.test_client()
    response, took = dash_call(client, "_pages_content.children", {"_pages_location": f"/ocatdatapage/{OBSID}"})
    assert took < 10
    assert response.status_code == 200
    message = notice_text(response)
    assert message == "" or ("revision database is busy" in message and "Nothing was saved" in message), message


def test_full_sqlite_db_is_503_and_nothing_partial(app: Any) -> None:
    engine = _engine(app)
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
    before = table_counts(engine)
    _on_connect(engine, f"PRAGMA max_page_count={pages}")
    client = app.server.test_client()
    responses = [
        client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"remarks": "x" * 4000 + str(i)}})
        for i in range(3)
    ]
    assert any(r.status_code == 503 for r in responses), [r.status_code for r in responses]
    for response in responses:
        assert response.status_code in (201, 503), response.data[:300]
        if response.status_code == 503:
            assert "full" in _assert_clear_503(response)
    written = sum(r.status_code == 201 for r in responses)
    after = table_counts(engine)
    assert after["revisions"] == before["revisions"] + written
    assert_consistent(engine)


def test_full_postgres_db_is_503_and_nothing_partial(pg_app: Any) -> None:
    engine = _engine(pg_app)
    client = pg_app.server.test_client()
    assert client.post("/api/v1/revisions", json=CHANGE).status_code == 201
    fill_outbox(engine)
    before = table_counts(engine)
    response = client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 3.0}})
    assert "full" in _assert_clear_503(response)
    assert table_counts(engine) == before
    assert_consistent(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER outbox_full ON outbox"))
    again = client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 3.0}})
    assert again.status_code == 201
    assert again.get_json()["revisions"] == [f"{OBSID}.002"]
