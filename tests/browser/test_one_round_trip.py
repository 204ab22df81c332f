"""Each page shows its content after at most one callback round trip (ARCHITECTURE: "a page is usable after one
round trip"): Dash Pages' own request for the layout, which arrives filled.

A script installed before the page's own scripts watches the DOM; the moment the page's content selector first
matches, it counts the `_dash-update-component` requests started so far (the Resource Timing entries).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

WATCH = """
window.__shown = null;
const ready = () => { try { return Boolean(%s); } catch (e) { return false; } };
const watch = new MutationObserver(() => {
  if (window.__shown === null && ready()) {
    const at = performance.now();
    const calls = performance.getEntriesByType('resource')
      .filter(e => e.name.includes('_dash-update-component') && e.startTime < at);
    window.__shown = {at: at, calls: calls.length, nodes: document.getElementsByTagName('*').length};
    watch.disconnect();
  }
});
document.addEventListener('DOMContentLoaded', () =>
  watch.observe(document.documentElement, {childList: true, subtree: true, attributes: true, characterData: true}));
"""

PAGES = {
    "home": ("/", "document.querySelector('#home-my-revisions > *')"),
    "board": ("/orupdate", "document.querySelector('#board-grid .ag-center-cols-container [row-id]')"),
    "wall-display": ("/orupdate?kiosk=1", "document.querySelector('#board-grid .ag-center-cols-container [row-id]')"),
    "scheduler": (
        "/scheduler",
        "document.querySelector('#scheduler-calendar .ag-center-cols-container .scheduler-segment')"
        " && document.querySelector('#scheduler-summary').textContent",
    ),
    "analytics": (
        "/analytics",
        "document.querySelectorAll('#_pages_content .usint-analytics-graph .gtitle').length >= 7",
    ),
    "express": ("/express", "document.querySelector('#express-input')"),
    "undo": ("/rm_submission", "document.querySelector('#undo-list table, #undo-list h4, #undo-list .alert')"),
}


def shown(duo: Any, path: str, ready_js: str) -> dict[str, Any]:
    """Open `path` and return {at, calls, nodes} for the moment `ready_js` first held."""
    driver = duo.driver
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH % ready_js})
    try:
        driver.get(duo.server_url + path)
        return wait_until(duo, lambda d: d.execute_script("return window.__shown"), 20, f"{path}: no content")
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})


@pytest.mark.parametrize("page", list(PAGES))
def test_rt001_a_page_shows_its_content_after_one_round_trip(started: Any, page: str) -> None:
    path, ready_js = PAGES[page]
    shown(started, path, ready_js)  # once to warm the browser's cache, as a user's second visit
    seen = shown(started, path, ready_js)
    assert seen["calls"] <= 1, f"{page}: {seen['calls']} callback round trips before the content showed"
