"""The Content-Security-Policy in Chromium: the editor, the board, the analytics figures and the scheduler work
under it, with no violation reported, and a script injected inline is blocked."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import console_errors, wait_until
from tests.security._helpers import OBSID

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def _violations(driver: Any) -> list[str]:
    return driver.execute_script("return window.__cspViolations || []")


def _policy(driver: Any) -> str:
    return driver.execute_async_script(
        "const done = arguments[0];"
        "fetch(location.href).then(r => done(r.headers.get('Content-Security-Policy') || ''));"
    )


def _grid_rows(driver: Any) -> bool:
    return bool(driver.find_elements(By.CSS_SELECTOR, ".ag-center-cols-container [row-id]"))


def _plotted(driver: Any, graph_id: str) -> bool:
    """The figure is drawn: its title and at least one trace."""
    titles = driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .gtitle")
    return bool(titles and titles[0].text and driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .trace"))


PAGES = (
    (f"/ocatdatapage/{OBSID}", lambda d: f"Obsid {OBSID}" in d.find_element(By.ID, "editor-header").text),
    ("/orupdate", _grid_rows),
    ("/analytics", lambda d: _plotted(d, "analytics-weekly") and _plotted(d, "analytics-sky")),
    ("/scheduler", lambda d: bool(d.find_elements(By.CSS_SELECTOR, "#scheduler-calendar .scheduler-segment"))),
)


def test_csp001_pages_work_under_the_policy_without_violations(started: Any) -> None:
    driver = started.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    for path, ready in PAGES:
        driver.get(started.server_url + path)
        wait_until(started, ready, 20, f"{path} did not draw under the policy")
        policy = _policy(driver)
        assert "script-src 'self' 'sha256-" in policy and "frame-ancestors 'none'" in policy, (path, policy)
        assert _violations(driver) == [], (path, _violations(driver))
        errors = console_errors(started)
        assert not [e for e in errors if "Content Security Policy" in e["message"]], (path, errors)


def test_csp002_an_injected_inline_script_is_blocked(started: Any) -> None:
    driver = started.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
    driver.get(started.server_url + "/orupdate")
    wait_until(started, _grid_rows, 20, "the board did not draw")
    ran = driver.execute_script(
        "window.__injected = false;"
        "const s = document.createElement('script'); s.textContent = 'window.__injected = true;';"
        "document.body.appendChild(s); return window.__injected;"
    )
    assert ran is False
    wait_until(started, lambda d: _violations(d), 5, "no violation reported")
    assert "script-src" in _violations(driver)[0]
