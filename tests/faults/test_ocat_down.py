"""The Ocat unreachable or slow: pages say so within a bounded time, nothing hangs, board and check pages keep
working from the revision DB, /healthz answers 503 naming the Ocat.

Three real faults: the demo Ocat SQLite file held under an exclusive lock by another connection (reads wait and
time out), a PostgreSQL URL on a closed port, and (with USINT_TEST_DATABASE_URL) a PostgreSQL Ocat whose `target`
view sleeps in every statement, so the source's statement timeout cancels it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from callbacks.board import build_board
from callbacks.chkupdata import load_check
from dashboard import create_app
from data.demo.ocat import build_demo_ocat
from tests.faults.conftest import dash_call

TIMEOUT_S = 1.0
BOUND_S = 2 * TIMEOUT_S + 1.0  # twice the source timeout, plus the app's own work on a slow test machine
OBSID = 12345


def _slow_postgres(url: str, obs_ss: Path) -> None:
    """The demo Ocat in PostgreSQL, with `target` turned into a view that sleeps 30 s in every statement."""
    build_demo_ocat(url, observations=40)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE target RENAME TO target_data"))
            conn.execute(
                text(
                    "CREATE FUNCTION target_rows() RETURNS SETOF target_data LANGUAGE plpgsql AS "
                    "$$ BEGIN PERFORM pg_sleep(30); RETURN QUERY SELECT * FROM target_data; END $$"
                )
            )
            conn.execute(text("CREATE VIEW target AS SELECT * FROM target_rows()"))
    finally:
        engine.dispose()


@pytest.fixture(params=["locked-sqlite", "closed-port", "slow-postgres"])
def ocat_fault(request: pytest.FixtureRequest, settings: dict[str, Any]) -> Iterator[str]:
    """Settings whose Ocat is down in one real way, with a 1 s source timeout; yields the fault's name."""
    settings["ocat_timeout_s"] = TIMEOUT_S
    holder = None
    if request.param == "locked-sqlite":
        holder = sqlite3.connect(Path(settings["instance_path"]) / "ocat_demo.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
    elif request.param == "closed-port":
        settings["ocat_url"] = "postgresql+psycopg://postgres@127.0.0.1:1/x"
    else:
        url = request.getfixturevalue("pg_database")
        _slow_postgres(url, Path(settings["instance_path"]) / "obs_ss")
        settings["ocat_url"] = url
    try:
        yield request.param
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()


@pytest.fixture
def down_app(ocat_fault: str, settings: dict[str, Any]) -> Any:
    return create_app(settings)


def timed(call: Any) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_healthz_is_503_naming_the_ocat(down_app: Any) -> None:
    client = down_app.server.test_client()
    response, took = timed(lambda: client.get("/healthz"))
    assert took < BOUND_S
    assert response.status_code == 503
    body = response.get_json()
    assert body["revision_db"] == "ok"
    assert body["ocat"] == "error" and "Ocat" in body["details"]["ocat"], body  # demo is an admin: details


def test_observation_api_is_503_with_a_clear_message(down_app: Any) -> None:
    client = down_app.server.test_client()
    response, took = timed(lambda: client.get(f"/api/v1/observations/{OBSID}"))
    assert took < BOUND_S
    assert response.status_code == 503
    assert "Ocat" in response.get_json()["error"]


def test_editor_shows_the_ocat_banner_in_bounded_time(down_app: Any) -> None:
    """The editor's page (built in the Dash Pages request) says the Ocat cannot be read where the form would be."""
    client = down_app.server.test_client()
    response, took = dash_call(client, "_pages_content.children", {"_pages_location": f"/ocatdatapage/{OBSID}"})
    assert took < BOUND_S
    assert response.status_code == 200, response.data[:500]
    page = response.get_data(as_text=True)
    assert "editor-form" not in page, page[:500]
    assert "The Ocat cannot" in page or "unavailable" in page, page[:500]


def test_submit_is_refused_with_503_and_writes_nothing(down_app: Any) -> None:
    client = down_app.server.test_client()
    before = len(client.get(f"/api/v1/revisions?obsid={OBSID}").get_json())
    response, took = timed(
        lambda: client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 2.5}})
    )
    assert took < BOUND_S
    assert response.status_code == 503 and "Ocat" in response.get_json()["error"]
    assert len(client.get(f"/api/v1/revisions?obsid={OBSID}").get_json()) == before


def test_board_and_check_pages_work_from_the_revision_db(down_app: Any) -> None:
    client = down_app.server.test_client()
    response, took = timed(lambda: client.get("/api/v1/status"))
    assert took < BOUND_S and response.status_code == 200
    assert response.get_json(), "the board API lists the demo revisions"
    first = client.get(f"/api/v1/revisions?obsid={OBSID}").get_json()[0]["obsidrev"]

    with down_app.server.test_request_context("/orupdate"):
        (rows, _store, _updated, _summary, notice), took = timed(
            lambda: build_board(kiosk=False, mine_first=False, since=None)
        )
    assert took < BOUND_S
    assert rows and "Ocat cannot be reached" in notice

    with down_app.server.test_request_context(f"/chkupdata/{first}"):
        (content, hidden, message), took = timed(lambda: load_check(first))
    assert took < BOUND_S
    assert hidden is True and message == ""
    shown = str(content)
    assert "Ocat cannot be reached" in shown and first in shown
