"""Idempotency keys (`Idempotency-Key` header or `"token"`): a retry of the same request by the same user returns the
first result; the same key with another body is a 422 and writes nothing; keys are never cut, an over-long or
malformed one is a 400."""

from __future__ import annotations

from typing import Any

import pytest

from data.db import session_scope
from data.errors import ValidationFailed
from data.revisions import submission
from data.revisions.submission import MAX_TOKEN_CHARS, TokenReused
from data.users import get_user
from tests.data.test_submission import MAIN, NOW, count
from tests.security._helpers import OBSID, assert_refused, snapshot

URL = "/api/v1/revisions"
BODY = {"obsid": OBSID, "changes": {"y_det_offset": 1.25}}


def _post(client: Any, body: dict[str, Any], key: str | None = None, user: str = "demo") -> Any:
    headers = {"Remote-User": user}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(URL, json=body, headers=headers)


@pytest.mark.parametrize("how", ["header", "token"])
def test_a_retry_with_the_same_body_returns_the_first_result(client: Any, settings: dict[str, Any], how: str) -> None:
    body, key = (BODY, "retry-1") if how == "header" else ({**BODY, "token": "retry-1"}, None)
    first = _post(client, body, key)
    assert first.status_code == 201, first.get_json()
    before = snapshot(settings)
    again = _post(client, body, key)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["revisions"] == first.get_json()["revisions"]
    assert snapshot(settings) == before


@pytest.mark.parametrize(
    "other",
    [
        {**BODY, "changes": {"y_det_offset": 2.5}},
        {**BODY, "changes": {"z_det_offset": 1.25}},
        {**BODY, "obsid": 1001},
        {**BODY, "kind": "asis", "changes": {}},
        {**BODY, "extra_obsids": "12346"},
    ],
)
def test_the_same_key_with_another_body_is_422(client: Any, settings: dict[str, Any], other: dict[str, Any]) -> None:
    first = _post(client, BODY, "key-A")
    assert first.status_code == 201, first.get_json()
    before = snapshot(settings)
    body = assert_refused(_post(client, other, "key-A"), 422)
    assert "Idempotency-Key" in body["error"] and "another request" in body["error"], body
    assert snapshot(settings) == before


def test_a_key_is_bound_to_its_user(client: Any, settings: dict[str, Any]) -> None:
    first = _post(client, BODY, "shared-key", user="demo")
    second = _post(client, BODY, "shared-key", user="alice")
    assert first.status_code == second.status_code == 201, (first.get_json(), second.get_json())
    assert first.get_json()["revisions"] != second.get_json()["revisions"]


def test_long_keys_that_differ_late_do_not_collide(client: Any, settings: dict[str, Any]) -> None:
    prefix = "k" * 79
    first = _post(client, BODY, prefix + "1")
    second = _post(client, {**BODY, "changes": {"y_det_offset": 2.5}}, prefix + "2")
    assert first.status_code == second.status_code == 201, (first.get_json(), second.get_json())
    assert first.get_json()["revisions"] != second.get_json()["revisions"]


@pytest.mark.parametrize("key", ["k" * 81, "k" * 1000, "", " ", "bad key\twith tab", "naïve-é"])
@pytest.mark.parametrize("how", ["header", "token"])
def test_an_over_long_or_malformed_key_is_400(client: Any, settings: dict[str, Any], key: str, how: str) -> None:
    if how == "header" and key != key.encode("latin-1", "ignore").decode("latin-1"):
        pytest.skip("HTTP headers carry Latin-1 only")
    before = snapshot(settings)
    response = _post(client, BODY, key) if how == "header" else _post(client, {**BODY, "token": key})
    body = assert_refused(response, 400)
    assert "Idempotency-Key" in body["error"] or "token" in body.get("errors", {}), body
    assert snapshot(settings) == before


def test_a_token_that_is_not_text_is_400(client: Any, settings: dict[str, Any]) -> None:
    before = snapshot(settings)
    for token in (12345, ["a"], {"a": 1}, True):
        assert_refused(_post(client, {**BODY, "token": token}), 400)
    assert snapshot(settings) == before


# ------------------------------------------------------------------------------------------------ the service


def _submit(world: dict, sessions: Any, changes: dict[str, Any], token: str, username: str = "demo") -> Any:
    with session_scope(sessions) as s:
        ask = submission.SubmitRequest(MAIN, "norm", changes, "")
        return submission.submit(
            s, world["source"], ask, user=get_user(s, username), now=NOW, settings=world["settings"], token=token
        )


def test_the_service_refuses_a_token_reused_for_another_request(submit_world: dict, submit_sessions: Any) -> None:
    first = _submit(submit_world, submit_sessions, {"targname": "X"}, "t-1")
    assert _submit(submit_world, submit_sessions, {"targname": "X"}, "t-1").revisions == first.revisions
    with pytest.raises(TokenReused) as err:
        _submit(submit_world, submit_sessions, {"targname": "Y"}, "t-1")
    assert err.value.status == 422
    assert count(submit_sessions) == 1
    assert _submit(submit_world, submit_sessions, {"targname": "Y"}, "t-1", username="alice").revisions


def test_the_service_never_cuts_a_token(submit_world: dict, submit_sessions: Any) -> None:
    with pytest.raises(ValidationFailed):
        _submit(submit_world, submit_sessions, {"targname": "X"}, "k" * (MAX_TOKEN_CHARS + 1))
    assert count(submit_sessions) == 0
