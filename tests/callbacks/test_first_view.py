"""Pages arrive filled: Dash Pages' routing answer already holds each page's data (one round trip), while the
validation layout built at start-up reads nothing, and a failed first read still shows the page and says why."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from callbacks._first_view import first_view
from tests.factories import page_route_request


def components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component (as Dash JSON) in an answer's layout, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node
            node = node["props"]
        for value in node.values():
            yield from components(value)


def route(client: Any, path: str, search: str = "") -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(props by component id, the whole answer) of the routing request for `path`."""
    answer = client.post("/_dash-update-component", json=page_route_request(path, search))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    found = {
        c["props"]["id"]: c["props"]
        for c in components(body["response"]["_pages_content"]["children"])
        if isinstance(c["props"].get("id"), str)
    }
    return found, body


@pytest.mark.parametrize("search", ["", "?kiosk=1"])
def test_the_board_arrives_with_its_rows_and_token(client: Any, search: str) -> None:
    props, _ = route(client, "/orupdate", search)
    assert len(props["board-grid"]["rowData"]) > 10
    assert props["board-token"]["data"]["token"]
    assert props["board-updated"]["children"].startswith("Last updated")
    assert "Listed: every open revision" in props["board-summary"]["children"]


def test_home_and_undo_arrive_with_their_lists(client: Any) -> None:
    home, _ = route(client, "/")
    assert "Loading" not in str(home["home-my-revisions"]["children"])
    assert home["home-my-revisions"]["children"]
    undo, _ = route(client, "/rm_submission")
    assert undo["undo-list"]["children"]


def test_the_validation_layout_reads_nothing(app: Any) -> None:
    def read() -> str:
        raise AssertionError("read at start-up")

    with app.server.test_request_context("/"):
        assert first_view(read, "skeleton") == "skeleton"


def test_a_failed_first_read_shows_the_page_and_says_why(client: Any, settings: dict[str, Any]) -> None:
    with sqlite3.connect(Path(settings["instance_path"]) / "usint.db") as db:  # the revisions table is gone
        db.execute("ALTER TABLE revisions RENAME TO revisions_lost")
    props, body = route(client, "/orupdate")
    assert props["board-grid"]["rowData"] == []
    assert props["board-token"]["data"] is None
    assert props["board-tick"]["interval"] <= 15_000, "without rows the page retries soon"
    notice = body["sideUpdate"]["shell-notice"]
    assert notice["is_open"] and "logged as" in notice["children"]


def test_analytics_arrives_drawn_for_the_default_filters(client: Any) -> None:
    props, _ = route(client, "/analytics")
    figures = [props[g]["figure"] for g in ("analytics-weekly", "analytics-sky")]
    assert all("all instruments" in f["layout"]["title"]["text"] for f in figures)
    assert "revisions submitted" in props["analytics-summary"]["children"]


def test_the_scheduler_arrives_with_its_calendar_and_the_deep_linked_period(client: Any) -> None:
    periods = client.get("/api/v1/schedule").get_json()
    chosen = next(p for p in periods if p["user"] is None and p["start"] > date.today().isoformat())
    props, _ = route(client, "/scheduler", f"?period={chosen['id']}")
    rows = props["scheduler-calendar"]["rowData"]
    assert any(r["kind"] == "duty" and chosen["id"] in r.values() for r in rows)
    assert props["scheduler-select"]["value"] == chosen["id"]
    assert "open (TBD)" in str(props["scheduler-details"]["children"])
    assert props["scheduler-sign-up"]["disabled"] is False
