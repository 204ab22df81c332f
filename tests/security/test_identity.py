"""Identity and permissions (D14) on the server: the header is honoured only as configured, no one acts as someone
else, and every action checks the acting user's groups through the API and through the callbacks.

Users: demo (usint:too:admin), alice (usint), bob (arcops), carol (acis), dave (hrc), erin (too), frank (inactive
usint), mallory (not registered) and anonymous (no header; no development user in this module).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from gunicorn.config import Config

from callbacks.board import run_action
from callbacks.express import finalize_list, preview_list
from callbacks.rm_submission import confirm_undo
from dashboard import create_app
from data.errors import Forbidden
from tests.security._helpers import OBSID, USERS, dash_post, db_file, ocat_file, snapshot, who

ALLOWED = {
    "submit": {"demo", "alice"},
    "general": {"demo", "alice", "bob"},
    "acis": {"demo", "alice", "carol"},
    "acis_si": {"demo", "alice", "carol"},
    "hrc_si": {"demo", "alice", "dave"},
    "usint": {"demo", "alice"},
    "approve": {"demo", "alice"},
    "discard": {"demo", "alice"},
    "schedule": {"demo", "alice", "erin"},
}
SIGN_COLUMNS = ("general", "acis", "acis_si", "hrc_si")
BOARD_ACTIONS = (*SIGN_COLUMNS, "usint", "approve", "discard")


@pytest.fixture
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """No development user: a request without the header is anonymous."""
    settings["dev_user"] = None
    return settings


def _status(client: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/status", headers=who("demo")).get_json()


def target_for(client: Any, action: str) -> dict[str, Any]:
    """A board action on a revision where it is possible: (obsidrev, column, action, expected)."""
    rows = [r for r in _status(client) if r["state"] == "open"]
    if action in SIGN_COLUMNS:
        row = next((r for r in rows if r["signoff"][action]["status"] == "Pending"), None)
        if row is None:  # the demo data has no pending HRC SI column: an SI mode change on HRC obsid 1001 makes one
            response = client.post(
                "/api/v1/revisions",
                json={"obsid": 1001, "changes": {"hrc_si_mode": "LETG_HRC-S2"}},
                headers=who("demo"),
            )
            assert response.status_code == 201, response.get_json()
            obsidrev = response.get_json()["revisions"][0]
            row = next(r for r in _status(client) if r["obsidrev"] == obsidrev)
            assert row["signoff"][action]["status"] == "Pending", row
        return {"obsidrev": row["obsidrev"], "column": action, "action": "sign", "expected": "Pending"}
    ready = [
        r
        for r in rows
        if r["signoff"]["usint"]["status"] == "Pending"
        and all(r["signoff"][c]["status"] != "Pending" for c in SIGN_COLUMNS)
    ]
    if action == "usint":
        row = ready[0]
        return {"obsidrev": row["obsidrev"], "column": "usint", "action": "sign", "expected": "Pending"}
    if action == "approve":
        row = next(r for r in ready if not r["approved"])
        return {"obsidrev": row["obsidrev"], "column": "usint", "action": "approve", "expected": "Pending"}
    row = rows[0]
    return {
        "obsidrev": row["obsidrev"],
        "column": "usint",
        "action": "discard",
        "expected": row["signoff"]["usint"]["status"],
    }


def signoff_user(settings: dict[str, Any], obsidrev: str, column: str) -> str | None:
    obsid, rev = (int(x) for x in obsidrev.split("."))
    with sqlite3.connect(db_file(settings)) as conn:
        row = conn.execute(
            f"SELECT u.username FROM signoffs s JOIN revisions r ON r.id = s.revision_id "
            f"LEFT JOIN users u ON u.id = s.{column}_signoff_id WHERE r.obsid = ? AND r.revision_number = ?",
            (obsid, rev),
        ).fetchone()
    return row[0] if row else None


# ------------------------------------------------------------------------------------------------ the header


def test_other_header_names_are_ignored_by_default(client: Any, settings: dict[str, Any]) -> None:
    before = snapshot(settings)
    for header in ("X-Remote-User", "X-Forwarded-User", "X-User", "Authorization", "Remote-User-Name"):
        response = client.post(
            "/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}}, headers={header: "demo"}
        )
        assert response.status_code == 403, (header, response.get_json())
        assert "Sign in" in response.get_json()["error"]
    assert snapshot(settings) == before
    response = client.post(
        "/api/v1/revisions",
        json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}, "dry_run": True},
        headers={"Remote-User": "demo"},
    )
    assert response.status_code == 200, response.get_json()


def test_underscore_spelling_is_dropped_by_gunicorn() -> None:
    """WSGI maps `Remote_User` and `Remote-User` to the same HTTP_REMOTE_USER; gunicorn drops the underscore
    spelling (header_map "drop"), so a client cannot slip past a front server that only strips `Remote-User`."""
    conf = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    assert "header_map" not in conf.read_text() or '"drop"' in conf.read_text()
    assert Config().header_map == "drop"


def test_configured_header_replaces_remote_user(settings: dict[str, Any]) -> None:
    settings["auth_header"] = "X-Forwarded-User"
    client = create_app(settings).server.test_client()
    before = snapshot(settings)
    body = {"obsid": OBSID, "changes": {"y_det_offset": 1.5}}
    response = client.post("/api/v1/revisions", json=body, headers={"Remote-User": "demo"})
    assert response.status_code == 403, response.get_json()
    assert snapshot(settings) == before
    response = client.post("/api/v1/revisions", json=body, headers={"X-Forwarded-User": "alice"})
    assert response.status_code == 201, response.get_json()
    obsidrev = response.get_json()["revisions"][0]
    assert client.get(f"/api/v1/revisions/{obsidrev}").get_json()["user"] == "alice"


def test_body_fields_cannot_change_who_acts(client: Any, settings: dict[str, Any]) -> None:
    before = snapshot(settings)
    for field in ("user", "username", "identity", "submitter", "Remote-User"):
        body = {"obsid": OBSID, "changes": {"y_det_offset": 1.5}, field: "demo"}
        response = client.post("/api/v1/revisions", json=body, headers=who("bob"))
        assert response.status_code == 403, response.get_json()
    assert snapshot(settings) == before
    response = client.post(
        "/api/v1/revisions",
        json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}, "user": "demo"},
        headers=who("alice"),
    )
    assert response.status_code == 201
    obsidrev = response.get_json()["revisions"][0]
    assert client.get(f"/api/v1/revisions/{obsidrev}").get_json()["user"] == "alice"
    action = target_for(client, "general")
    response = client.post("/api/v1/signoffs", json={**action, "user": "demo"}, headers=who("alice"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["signoff"]["general"]["user"] == "alice"
    assert signoff_user(settings, action["obsidrev"], "general") == "alice"


# ------------------------------------------------------------------------------------------------ the API


@pytest.mark.parametrize("user", USERS)
def test_api_submit_permission(client: Any, settings: dict[str, Any], user: str | None) -> None:
    before = snapshot(settings)
    response = client.post(
        "/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}}, headers=who(user)
    )
    if user in ALLOWED["submit"]:
        assert response.status_code == 201, response.get_json()
        assert client.get(f"/api/v1/revisions/{response.get_json()['revisions'][0]}").get_json()["user"] == user
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]
        assert snapshot(settings) == before


@pytest.mark.parametrize("action", BOARD_ACTIONS)
@pytest.mark.parametrize("user", USERS)
def test_api_signoff_permission(client: Any, settings: dict[str, Any], user: str | None, action: str) -> None:
    body = target_for(client, action)
    before = snapshot(settings)
    response = client.post("/api/v1/signoffs", json=body, headers=who(user))
    if user in ALLOWED[action]:
        assert response.status_code == 200, response.get_json()
        assert snapshot(settings)["signoffs#sha"] != before["signoffs#sha"]
        if body["action"] == "sign":
            assert signoff_user(settings, body["obsidrev"], body["column"]) == user
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]
        assert snapshot(settings) == before


# ------------------------------------------------------------------------------------------------ the callbacks


@pytest.mark.parametrize("action", BOARD_ACTIONS)
@pytest.mark.parametrize("user", USERS)
def test_board_callback_permission(
    app: Any, client: Any, settings: dict[str, Any], user: str | None, action: str
) -> None:
    body = target_for(client, action)
    before = snapshot(settings)
    with app.server.test_request_context(headers=who(user)):
        alert, is_open, _tick = run_action(1, body)
    assert is_open is False
    if user in ALLOWED[action]:
        assert "alert-success" in alert.className, alert.children
        assert snapshot(settings)["signoffs#sha"] != before["signoffs#sha"]
    else:
        assert "alert-warning" in alert.className and alert.children
        assert snapshot(settings) == before


def _approvable(app: Any, settings: dict[str, Any]) -> list[int]:
    with sqlite3.connect(ocat_file(settings)) as conn:
        obsids = [r[0] for r in conn.execute("SELECT obsid FROM target ORDER BY obsid LIMIT 200")]
    with app.server.test_request_context(headers=who("demo")):
        _view, stored, _feedback, _hidden, _result = preview_list(1, " ".join(map(str, obsids)))
    assert stored and stored["obsids"], "the demo Ocat has approvable obsids"
    return stored["obsids"][:1]


@pytest.mark.parametrize("user", USERS)
def test_express_finalize_permission(app: Any, settings: dict[str, Any], user: str | None) -> None:
    obsids = _approvable(app, settings)
    before = snapshot(settings)
    with app.server.test_request_context(headers=who(user)):
        _view, stored, _feedback, hidden, _result = preview_list(1, str(obsids[0]))
        assert (stored is not None and not hidden) == (user in ALLOWED["approve"])
        if user in ALLOWED["approve"]:
            result, *_ = finalize_list(1, {"obsids": obsids})
            assert "Approved 1 observation" in str(result)
        else:
            with pytest.raises(Forbidden):  # a forged store: refused on the server, shown by the on_error funnel
                finalize_list(1, {"obsids": obsids})
    if user in ALLOWED["approve"]:
        assert snapshot(settings)["revisions"] == before["revisions"] + 1
    else:
        assert snapshot(settings) == before


def _open_period(client: Any) -> int:
    periods = client.get("/api/v1/schedule").get_json()
    today = date.today().isoformat()
    return next(p["id"] for p in periods if p["user"] is None and p["start"] > today)


@pytest.mark.parametrize("user", USERS)
def test_scheduler_permission(client: Any, settings: dict[str, Any], user: str | None) -> None:
    period = _open_period(client)
    before = snapshot(settings)
    assign = ({"scheduler-assign.n_clicks": 1}, {"scheduler-assign-user.value": "erin"})
    actions = (
        assign,
        ({"scheduler-sign-up.n_clicks": 1}, {}),
        ({"scheduler-split.n_clicks": 1}, {}),
        (
            {"scheduler-change.n_clicks": 1},
            {"scheduler-start.value": "2027-01-04", "scheduler-stop.value": "2027-01-06"},
        ),
        ({"scheduler-confirm-yes.n_clicks": 1}, {"scheduler-pending.data": {"action": "unassign", "period": 1}}),
        ({"scheduler-confirm-yes.n_clicks": 1}, {"scheduler-pending.data": {"action": "delete", "period": period}}),
        ({"scheduler-extend.n_clicks": 1}, {}),
    )
    for inputs, state in actions if user not in ALLOWED["schedule"] else (assign,):
        state = {"scheduler-select.value": period, "scheduler-version.data": 0, **state}
        response = dash_post(client, "scheduler-sign-up", inputs, state, headers=who(user))
        text = response.get_data(as_text=True)
        assert response.status_code == 200, text[:300]
        assert "Unexpected error" not in text, text[:300]
        if user in ALLOWED["schedule"]:
            assert snapshot(settings)["schedules#sha"] != before["schedules#sha"], text[:300]
        else:
            assert snapshot(settings) == before, (inputs, text[:300])


@pytest.mark.parametrize("user", USERS)
def test_undo_only_own_signoff(app: Any, client: Any, settings: dict[str, Any], user: str | None) -> None:
    body = target_for(client, "general")
    assert client.post("/api/v1/signoffs", json=body, headers=who("bob")).status_code == 200
    before = snapshot(settings)
    with app.server.test_request_context(headers=who(user)):
        message, _open, _tick, _target = confirm_undo(1, {"obsidrev": body["obsidrev"], "column": "general"}, 0)
    if user == "bob":
        assert message.color == "success", message.children
        assert signoff_user(settings, body["obsidrev"], "general") is None
        return
    assert message.color == "danger", message.children
    assert snapshot(settings) == before
    with app.server.test_request_context(headers=who("bob")):
        message, *_ = confirm_undo(1, {"obsidrev": body["obsidrev"], "column": "general"}, 0)
    assert message.color == "success", message.children
    assert signoff_user(settings, body["obsidrev"], "general") is None


@pytest.mark.parametrize("user", USERS)
def test_editor_finalize_permission(client: Any, settings: dict[str, Any], user: str | None) -> None:
    """The editor's Finalize callback (forged POST): only submitters write a revision."""
    record = client.get(f"/api/v1/observations/{OBSID}").get_json()
    flat = dict(record["parameters"])
    before = snapshot(settings)
    response = dash_post(
        client,
        "editor-finalize",
        {"editor-finalize.n_clicks": 1},
        {
            "editor-kind.value": "norm",
            "editor-extras.value": "",
            "editor-record.data": {**flat, "obsid": OBSID},
            "editor-field.value": [
                {"id": {"name": "y_det_offset", "type": "editor-field"}, "property": "value", "value": 1.25}
            ],
        },
        headers=who(user),
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200, text[:300]
    if user in ALLOWED["submit"]:
        assert snapshot(settings)["revisions"] == before["revisions"] + 1, text[:500]
    else:
        assert "Unexpected error" not in text, text[:300]
        assert snapshot(settings) == before
