"""The history page's small table of current values (pages/_components/history_parts.py): plain rows in, a table
out, each requested parameter a row with its revision linked and its merge state coloured."""

from __future__ import annotations

from typing import Any

from dash import html

from pages._components.history_parts import current_table


def row(name: str, state: str, revision: str | None = "7.002") -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "parameter": name.title(),
        "requested": "B",
        "revision": revision,
        "current": "A",
        "state": state,
        "state_text": f"{state} text",
    }


def cells(table: Any) -> list[list[Any]]:
    body = next(part for part in table.children if isinstance(part, html.Tbody))
    return [tr.children for tr in body.children]


def test_every_requested_parameter_is_a_row_with_its_revision_linked() -> None:
    rows = cells(current_table([row("targname", "pending"), row("remarks", "applied", revision=None)]))
    assert [r[0].children for r in rows] == ["Targname", "Remarks"]
    link = rows[0][2].children
    assert isinstance(link, html.A) and link.href == "/chkupdata/7.002" and link.children == "7.002"
    assert rows[1][2].children == ""


def test_the_merge_state_carries_the_check_page_colours() -> None:
    rows = cells(current_table([row("a", "pending"), row("b", "applied"), row("c", "unknown")]))
    states = [[c for c in r[4].children.className.split() if c.startswith("usint-state-")] for r in rows]
    assert states == [["usint-state-pending"], ["usint-state-applied"], []]  # no colour for an unreadable Ocat
    assert rows[0][4].children.children == "pending text"


def test_no_requested_parameter_says_so() -> None:
    empty = current_table([])
    assert isinstance(empty, html.P) and empty.children == "No parameter was ever requested."
