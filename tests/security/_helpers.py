"""Shared tools of the hostile-input tests: DB snapshots, identity headers, Dash callback POSTs."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

OBSID = 12345
BIG = "9" * 50
INJECTIONS = (
    "1; DROP TABLE revisions; --",
    "12345' OR '1'='1",
    "12345 OR 1=1",
    "'; DELETE FROM signoffs; --",
    '" OR ""="',
    "12345) UNION SELECT username, groups FROM users --",
    "%' --",
    "\\'; DROP TABLE users; --",
    "12345\x00",
)
USERS = ("demo", "alice", "bob", "carol", "dave", "erin", "frank", "mallory", None)
"""Demo admin, alice usint, bob arcops, carol acis, dave hrc, erin too, frank inactive, unregistered, anonymous."""


def db_file(settings: dict[str, Any]) -> Path:
    return Path(settings["instance_path"]) / "usint.db"


def ocat_file(settings: dict[str, Any]) -> Path:
    return Path(settings["instance_path"]) / "ocat_demo.db"


def snapshot(settings: dict[str, Any]) -> dict[str, Any]:
    """Every table's row count, a checksum of the sign-offs, the users and the schedule, and the outbox size."""
    with sqlite3.connect(db_file(settings)) as conn:
        tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))
        out: dict[str, Any] = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        for table in ("signoffs", "users", "schedules", "revisions"):
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
            out[f"{table}#sha"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    with sqlite3.connect(ocat_file(settings)) as conn:
        tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))
        out["ocat"] = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return out


def outbox_bodies(settings: dict[str, Any]) -> list[tuple[str, str]]:
    with sqlite3.connect(db_file(settings)) as conn:
        return conn.execute("SELECT subject, body FROM outbox ORDER BY id").fetchall()


def who(user: str | None, header: str = "Remote-User") -> dict[str, str]:
    return {header: user} if user else {}


def assert_refused(response: Any, *codes: int) -> dict[str, Any]:
    """A 4xx JSON answer with an error message (never a 500)."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code in (codes or range(400, 500)), (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert isinstance(body, dict) and body.get("error"), body
    return body


# ------------------------------------------------------------------------------------------------ Dash callbacks


def dependency(client: Any, first_input: str) -> dict[str, Any]:
    """The callback whose first Input is the component id `first_input`."""
    deps = client.get("/_dash-dependencies").get_json()
    found = [
        d for d in deps if d["inputs"] and d["inputs"][0]["id"] == first_input and not d.get("clientside_function")
    ]
    assert len(found) == 1, [d["output"] for d in found]
    return found[0]


def _outputs(spec: str) -> list[dict[str, str]]:
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    out = []
    for part in parts:
        cid, prop = part.rsplit(".", 1)
        out.append([] if cid.startswith("{") else {"id": cid, "property": prop})  # wildcard: no components
    return out


def dash_post(
    client: Any,
    first_input: str,
    inputs: dict[str, Any],
    state: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST /_dash-update-component for the callback whose first Input is `first_input`.

    `inputs`/`state` map "id.property" to values (missing ones are None); the first key of `inputs` is the trigger.
    """
    dep = dependency(client, first_input)
    state = state or {}

    def items(specs: list[dict[str, str]], values: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[Any] = []
        for s in specs:
            key = json.loads(s["id"])["type"] if s["id"].startswith("{") else s["id"]
            value = values.get(f"{key}.{s['property']}")
            if s["id"].startswith("{"):  # a wildcard: the list of {id, property, value} the renderer sends
                out.append(value or [])
            else:
                out.append({"id": s["id"], "property": s["property"], "value": value})
        return out

    outputs = _outputs(dep["output"])
    payload = {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": items(dep["inputs"], inputs),
        "state": items(dep["state"], state),
        "changedPropIds": [next(iter(inputs))],
    }
    return client.post("/_dash-update-component", json=payload, headers=headers or {})
