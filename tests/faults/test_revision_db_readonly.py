"""The revision DB read-only or full: a clear 503 naming the cause, `/healthz` says "degraded", and the app
recovers without a restart once the DB takes writes again.

Read-only SQLite: the file made immutable (`chattr +i`, as root) or mode 0444 (as another user), and the pool's
connections dropped, as when a worker starts or reconnects meanwhile: SQLite then opens the file read-only, and such
a connection stays read-only after the file is writable again. Read-only PostgreSQL: `ALTER DATABASE ... SET
default_transaction_read_only` (sessions keep it for their life). Full: SQLite's `max_page_count` pinned at the
current size on the app's connections; PostgreSQL: a trigger on `outbox` raising `disk_full`, as in
test_revision_db_faults.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from tests.faults.conftest import assert_consistent, fill_outbox, table_counts

OBSID = 12345
ADMIN = {"Remote-User": "demo"}


def _engine(app: Any) -> Any:
    return app.server.extensions["usint"].engine


def _submit(client: Any, offset: float) -> Any:
    return client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": offset}})


def _assert_read_only_503(response: Any) -> None:
    assert response.status_code == 503, (response.status_code, response.data[:500])
    message = response.get_json()["error"]
    assert "revision database is read-only" in message and "Nothing was saved" in message, message


def _degraded(client: Any, word: str) -> dict[str, Any]:
    response = client.get("/healthz", headers=ADMIN)
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "degraded", body
    assert body["revision_db"] == "degraded" and body["ocat"] == "ok", body
    assert word in body["details"]["revision_db"], body
    anonymous = client.get("/healthz", headers={"Remote-User": "alice"}).get_json()
    assert anonymous == {"status": "degraded", "revision_db": "degraded", "ocat": "ok"}
    return body


@contextmanager
def _read_only_file(path: Path) -> Iterator[None]:
    """`path` cannot be opened for writing, even by root; writable again on exit."""
    root = os.geteuid() == 0
    if root:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("cannot make a file immutable here (chattr)")
    else:
        path.chmod(0o444)
    try:
        try:
            os.close(os.open(path, os.O_RDWR))
        except OSError:
            pass
        else:
            pytest.skip("the file stays writable here")
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)


def test_read_only_sqlite_file_is_503_degraded_and_recovers_without_restart(app: Any, settings: dict[str, Any]) -> None:
    client = app.server.test_client()
    engine = _engine(app)
    assert _submit(client, 2.5).status_code == 201
    assert client.get("/healthz").status_code == 200
    # the worker's mail sender is done with that submit (a connection it holds while the pool is dropped could
    # hand its writable file descriptor on to the next connection: SQLite reuses them within a process)
    assert app.server.extensions["usint"].mail.wait_idle(10)
    before = table_counts(engine)
    with _read_only_file(Path(settings["instance_path"]) / "usint.db"):
        engine.dispose()  # a worker (re)starting, or its pool reconnecting, while the file is read-only
        _assert_read_only_503(_submit(client, 3.5))
        _degraded(client, "read-only")
        assert table_counts(engine) == before
    # writable again: no restart, the next requests write
    response = _submit(client, 4.5)
    assert response.status_code == 201, response.get_json()
    assert client.get("/healthz").get_json()["status"] == "ok"
    assert table_counts(engine)["revisions"] == before["revisions"] + 1
    assert_consistent(engine)


def test_read_only_after_the_health_probe_alone_recovers(app: Any, settings: dict[str, Any]) -> None:
    """A probe that found the file read-only drops those connections too: the next write succeeds."""
    client = app.server.test_client()
    with _read_only_file(Path(settings["instance_path"]) / "usint.db"):
        _engine(app).dispose()
        _degraded(client, "read-only")
    assert client.get("/healthz").status_code == 200
    assert _submit(client, 5.5).status_code == 201


def test_full_sqlite_db_makes_healthz_degraded(app: Any) -> None:
    engine = _engine(app)
    client = app.server.test_client()
    assert client.get("/healthz").status_code == 200
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    @event.listens_for(engine, "connect")
    def _pin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    engine.dispose()
    for i in range(3):  # fill the free pages, if any, until a write is refused
        client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"remarks": "x" * 4000 + str(i)}})
    _degraded(client, "full")


# ------------------------------------------------------------------------------------------------ PostgreSQL


def _as_admin(url: str, sql: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def test_read_only_postgres_is_503_degraded_and_recovers(pg_app: Any, pg_database: str) -> None:
    client = pg_app.server.test_client()
    assert _submit(client, 2.5).status_code == 201  # the pool now holds writable sessions
    name = make_url(pg_database).database
    _as_admin(pg_database, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    _engine(pg_app).dispose()  # the next sessions start read-only (a failover to a standby looks the same)
    _assert_read_only_503(_submit(client, 3.5))
    _degraded(client, "read-only")
    _as_admin(pg_database, f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
    response = _submit(client, 4.5)  # pooled sessions are still read-only: they must have been dropped
    assert response.status_code == 201, response.get_json()
    assert client.get("/healthz").status_code == 200


def test_full_postgres_makes_healthz_degraded_until_a_write_succeeds(pg_app: Any) -> None:
    engine = _engine(pg_app)
    client = pg_app.server.test_client()
    fill_outbox(engine)
    assert _submit(client, 3.0).status_code == 503
    _degraded(client, "full")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER outbox_full ON outbox"))
    assert _submit(client, 3.0).status_code == 201
    assert client.get("/healthz").status_code == 200
