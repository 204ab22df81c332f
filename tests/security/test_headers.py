"""Clickjacking and friends: every response forbids framing by other sites, sniffing and cross-site referrers,
and carries a Content-Security-Policy that allows only this site's scripts (inline ones by hash)."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest

from tests.security._helpers import OBSID

PATHS = (
    "/",
    "/orupdate",
    f"/ocatdatapage/{OBSID}",
    "/scheduler",
    "/analytics",
    "/nowhere",
    "/healthz",
    "/api/v1/status",
    "/api/v1/status.csv",
    "/api/v1/nowhere",
    "/_dash-layout",
    "/_dash-dependencies",
    "/assets/usint.css",
)


@pytest.fixture
def client(shared_client: Any) -> Any:
    """These tests only read: one app for the module (tests/conftest.py `shared_app`)."""
    return shared_client


def _policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    out = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", PATHS)
def test_every_response_refuses_framing_and_sniffing(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.headers.get("X-Frame-Options") == "DENY", (path, dict(response.headers))
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    policy = _policy(response)
    assert policy.get("frame-ancestors") == ["'none'"], policy
    assert policy.get("default-src") == ["'self'"], policy
    assert policy.get("object-src") == ["'none'"], policy
    assert "'unsafe-inline'" not in policy.get("script-src", []), policy
    assert "'unsafe-eval'" not in policy.get("script-src", []), policy


def test_errors_and_refusals_carry_the_headers_too(client: Any) -> None:
    for response in (
        client.post("/api/v1/revisions", json={"obsid": OBSID}, headers={"Origin": "http://evil.example"}),
        client.post("/api/v1/revisions", data="{", content_type="application/json"),
        client.get("/_dash-component-suites/nothing/here.js"),
    ):
        assert response.status_code >= 400
        assert response.headers.get("X-Frame-Options") == "DENY"
        assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")


def test_every_inline_script_of_the_page_is_allowed_by_hash(client: Any) -> None:
    """The page's inline scripts (the renderer, clientside callbacks) run under the policy; nothing else inline."""
    response = client.get(f"/ocatdatapage/{OBSID}")
    html = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)  # IE-only scripts never run
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, flags=re.S)
    scripts = [body for attrs, body in inline if "application/json" not in attrs]
    assert len(scripts) >= 2, "the renderer and at least one clientside callback are inline"
    allowed = set(_policy(response)["script-src"])
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, body[:200]
