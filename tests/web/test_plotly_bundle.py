"""The plotly.js URL of `dcc.Graph` answers with the vendored basic bundle (web/plotly_bundle.py): the same plotly.js
version as the plotly package, its recorded sha256, gzipped once and revalidated by ETag."""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

import pytest
from plotly.offline import get_plotlyjs_version

from web.plotly_bundle import BUNDLE, SHA256, VERSION

URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"


@pytest.fixture
def client(shared_client: Any) -> Any:
    """These tests only read: one app for the module (tests/conftest.py `shared_app`)."""
    return shared_client


def test_the_vendored_bundle_is_the_plotly_js_version_of_the_plotly_package() -> None:
    assert VERSION == get_plotlyjs_version()
    assert BUNDLE.name == f"plotly-basic-{VERSION}.min.js"


def test_the_vendored_bundle_matches_its_recorded_sha256() -> None:
    assert hashlib.sha256(BUNDLE.read_bytes()).hexdigest() == SHA256


def test_the_plotly_url_serves_the_basic_bundle(client: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.data.startswith(f"/**\n* plotly.js (basic - minified) v{VERSION}\n".encode())
    assert hashlib.sha256(response.data).hexdigest() == SHA256
    assert len(response.data) < 1.5e6  # the full bundle is 4.8 MB


def test_the_bundle_goes_out_gzipped_when_accepted(client: Any) -> None:
    response = client.get(URL, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < 500_000
    assert gzip.decompress(response.data) == BUNDLE.read_bytes()


def test_a_browser_holding_the_bundle_gets_304(client: Any) -> None:
    first = client.get(URL)
    assert first.headers["ETag"] == f'"{SHA256}"'
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_other_component_suites_are_still_dash_s(client: Any) -> None:
    response = client.get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert response.status_code == 200
    assert b"plotly.js (basic" not in response.data
