"""JSON the app refuses at the door, with a 400 and a message, on every database: NaN and Infinity (only an
explicit null clears a value), NUL characters and lone surrogates in text, and absurdly deep nesting. The same
rules hold for the API and for Dash's callback POSTs."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from dashboard import create_app
from data.demo.revisions import seed_users
from tests.fixtures.revdb import BACKENDS, PG_ENV, create_pg_database, drop_pg_database
from tests.security._helpers import OBSID, assert_refused, dash_post

URL = "/api/v1/revisions"


@pytest.fixture
def client(shared_client: Any) -> Any:
    """The tests that take `client` are refused or dry runs: one app for the module (tests/conftest.py `shared_app`)."""
    return shared_client


@pytest.fixture(scope="module", params=BACKENDS)
def db_client(request: pytest.FixtureRequest, shared_settings: Any, shared_app: Any) -> Iterator[Any]:
    """A client of the app on the demo instance's SQLite revision DB, or on an empty PostgreSQL one with the demo
    users (when USINT_TEST_DATABASE_URL is set). One per backend for the module: its tests count revisions before
    and after, and write only their own."""
    if request.param == "sqlite":
        yield shared_app.server.test_client()
        return
    url = create_pg_database(os.environ[PG_ENV], prefix="usint_input")
    app = create_app({**shared_settings, "database_url": url})
    resources = app.server.extensions["usint"]
    with resources.sessions.begin() as session:
        seed_users(session)
    try:
        yield app.server.test_client()
    finally:
        resources.engine.dispose()
        drop_pg_database(url)


def _revisions(client: Any) -> int:
    return len(client.get(f"/api/v1/revisions?obsid={OBSID}").get_json())


def _post(client: Any, text: str, url: str = URL) -> Any:
    return client.post(url, data=text, content_type="application/json")


# ------------------------------------------------------------------------------------------------ NaN, Infinity


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_nan_and_infinity_are_refused(db_client: Any, constant: str, dry_run: str) -> None:
    before = _revisions(db_client)
    body = assert_refused(
        _post(db_client, f'{{"obsid": {OBSID}, "changes": {{"y_det_offset": {constant}}}, "dry_run": {dry_run}}}'), 400
    )
    assert "null" in body["error"], body
    assert _revisions(db_client) == before


def test_only_an_explicit_null_clears_a_value(db_client: Any) -> None:
    before = _revisions(db_client)
    response = db_client.post(URL, json={"obsid": OBSID, "changes": {"y_det_offset": None}})
    assert response.status_code in (201, 400), response.get_json()  # cleared, or refused by the validator
    if response.status_code == 201:
        assert _revisions(db_client) == before + 1


# ------------------------------------------------------------------------------------------------ NUL, surrogates

BAD_TEXT = {
    "nul": '"remarks: \\u0000 end"',
    "nul-alone": '"\\u0000"',
    "lone-high-surrogate": '"x \\ud800 y"',
    "lone-low-surrogate": '"x \\udc00 y"',
    "reversed-pair": '"\\udc00\\ud800"',
}


@pytest.mark.parametrize("text", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize("dry_run", ["true", "false"])
def test_nul_and_lone_surrogates_in_text_are_refused(db_client: Any, text: str, dry_run: str) -> None:
    before = _revisions(db_client)
    for changes in (f'{{"remarks": {text}}}', f'{{"comments": {text}}}', f"{{{text}: 1}}"):
        body = f'{{"obsid": {OBSID}, "changes": {changes}, "dry_run": {dry_run}}}'
        assert_refused(_post(db_client, body), 400)
    assert_refused(_post(db_client, f'{{"obsid": {OBSID}, "changes": {{}}, "token": {text}}}'), 400)
    assert_refused(
        db_client.post(
            "/api/v1/signoffs", json={"obsidrev": "1.001", "column": "general", "expected": json.loads(text)}
        ),
        400,
    )
    assert _revisions(db_client) == before


def test_raw_utf8_surrogates_are_refused(db_client: Any) -> None:
    """A surrogate encoded straight into the UTF-8 bytes (invalid UTF-8) is refused as well."""
    data = f'{{"obsid": {OBSID}, "changes": {{"remarks": "x '.encode() + b"\xed\xa0\x80" + b' y"}}'
    assert_refused(db_client.post(URL, data=data, content_type="application/json"), 400)


def test_a_valid_surrogate_pair_is_text(db_client: Any) -> None:
    response = db_client.post(URL, json={"obsid": OBSID, "changes": {"remarks": "Crab 🦀 nebula"}, "dry_run": True})
    assert response.status_code == 200, response.get_json()


def test_dash_callbacks_refuse_nul_surrogates_and_nan(db_client: Any) -> None:
    for value in ("12345\x00", "12345\ud800"):
        response = dash_post(db_client, "history-obsid", {"history-obsid.data": value})
        assert_refused(response, 400)
    deps = db_client.get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["inputs"] and d["inputs"][0]["id"] == "history-obsid")
    forged = json.dumps(
        {
            "output": dep["output"],
            "outputs": [],
            "changedPropIds": ["history-obsid.data"],
            "inputs": [{"id": "history-obsid", "property": "data", "value": float("nan")}],
        }
    )
    assert "NaN" in forged
    assert_refused(_post(db_client, forged, "/_dash-update-component"), 400)


# ------------------------------------------------------------------------------------------------ nesting


@pytest.mark.parametrize("url", [URL, "/api/v1/signoffs", "/_dash-update-component"])
@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deep_nesting_is_refused(client: Any, url: str, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    body = assert_refused(_post(client, opener * 100_000 + "1" + closer * 100_000, url), 400)
    assert "deep" in body["error"], body


def test_brackets_inside_text_are_not_nesting(client: Any) -> None:
    remarks = "[" * 5_000 + '{"' + "\\" + '"' + "}" * 10
    response = client.post(URL, json={"obsid": OBSID, "changes": {"remarks": remarks}, "dry_run": True})
    assert response.status_code in (200, 400), response.get_json()
    assert "deep" not in response.get_json().get("error", ""), response.get_json()


def test_ordinary_nesting_passes(client: Any) -> None:
    """The deepest real body, the editor's forged-or-real finalize with ranked rows, is far below the limit."""
    record = client.get(f"/api/v1/observations/{OBSID}").get_json()
    rows = [{"ordr": 1, "start": "2027-01-01T00:00:00", "stop": "2027-01-02T00:00:00", "window_constraint": "Y"}]
    response = client.post(
        URL, json={"obsid": OBSID, "changes": {"window_ranks": rows}, "dry_run": True, "loaded": record}
    )
    assert response.status_code in (200, 400), response.get_json()
    assert "deep" not in response.get_json().get("error", "")
    assert "loaded" not in response.get_json().get("errors", {}), response.get_json()


@pytest.mark.parametrize(
    "loaded",
    [
        {"parameters": {}, "ranks": {"window": [[[[[]]]]]}},
        {"parameters": {}, "ranks": {"window": [1]}},
        {"parameters": {}, "ranks": {"window": 5}},
        {"parameters": {"remarks": [1]}},
        {"parameters": {"y_det_offset": {"a": 1}}},
        {"y_det_offset": [1.0]},
        {"window_ranks": [{"start": {"nested": 1}}]},
    ],
)
def test_a_loaded_record_of_the_wrong_shape_is_400(client: Any, loaded: dict[str, Any]) -> None:
    body = {"obsid": OBSID, "changes": {"y_det_offset": 1.0}, "dry_run": True, "loaded": loaded}
    assert "loaded" in assert_refused(client.post(URL, json=body), 400)["errors"]
