"""SQL injection attempts in every field that reaches a query, through the API and the Dash callbacks.

Each answer is a 4xx with a message or inert handling, never a 500, and the databases are unchanged.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from callbacks.board import run_action
from callbacks.express import finalize_list, preview_list
from callbacks.rm_submission import confirm_undo
from data.errors import UsintError
from tests.security._helpers import BIG, INJECTIONS, OBSID, assert_refused, dash_post, snapshot, who


@pytest.fixture
def app(shared_app: Any) -> Any:
    """Every request here is refused or inert and writes nothing: one app for the module (tests/conftest.py
    `shared_app`); `settings` is its instance."""
    return shared_app


@pytest.fixture
def settings(shared_settings: Any) -> Any:
    return shared_settings


@pytest.fixture
def before(settings: dict[str, Any], client: Any) -> dict[str, Any]:
    return snapshot(settings)


def _never_500(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:400]


@pytest.mark.parametrize("bad", [*INJECTIONS, BIG, "-1", "0", "1e5", "0x3039"])
def test_api_obsid_fields_refuse_injection(client: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    path = quote(bad, safe="")
    for url in (
        f"/api/v1/observations/{path}",
        f"/api/v1/revisions?obsid={path}",
        f"/api/v1/revisions/{path}",
        f"/api/v1/revisions/{path}.001",
        f"/api/v1/revisions/{OBSID}.{path}",
    ):
        response = client.get(url)
        _never_500(response)
        if "?obsid=" in url and response.status_code == 200:  # a well-formed obsid with no revisions
            assert response.get_json() == []
            continue
        assert response.status_code in (400, 404), (url, response.status_code)
        assert response.get_json()["error"]
    for body in ({"obsid": bad, "changes": {}, "dry_run": True}, {"obsid": bad, "changes": {}}):
        assert_refused(client.post("/api/v1/revisions", json=body), 400, 404)
    body = {"obsidrev": bad, "column": "general", "action": "sign", "expected": "Pending"}
    assert_refused(client.post("/api/v1/signoffs", json=body), 400, 404)
    body = {"obsidrev": f"{bad}.001", "column": "general"}
    assert_refused(client.post("/api/v1/signoffs", json=body), 400, 404)
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", [*INJECTIONS, f"{BIG}", f"1-{BIG}", "12346, 12350-12352; DROP TABLE revisions"])
def test_api_extra_obsids_refuse_injection(client: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    for dry in (True, False):
        response = client.post(
            "/api/v1/revisions",
            json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}, "extra_obsids": bad, "dry_run": dry},
        )
        body = assert_refused(response, 400)
        assert "extra_obsids" in body["errors"] or "obsids" in body["errors"], body
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", INJECTIONS)
def test_api_other_fields_are_inert(client: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    # Sign-off column, action and expected state, change names and values, kind: refused, nothing written.
    for body in (
        {"obsidrev": "20104.002", "column": bad, "action": "sign", "expected": "Pending"},
        {"obsidrev": "20104.002", "column": "general", "action": bad},
        {"obsidrev": "20104.002", "column": "general", "action": "sign", "expected": bad},
    ):
        response = client.post("/api/v1/signoffs", json=body)
        _never_500(response)
        assert 400 <= response.status_code < 500, response.get_json()
    for body in (
        {"obsid": OBSID, "kind": bad, "changes": {}},
        {"obsid": OBSID, "changes": {bad: 1}},
        {"obsid": OBSID, "changes": {"targname": bad}, "dry_run": True},
        {"obsid": OBSID, "changes": {"remarks": bad}, "dry_run": True},
        {"obsid": OBSID, "changes": {"instrument": bad}},
    ):
        response = client.post("/api/v1/revisions", json=body)
        _never_500(response)
        assert response.status_code in (200, 400), response.get_json()
    for query in (f"start={quote(bad)}", f"stop={quote(bad)}", f"start=2026-01-01&stop={quote(bad)}"):
        for url in ("/api/v1/schedule", "/api/v1/schedule.ics"):
            response = client.get(f"{url}?{query}")
            _never_500(response)
    for url in ("/api/v1/status", "/api/v1/status.csv", "/api/v1/approved"):
        response = client.get(f"{url}?state={quote(bad)}&user={quote(bad)}&column={quote(bad)}")
        assert response.status_code == 200
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", INJECTIONS)
def test_identity_header_injection_is_an_unknown_user(
    client: Any, settings: dict[str, Any], before: dict, bad: str
) -> None:
    header = bad.replace("\x00", "")
    response = client.get("/api/v1/status", headers=who(header))
    assert response.status_code == 200
    response = client.post(
        "/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}}, headers=who(header)
    )
    body = assert_refused(response, 403)
    assert "not registered" in body["error"]
    body = assert_refused(
        client.post("/api/v1/signoffs", json={"obsidrev": "20104.002", "column": "general"}, headers=who(header)), 403
    )
    for page in ("/", "/orupdate", "/rm_submission", "/scheduler"):
        assert client.get(page, headers=who(header)).status_code == 200
    assert snapshot(settings) == before


# ------------------------------------------------------------------------------------------------ Dash callbacks


@pytest.mark.parametrize("bad", [*INJECTIONS, BIG, f"{BIG}-{BIG}"])
def test_express_callbacks_refuse_injection(app: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    with app.server.test_request_context(headers={"Remote-User": "demo"}):
        view, stored, feedback, hidden, _result = preview_list(1, bad)
        assert stored is None and hidden is True
        assert feedback, "a message says what is wrong"
        with pytest.raises(Exception) as err:  # noqa: PT011 - any refusal but never a write
            finalize_list(1, {"obsids": [bad]})
        assert isinstance(err.value, ValueError | TypeError) or getattr(err.value, "status", 500) < 500, err.value
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", [*INJECTIONS, BIG, f"{BIG}.001", f"20104.{BIG}"])
def test_board_and_undo_callbacks_refuse_injection(app: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    with app.server.test_request_context(headers={"Remote-User": "demo"}):
        for action in (
            {"obsidrev": bad, "column": "general", "action": "sign", "expected": "Pending"},
            {"obsidrev": "20104.002", "column": bad, "action": "sign", "expected": "Pending"},
            {"obsidrev": "20104.002", "column": "general", "action": bad, "expected": "Pending"},
            {"obsidrev": "20104.002", "column": "general", "action": "sign", "expected": bad},
        ):
            try:
                alert, is_open, _tick = run_action(1, action)
            except UsintError as err:  # shown by the app's on_error funnel
                assert err.status < 500 and err.user_message
            else:
                assert is_open is False and alert.children
        for target in ({"obsidrev": bad, "column": "general"}, {"obsidrev": "20104.002", "column": bad}):
            try:
                message, is_open, _tick, _target = confirm_undo(1, target, 0)
            except UsintError as err:
                assert err.status < 500 and err.user_message
            else:
                assert is_open is False and message.children
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", [*INJECTIONS, BIG])
def test_page_callbacks_with_hostile_obsids_answer(
    client: Any, settings: dict[str, Any], before: dict, bad: str
) -> None:
    """Deep links and the quick jump: the load callbacks answer with a message, never a server error."""
    calls = [
        ("_pages_location", {"_pages_location.pathname": f"/ocatdatapage/{bad}"}, {}),  # the editor's page
        ("check-obsidrev", {"check-obsidrev.data": bad}, {}),
        ("check-obsidrev", {"check-obsidrev.data": f"{bad}.001"}, {}),
        ("history-obsid", {"history-obsid.data": bad}, {}),
        ("editor-prompt-go", {"editor-prompt-go.n_clicks": 1}, {"editor-prompt-input.value": bad}),
        ("shell-jump-go", {"shell-jump-go.n_clicks": 1}, {"shell-jump-input.value": bad}),
        ("express-preview-button", {"express-preview-button.n_clicks": 1}, {"express-input.value": bad}),
    ]
    deps = {d["inputs"][0]["id"] for d in client.get("/_dash-dependencies").get_json() if d["inputs"]}
    ran = 0
    for first, inputs, state in calls:
        if first not in deps:
            continue
        response = dash_post(client, first, inputs, state)
        if "\x00" in bad:  # refused at the door (tests/security/test_json_input.py)
            assert response.status_code == 400 and "NUL" in response.get_json()["error"], response.get_data()
            ran += 1
            continue
        assert response.status_code in (200, 204), (first, response.status_code, response.get_data(as_text=True)[:300])
        assert "Unexpected error" not in response.get_data(as_text=True), (first, response.get_data(as_text=True)[:300])
        ran += 1
    assert ran >= 3
    for page in (
        f"/ocatdatapage/{quote(bad, safe='')}",
        f"/history/{quote(bad, safe='')}",
        f"/chkupdata/{quote(bad, safe='')}.001",
    ):
        _never_500(client.get(page))
    assert snapshot(settings) == before


@pytest.mark.parametrize("bad", [*INJECTIONS, BIG, "2026-13-45", "99999-01-01"])
def test_scheduler_callback_refuses_injection(client: Any, settings: dict[str, Any], before: dict, bad: str) -> None:
    first = "scheduler-sign-up"
    for inputs, state in (
        ({"scheduler-sign-up.n_clicks": 1}, {"scheduler-select.value": bad, "scheduler-version.data": 0}),
        (
            {"scheduler-assign.n_clicks": 1},
            {"scheduler-select.value": 1, "scheduler-assign-user.value": bad, "scheduler-version.data": 0},
        ),
        (
            {"scheduler-change.n_clicks": 1},
            {
                "scheduler-select.value": 1,
                "scheduler-start.value": bad,
                "scheduler-stop.value": "2026-12-01",
                "scheduler-version.data": 0,
            },
        ),
        (
            {"scheduler-change.n_clicks": 1},
            {
                "scheduler-select.value": 1,
                "scheduler-start.value": "2026-12-01",
                "scheduler-stop.value": bad,
                "scheduler-version.data": 0,
            },
        ),
        (
            {"scheduler-confirm-yes.n_clicks": 1},
            {"scheduler-pending.data": {"action": "delete", "period": bad}, "scheduler-version.data": 0},
        ),
    ):
        response = dash_post(client, first, inputs, state, headers={"Remote-User": "demo"})
        text = response.get_data(as_text=True)
        if "\x00" in bad:  # refused at the door (tests/security/test_json_input.py)
            assert response.status_code == 400 and "NUL" in response.get_json()["error"], text[:300]
            continue
        assert response.status_code in (200, 204), text[:300]
        assert "Unexpected error" not in text, text[:400]
    after = snapshot(settings)
    assert after == before
