"""The history page's grid of current values (pages/_components/history_parts.py): plain rows in, an ag-grid out,
each requested parameter a row with its revision linked and its merge state coloured; a grid's height shows at
most `SHOWN_ROWS` rows (the rest scroll, so the browser draws only those in view)."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import html

from pages._components.history_parts import HEADER_PX, ROW_HEIGHT_PX, SHOWN_ROWS, current_grid, grid_height


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


def column(grid: dag.AgGrid, field: str) -> dict[str, Any]:
    return next(c for c in grid.columnDefs if c["field"] == field)


def test_every_requested_parameter_is_a_row_with_its_revision_linked() -> None:
    rows = [row("targname", "pending"), row("remarks", "applied", revision=None)]
    grid = current_grid(rows)
    assert isinstance(grid, dag.AgGrid) and grid.rowData == rows
    assert [c["field"] for c in grid.columnDefs] == ["parameter", "requested", "revision", "current", "state_text"]
    link = column(grid, "revision")
    assert link["cellRenderer"] == "markdown"
    assert (
        "/chkupdata/" in link["valueGetter"]["function"] and "params.data.revision ?" in link["valueGetter"]["function"]
    )
    assert "cellRenderer" not in column(grid, "requested") and "cellRenderer" not in column(grid, "current")


def test_the_merge_state_carries_the_check_page_colours() -> None:
    rules = column(current_grid([row("a", "pending")]), "state_text")["cellClassRules"]
    assert rules == {
        "usint-state-applied": "params.data.state === 'applied'",
        "usint-state-pending": "params.data.state === 'pending'",
    }  # no colour for an unreadable Ocat


def test_a_grid_shows_its_rows_up_to_a_bound_and_scrolls_the_rest() -> None:
    assert grid_height(0) == grid_height(1) == f"{HEADER_PX + ROW_HEIGHT_PX + 2}px"
    assert grid_height(3) == f"{HEADER_PX + 3 * ROW_HEIGHT_PX + 2}px"
    assert grid_height(500) == grid_height(SHOWN_ROWS) == f"{HEADER_PX + SHOWN_ROWS * ROW_HEIGHT_PX + 2}px"
    grid = current_grid([row(f"p{i}", "applied") for i in range(40)])
    assert grid.style["height"] == grid_height(40)
    assert grid.dashGridOptions["rowHeight"] == ROW_HEIGHT_PX and "domLayout" not in grid.dashGridOptions


def test_no_requested_parameter_says_so() -> None:
    empty = current_grid([])
    assert isinstance(empty, html.P) and empty.children == "No parameter was ever requested."
