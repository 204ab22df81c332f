"""PostgreSQL: a table lock held elsewhere ends in a clear 503 "busy" answer, not a hung request."""

from __future__ import annotations

import os
import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dashboard import create_app
from data.db import make_engine, make_sessionmaker
from data.demo.revisions import seed_users
from tests.fixtures.revdb import create_pg_database, drop_pg_database

PG = os.environ.get("USINT_TEST_DATABASE_URL", "")


@pytest.fixture
def pg_app(settings: dict[str, Any]) -> Any:
    if not PG.startswith("postgresql"):
        pytest.skip("needs USINT_TEST_DATABASE_URL (PostgreSQL); CI sets it")
    db_url = create_pg_database(PG, prefix="usint_lock")
    app = create_app({**settings, "database_url": db_url})
    resources = app.server.extensions["usint"]
    # Make the test short: a 1 s lock timeout on the app's own engine (configuration, not a patch of our code).
    resources.engine.dispose()
    resources.engine = make_engine(db_url, connect_args={"options": "-c lock_timeout=1000"})
    resources.sessions = make_sessionmaker(resources.engine)
    with resources.sessions.begin() as session:
        seed_users(session)
    yield app, make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    resources.engine.dispose()
    drop_pg_database(db_url)


def test_a_locked_revisions_table_gives_a_busy_503_and_writes_nothing(pg_app: Any) -> None:
    app, dsn = pg_app
    client = app.server.test_client()
    before = len(client.get("/api/v1/revisions?obsid=12345").get_json())
    with psycopg.connect(dsn) as holder:
        holder.execute("LOCK TABLE revisions IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.post("/api/v1/revisions", json={"obsid": 12345, "changes": {"y_det_offset": 2.5}})
        took = time.monotonic() - started
        holder.rollback()
    assert took < 10
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "busy" in response.get_json()["error"] and "Nothing was saved" in response.get_json()["error"]
    assert len(client.get("/api/v1/revisions?obsid=12345").get_json()) == before
    assert client.post("/api/v1/revisions", json={"obsid": 12345, "changes": {"y_det_offset": 2.5}}).status_code == 201


def test_the_app_engine_on_postgresql_waits_for_a_lock_at_most_30_seconds() -> None:
    if not PG.startswith("postgresql"):
        pytest.skip("needs USINT_TEST_DATABASE_URL (PostgreSQL); CI sets it")
    engine = make_engine(PG)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "30s"
    finally:
        engine.dispose()
