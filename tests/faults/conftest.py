"""Helpers of the fault tests: calling a Dash callback the way the browser does, PostgreSQL databases, row checks."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from dashboard import create_app
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.revisions import seed_users
from tests.fixtures.revdb import PG_ENV, create_pg_database, drop_pg_database


def _outputs(spec: str) -> list[Any]:
    """The `outputs` list of a callback request for the multi-output `spec` (wildcard outputs: no components)."""
    out: list[Any] = []
    for part in spec.strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        if ident.startswith("{"):
            parsed = json.loads(ident)
            if any(isinstance(v, list) for v in parsed.values()):
                out.append([])
                continue
            ident = parsed
        out.append({"id": ident, "property": prop})
    return out


def dash_call(client: Any, output_contains: str, inputs: dict[str, Any]) -> tuple[Any, float]:
    """POST /_dash-update-component for the callback whose output names `output_contains`; (response, seconds)."""
    deps = client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if output_contains in d["output"])
    body = {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": [{**i, "value": inputs[i["id"]]} for i in dep["inputs"]],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"]],
        "state": [],
    }
    start = time.monotonic()
    response = client.post("/_dash-update-component", json=body)
    return response, time.monotonic() - start


def notice_text(response: Any) -> str:
    """The shell notice (the error funnel's toast) a callback response sets, or ''."""
    if response.status_code == 204:
        return ""
    body = response.get_json() or {}
    side = body.get("sideUpdate") or {}
    notice = side.get("shell-notice") or {}
    return str(notice.get("children") or "")


@pytest.fixture
def pg_database() -> Iterator[str]:
    """An empty PostgreSQL database (skipped without USINT_TEST_DATABASE_URL), dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    url = create_pg_database(base, prefix="usint_fault")
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def pg_app(settings: dict[str, Any], pg_database: str) -> Any:
    """The app on a PostgreSQL revision DB with the demo users."""
    settings["database_url"] = pg_database
    app = create_app(settings)
    engine = make_engine(pg_database)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            seed_users(session)
    finally:
        engine.dispose()
    return app


def fill_outbox(engine: Any) -> None:
    """Make every `outbox` insert of a PostgreSQL revision DB fail as a full disk does (SQLSTATE disk_full)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION outbox_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$"
            )
        )
        conn.execute(
            text("CREATE TRIGGER outbox_full BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_full()")
        )


# ------------------------------------------------------------------------------------------- revision DB checks

TABLES = ("revisions", "signoffs", "originals", "requests", "events", "outbox")


def table_counts(engine: Any) -> dict[str, int]:
    """Rows per table of the revision DB."""
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}  # noqa: S608


def orphans(engine: Any) -> dict[str, int]:
    """Rows that point at no revision, and revisions without their sign-off row or submit event (all should be 0)."""
    rev_text = {
        "sqlite": "r.obsid || '.' || printf('%03d', r.revision_number)",
        "postgresql": "r.obsid::text || '.' || lpad(r.revision_number::text, 3, '0')",
    }[engine.dialect.name]
    checks = {
        "signoffs without revision": "SELECT COUNT(*) FROM signoffs s LEFT JOIN revisions r ON r.id = s.revision_id"
        " WHERE r.id IS NULL",
        "originals without revision": "SELECT COUNT(*) FROM originals o LEFT JOIN revisions r ON r.id = o.revision_id"
        " WHERE r.id IS NULL",
        "requests without revision": "SELECT COUNT(*) FROM requests q LEFT JOIN revisions r ON r.id = q.revision_id"
        " WHERE r.id IS NULL",
        "revisions without one signoff row": "SELECT COUNT(*) FROM revisions r WHERE"
        " (SELECT COUNT(*) FROM signoffs s WHERE s.revision_id = r.id) <> 1",
        "submit events without revision": "SELECT COUNT(*) FROM events e WHERE e.action = 'submit' AND NOT EXISTS"
        f" (SELECT 1 FROM revisions r WHERE {rev_text} = e.target)",
        "outbox rows of a missing revision": "SELECT COUNT(*) FROM outbox m WHERE m.obsidrevs IS NOT NULL"
        " AND m.obsidrevs NOT LIKE '%,%' AND NOT EXISTS"
        f" (SELECT 1 FROM revisions r WHERE {rev_text} = m.obsidrevs)",
    }
    with engine.connect() as conn:
        return {name: conn.execute(text(sql)).scalar_one() for name, sql in checks.items()}


def assert_consistent(engine: Any) -> None:
    found = orphans(engine)
    assert not any(found.values()), found
