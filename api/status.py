"""API routes: status (filled in by its issue)."""

from __future__ import annotations

from api import bp  # noqa: F401
