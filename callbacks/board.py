"""Callbacks of the board page."""

from __future__ import annotations

from dash import Dash


def register(app: Dash) -> None:
    """No callbacks yet."""
