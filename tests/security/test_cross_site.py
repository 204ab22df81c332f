"""Cross-site: the API refuses cross-origin and non-JSON writes; Dash's own POST refuses other origins; nothing
changes on a GET or HEAD of any link of any page or any API read (D15)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import dash
import plotly
import pytest

from dashboard import create_app
from tests.security._helpers import OBSID, dash_post, snapshot, who

EVIL = "http://evil.example"
WRITE = {"obsid": OBSID, "changes": {"y_det_offset": 1.5}}


def _signoff(client: Any) -> dict[str, Any]:
    rows = client.get("/api/v1/status").get_json()
    row = next(r for r in rows if r["state"] == "open" and r["signoff"]["general"]["status"] == "Pending")
    return {"obsidrev": row["obsidrev"], "column": "general", "action": "sign", "expected": "Pending"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Referer": EVIL + "/page"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "https://localhost:8443"},
    ],
)
def test_api_refuses_cross_origin_writes(client: Any, settings: dict[str, Any], headers: dict[str, str]) -> None:
    before = snapshot(settings)
    for url, body in (("/api/v1/revisions", WRITE), ("/api/v1/signoffs", _signoff(client))):
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 403, (url, response.get_json())
        assert "Cross-origin" in response.get_json()["error"]
    assert snapshot(settings) == before


def test_api_accepts_same_origin_writes(client: Any) -> None:
    response = client.post("/api/v1/revisions", json=WRITE, headers={"Origin": "http://localhost"})
    assert response.status_code == 201, response.get_json()
    response = client.post("/api/v1/signoffs", json=_signoff(client), headers={"Referer": "http://localhost/orupdate"})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "obsid=12345&changes=x"),
        ("text/plain", json.dumps(WRITE)),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="obsid"\r\n\r\n1\r\n--x--'),
        (None, json.dumps(WRITE)),
    ],
)
def test_api_refuses_non_json_bodies(
    client: Any, settings: dict[str, Any], content_type: str | None, data: str
) -> None:
    before = snapshot(settings)
    for url in ("/api/v1/revisions", "/api/v1/signoffs"):
        kwargs = {"content_type": content_type} if content_type else {}
        response = client.post(url, data=data, **kwargs)
        assert response.status_code == 415, (url, response.status_code, response.get_data(as_text=True)[:200])
        assert response.get_json()["error"]
    assert snapshot(settings) == before


def test_bad_json_is_400(client: Any) -> None:
    for data in ("{", "[1, 2]", '"text"', "null"):
        response = client.post("/api/v1/revisions", data=data, content_type="application/json")
        assert response.status_code == 400, (data, response.status_code)
        assert response.get_json()["error"]


# ------------------------------------------------------------------------------------------------ Dash's POST


def _board_confirm(client: Any, headers: dict[str, str]) -> Any:
    return dash_post(
        client,
        "board-confirm",
        {"board-confirm.n_clicks": 1},
        {"board-pending-action.data": _signoff(client)},
        headers=headers,
    )


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Origin": "null"}, {"Referer": EVIL + "/x"}, {"Origin": EVIL, "Referer": "http://localhost/"}],
)
def test_dash_callbacks_refuse_cross_site_posts(client: Any, settings: dict[str, Any], headers: dict[str, str]) -> None:
    before = snapshot(settings)
    response = _board_confirm(client, headers)
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    assert snapshot(settings) == before
    # A simple cross-site form post (no JSON content type) is refused the same way.
    response = client.post("/_dash-update-component", data="a=1", content_type="text/plain", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost"},
        {"Referer": "http://localhost/orupdate"},
        {"Origin": "http://proxy.example", "X-Forwarded-Host": "proxy.example"},
    ],
)
def test_dash_callbacks_accept_same_origin_posts(
    client: Any, settings: dict[str, Any], headers: dict[str, str]
) -> None:
    before = snapshot(settings)
    response = _board_confirm(client, headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "alert-success" in response.get_data(as_text=True)
    assert snapshot(settings)["signoffs#sha"] != before["signoffs#sha"]


def test_configured_base_url_is_same_origin(settings: dict[str, Any]) -> None:
    settings["base_url"] = "https://usint.example.org/"
    client = create_app(settings).server.test_client()
    response = _board_confirm(client, {"Origin": "https://usint.example.org"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


# ------------------------------------------------------------------------------------------------ the crawler


def _hrefs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "href" and isinstance(value, str):
                out.add(value)
            else:
                _hrefs(value, out)
    elif isinstance(node, list):
        for item in node:
            _hrefs(item, out)
    elif isinstance(node, str):
        out.update(re.findall(r"\]\((/[^)\s]*)\)", node))  # markdown links


def _jsonable(layout: Any) -> Any:
    return json.loads(json.dumps(layout, cls=plotly.utils.PlotlyJSONEncoder))


def test_get_and_head_change_nothing(app: Any, client: Any, settings: dict[str, Any]) -> None:
    obsidrev = client.get("/api/v1/status").get_json()[0]["obsidrev"]
    fill = {"obsid": str(OBSID), "obsidrev": obsidrev, "path": "usint.css", "filename": "usint.css"}
    before = snapshot(settings)
    links: set[str] = {
        "/",
        "/orupdate?kiosk=1",
        "/nowhere",
        "/api/v1/nowhere",
        "/api/v1/schedule.ics",
        f"/api/v1/revisions?obsid={OBSID}",
        "/_dash-layout",
        "/_dash-dependencies",
    }
    # Every GET route of the server (API, health, Dash's own), with its variables filled.
    for rule in app.server.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: fill.get(m.group(1), str(OBSID)), rule.rule)
        links.add(path)
    # Every page of the registry, its layout built as a visit builds it, and every link of it.
    with app.server.test_request_context(headers=who("demo")):
        for page in dash.page_registry.values():
            path = page.get("path_template") or page["path"]
            path = re.sub(r"<([^>]+)>", lambda m: fill.get(m.group(1), str(OBSID)), path)
            links.add(path)
            layout = page["layout"]
            variables = {k: fill.get(k, str(OBSID)) for k in re.findall(r"<([^>]+)>", page.get("path_template") or "")}
            _hrefs(_jsonable(layout(**variables) if callable(layout) else layout), links)
    _hrefs(client.get("/_dash-layout", headers=who("demo")).get_json(), links)
    # The board's rows link to the check page and history of every listed revision.
    response = dash_post(client, "board-tick", {"board-tick.n_intervals": 0}, headers=who("demo"))
    _hrefs(response.get_json(), links)
    internal = sorted(link for link in links if link.startswith("/") and not link.startswith("//"))
    assert len(internal) > 20, internal
    seen = set()
    for link in internal:
        for method in ("GET", "HEAD"):
            for user in ("demo", "alice", None):
                response = client.open(link, method=method, headers=who(user))
                assert response.status_code < 500, (method, link, response.status_code)
                seen.add(link)
    assert snapshot(settings) == before, "a GET or HEAD changed the revision DB or the outbox"
    assert {"/orupdate", "/scheduler", "/rm_submission", "/express", "/api/v1/status"} <= seen


# ------------------------------------------------------------------------------------------------ one rule


@pytest.mark.parametrize(
    ("base_url", "headers"),
    [
        ("https://usint.example.org/", {"Origin": "https://usint.example.org"}),
        ("https://usint.example.org/", {"Referer": "https://usint.example.org/ocatdatapage/12345"}),
        ("http://127.0.0.1:8050", {"Origin": "http://proxy.example", "X-Forwarded-Host": "proxy.example"}),
    ],
)
def test_api_and_callbacks_share_one_same_origin_rule(
    settings: dict[str, Any], base_url: str, headers: dict[str, str]
) -> None:
    """Behind a proxy that rewrites Host, the browser's origin is the configured base URL (or the forwarded host):
    the API accepts writes from it exactly as Dash's callbacks do."""
    settings["base_url"] = base_url
    client = create_app(settings).server.test_client()
    response = client.post("/api/v1/revisions", json=WRITE, headers=headers)
    assert response.status_code == 201, response.get_json()
    response = client.post("/api/v1/signoffs", json=_signoff(client), headers=headers)
    assert response.status_code == 200, response.get_json()
    assert _board_confirm(client, headers).status_code == 200
    for evil in ({"Origin": EVIL}, {"Origin": EVIL, "X-Forwarded-Host": "proxy.example"}):
        assert client.post("/api/v1/revisions", json=WRITE, headers=evil).status_code == 403
        assert _board_confirm(client, evil).status_code == 403


def test_the_api_checks_permissions_with_data_users_can() -> None:
    """One permission check (issue #17): api/_common.py asks data.users, it has no group logic of its own."""
    source = (Path(__file__).resolve().parents[2] / "api" / "_common.py").read_text()
    assert "from data.users import" in source
    assert ".groups" not in source and "permissions.get(" not in source
    assert "urlparse" not in source, "the same-origin rule lives in web/routing.py only"
