"""The JSON API, `/api/v1` (INTERFACE.md): one blueprint, thin handlers over the data layer (E21)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(server: Flask) -> None:
    """Import the route modules (each adds its routes to `bp`) and register the blueprint."""
    from api import observations, revisions, schedule, signoffs, status  # noqa: F401

    server.register_blueprint(bp)
