"""Browser fixtures: an app started in a thread for `dash_duo` (Debian Chromium, headless)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from tests.fixtures.net import free_port


@pytest.fixture
def started(dash_duo: Any, app: Any) -> Any:
    """`dash_duo` with the USINT app on a fresh demo instance, at the home page."""
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(app, port=free_port())
    dash_duo.wait_for_element("#shell-user", timeout=10)
    return dash_duo


def console_errors(duo: Any) -> list[dict[str, Any]]:
    """Browser console entries at SEVERE level, ignoring the favicon."""
    return [e for e in (duo.get_logs() or []) if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")]


def wait_until(duo: Any, predicate: Any, timeout: float = 10, message: str = "condition not met") -> Any:
    """Wait until `predicate(driver)` is truthy. An element found and then re-drawn by React before it was read
    (stale) or not there yet counts as "not yet", not as a failure."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(duo.driver, timeout, ignored_exceptions=ignored).until(predicate, message)
