"""Absurd sizes are refused with a message, never a 500, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from callbacks.express import finalize_list, preview_list
from data.errors import ValidationFailed
from tests.security._helpers import BIG, OBSID, assert_refused, snapshot

URL = "/api/v1/revisions"


@pytest.fixture
def app(shared_app: Any) -> Any:
    """Every request here is refused and writes nothing: one app for the module (tests/conftest.py `shared_app`);
    `settings` is its instance."""
    return shared_app


@pytest.fixture
def settings(shared_settings: Any) -> Any:
    return shared_settings


@pytest.fixture
def before(settings: dict[str, Any], client: Any) -> dict[str, Any]:
    return snapshot(settings)


@pytest.mark.parametrize("dry_run", [True, False])
def test_megabyte_remarks_are_refused(client: Any, settings: dict[str, Any], before: dict, dry_run: bool) -> None:
    for name in ("remarks", "comments"):
        response = client.post(URL, json={"obsid": OBSID, "changes": {name: "x" * 1_000_000}, "dry_run": dry_run})
        body = assert_refused(response, 400)
        assert name in body["errors"], body["errors"]
    assert snapshot(settings) == before


@pytest.mark.parametrize("extras", [" ".join(str(n) for n in range(1, 10_001)), "1-10000", list(range(1, 10_001))])
def test_ten_thousand_extra_obsids_are_refused(
    client: Any, settings: dict[str, Any], before: dict, extras: Any
) -> None:
    response = client.post(URL, json={"obsid": OBSID, "changes": {"y_det_offset": 1.0}, "extra_obsids": extras})
    body = assert_refused(response, 400)
    assert "Too many" in json.dumps(body), body["error"][:300]
    assert snapshot(settings) == before


@pytest.mark.parametrize("key", ["time_ranks", "roll_ranks", "window_ranks"])
def test_ten_thousand_ranked_rows_are_refused(client: Any, settings: dict[str, Any], before: dict, key: str) -> None:
    rows = [{"ordr": i + 1} for i in range(10_000)]
    response = client.post(URL, json={"obsid": OBSID, "changes": {key: rows}})
    body = assert_refused(response, 400)
    assert "at most" in body["error"], body["error"][:300]
    assert snapshot(settings) == before


@pytest.mark.parametrize("url", [URL, "/api/v1/signoffs", "/_dash-update-component"])
def test_ten_megabyte_body_is_413_json(app: Any, client: Any, settings: dict[str, Any], before: dict, url: str) -> None:
    assert app.server.config.get("MAX_CONTENT_LENGTH"), "the app limits request bodies"
    body = json.dumps({"obsid": OBSID, "changes": {"remarks": "x" * 10_000_000}})
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]
    assert snapshot(settings) == before


def test_fifty_digit_obsid_is_refused(client: Any, settings: dict[str, Any], before: dict) -> None:
    assert_refused(client.get(f"/api/v1/observations/{BIG}"), 400)
    assert_refused(client.post(URL, json={"obsid": int(BIG), "changes": {}}), 400)
    assert_refused(client.post(URL, json={"obsid": OBSID, "changes": {}, "extra_obsids": BIG}), 400)
    assert_refused(client.post("/api/v1/signoffs", json={"obsidrev": f"{BIG}.001", "column": "general"}), 400)
    assert snapshot(settings) == before


@pytest.mark.parametrize("text", [" ".join(str(n) for n in range(1, 10_001)), "1-10000", "1-" + BIG])
def test_express_list_of_ten_thousand_is_refused(app: Any, settings: dict[str, Any], before: dict, text: str) -> None:
    with app.server.test_request_context(headers={"Remote-User": "demo"}):
        _view, stored, feedback, hidden, _result = preview_list(1, text)
        assert stored is None and hidden is True
        assert "Too many" in feedback or "at most" in feedback, feedback
        with pytest.raises(ValidationFailed):
            finalize_list(1, {"obsids": list(range(1, 10_001))})
    assert snapshot(settings) == before
