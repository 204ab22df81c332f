"""Bytes on the wire: the page, Dash's layout and callback answers and the API come compressed when the browser
accepts it; static files keep long cache lifetimes (web/caching.py, `Dash(compress=True)`)."""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
from typing import Any

import pytest

from tests.factories import page_route_request

GZIP = {"Accept-Encoding": "gzip"}
CHROMIUM = {"Accept-Encoding": "gzip, deflate, br, zstd"}
YEAR_S = 365 * 24 * 3600


@pytest.fixture
def client(shared_client: Any) -> Any:
    """These tests only read: one app for the module (tests/conftest.py `shared_app`)."""
    return shared_client


def gzipped(client: Any, method: str, url: str, **kw: Any) -> tuple[bytes, bytes]:
    """The body sent with gzip accepted, and the plain body, after checking the first is gzip of the second."""
    packed = client.open(url, method=method, headers=GZIP, **kw)
    plain = client.open(url, method=method, **kw)
    assert packed.status_code == plain.status_code == 200, url
    assert packed.headers.get("Content-Encoding") == "gzip", url
    assert "Accept-Encoding" in packed.headers.get("Vary", ""), url
    assert "Content-Encoding" not in plain.headers, url
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    unpacked = gzip.decompress(packed.data)
    if url == "/_dash-update-component":
        # a page arrives with the time it was read (the board's "checked", the editor's loaded-at): the two
        # answers are the same page up to those few characters
        assert json.loads(unpacked).keys() == json.loads(plain.data).keys(), url
        assert abs(len(unpacked) - len(plain.data)) < 64, url
    else:
        assert unpacked == plain.data, url
    return packed.data, plain.data


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/", None),
        ("GET", "/_dash-layout", None),
        ("GET", "/_dash-dependencies", None),
        ("POST", "/_dash-update-component", page_route_request("/ocatdatapage/12345")),
        ("POST", "/_dash-update-component", page_route_request("/orupdate")),
        ("GET", "/api/v1/status", None),
        ("GET", "/api/v1/status.csv", None),
        ("GET", "/api/v1/observations/12345", None),
    ],
)
def test_answers_are_gzipped_when_accepted(client: Any, method: str, url: str, body: Any) -> None:
    packed, plain = gzipped(client, method, url, json=body)
    assert len(plain) > 2000, f"{url}: too small to tell ({len(plain)} B)"
    assert len(packed) < len(plain) / 2, f"{url}: {len(plain)} B -> {len(packed)} B"


def test_the_page_route_answer_is_still_dash_json(client: Any) -> None:
    packed = client.post("/_dash-update-component", json=page_route_request("/ocatdatapage/12345"), headers=GZIP)
    answer = json.loads(gzip.decompress(packed.data))
    assert "_pages_content" in answer["response"]


def test_small_answers_go_uncompressed(client: Any) -> None:
    answer = client.get("/healthz", headers=GZIP)
    assert answer.status_code == 200 and "Content-Encoding" not in answer.headers


def static_urls(client: Any) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/(?:assets|_dash-component-suites)/[^"]+)"', page)


def max_age(response: Any) -> int:
    return response.cache_control.max_age or 0


def test_dash_links_static_files_with_a_cache_buster_and_they_keep_a_year(client: Any) -> None:
    urls = static_urls(client)
    assets = [u for u in urls if u.startswith("/assets/")]
    suites = [u for u in urls if u.startswith("/_dash-component-suites/")]
    assert assets and suites
    for url in assets:
        assert "?m=" in url, url
        answer = client.get(url)
        assert answer.status_code == 200 and max_age(answer) >= YEAR_S, (url, answer.headers.get("Cache-Control"))
        assert not answer.cache_control.no_cache, url
    for url in suites:  # fingerprinted by Dash (.v4_1_0m<time>.js)
        answer = client.get(url)
        assert answer.status_code == 200 and max_age(answer) >= YEAR_S, (url, answer.headers.get("Cache-Control"))


def test_assets_without_the_cache_buster_revalidate(client: Any) -> None:
    """The error and help pages link /assets/ files without `?m=`: those must not be kept stale for a year."""
    answer = client.get("/assets/usint.css")
    assert answer.status_code == 200 and max_age(answer) < 3600
    assert answer.headers.get("ETag") or answer.headers.get("Last-Modified")


def test_static_files_are_compressed_for_chromium(client: Any) -> None:
    for url in static_urls(client):
        if url.startswith("/assets/00_bootstrap") or "dash_ag_grid" in url:
            answer = client.get(url, headers=CHROMIUM)
            assert answer.status_code == 200
            assert answer.headers.get("Content-Encoding") in ("gzip", "br", "zstd"), url


AG_GRID_CHUNK = "/_dash-component-suites/dash_ag_grid/async-community.js"


def test_a_known_chunk_revalidates_without_reading_the_file(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = client.get(AG_GRID_CHUNK, headers=CHROMIUM)
    assert first.status_code == 200 and first.headers["ETag"]
    reads: list[str] = []
    real_get_data = pkgutil.get_data  # the library call Dash reads a component file with
    monkeypatch.setattr(pkgutil, "get_data", lambda package, path: reads.append(path) or real_get_data(package, path))
    again = client.get(AG_GRID_CHUNK, headers={**CHROMIUM, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert reads == [], "answered from the kept ETag"
    other = client.get(AG_GRID_CHUNK, headers={**CHROMIUM, "If-None-Match": '"not-this-one:gzip"'})
    assert other.status_code == 200 and other.data, "a stale tag gets the file"
