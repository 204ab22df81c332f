"""Root fixtures: settings on a temporary instance, the app, its test client and CLI runner."""

from __future__ import annotations

pytest_plugins = ["tests.fixtures.ocat", "tests.fixtures.revdb"]
