"""Long lists on first view are cut to their newest/first part, and the page says so and offers the rest:
Remove Accidental Submission (the `SHOWN` newest reversible entries, `?all=1` for every one) and home (the first
`SHOWN` open revisions, the rest counted and left to the status board)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callbacks import home, rm_submission
from tests.factories import page_route_request


def components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component's props (as Dash JSON) in an answer, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node["props"]
            node = node["props"]
        for value in node.values():
            yield from components(value)


def page(client: Any, path: str, search: str = "") -> list[dict[str, Any]]:
    """The props of every component of the page's routing answer."""
    answer = client.post("/_dash-update-component", json=page_route_request(path, search))
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return list(components(answer.get_json()["response"]["_pages_content"]["children"]))


def undo_rows(props: list[dict[str, Any]]) -> list[str]:
    return [p["data-obsidrev"] for p in props if "data-obsidrev" in p]


def texts(props: list[dict[str, Any]]) -> str:
    return " ".join(str(p.get("children")) for p in props if isinstance(p.get("children"), str | list))


@pytest.fixture
def undo_all(client: Any) -> list[str]:
    """Every reversible entry of `demo` in the demo instance (at least two, or the test below proves nothing)."""
    rows = undo_rows(page(client, "/rm_submission", "?all=1"))
    assert len(rows) >= 2
    return rows


def test_undo_lists_the_newest_says_so_and_offers_all(client: Any, undo_all: list[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(rm_submission, "SHOWN", 1)
    props = page(client, "/rm_submission")
    assert undo_rows(props) == undo_all[:1]
    assert f"Showing the 1 newest of the {len(undo_all)} entries you can undo." in texts(props)
    assert any(p.get("href") == "/rm_submission?all=1" for p in props)
    everything = page(client, "/rm_submission", "?all=1")
    assert undo_rows(everything) == undo_all
    assert "Showing the" not in texts(everything)
    assert any(p.get("id") == "undo-show-all" and p.get("data") is True for p in everything)


def test_undo_says_nothing_when_every_entry_is_listed(client: Any, undo_all: list[str]) -> None:
    props = page(client, "/rm_submission")
    assert undo_rows(props) == undo_all[: rm_submission.SHOWN]
    assert ("Showing the" in texts(props)) == (len(undo_all) > rm_submission.SHOWN)


def test_home_lists_the_first_open_revisions_and_counts_the_rest(client: Any, monkeypatch: Any) -> None:
    every = [p["href"] for p in page(client, "/") if str(p.get("href", "")).startswith("/chkupdata/")]
    assert len(every) >= 2
    monkeypatch.setattr(home, "SHOWN", 1)
    props = page(client, "/")
    assert [p["href"] for p in props if str(p.get("href", "")).startswith("/chkupdata/")] == every[:1]
    assert f"and {len(every) - 1} more on the " in texts(props)
    assert any(p.get("href") == "/orupdate" and p.get("children") == "status board" for p in props)
