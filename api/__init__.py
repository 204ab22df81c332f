"""The JSON API, `/api/v1` (INTERFACE.md): one blueprint, thin handlers over the data layer (E21)."""

from __future__ import annotations

from flask import Flask

from api import observations, revisions, schedule, signoffs, status  # noqa: F401 - each adds its routes to `bp`
from api._blueprint import bp


def init_app(server: Flask) -> None:
    """Register the blueprint, with the routes of every route module."""
    server.register_blueprint(bp)
