"""The wall display's summary tiles, built by the board page and again by its refresh callback."""

from __future__ import annotations

from typing import Any

from dash import html


def wall_tiles(tiles: list[dict[str, Any]]) -> list[Any]:
    """The wall's summary tiles: pending per team (with its oldest wait), then the oldest wait of all."""
    return [
        html.Div(
            [
                html.Div(t["label"], className="board-tile-label"),
                html.Div(t["count"], className="board-tile-count"),
                html.Div(f"oldest {t['oldest']}" if t["oldest"] else "\u00a0", className="board-tile-oldest"),
            ],
            className="board-tile",
        )
        for t in tiles
    ]


__all__ = ["wall_tiles"]
