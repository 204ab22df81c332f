"""Accessibility: axe-core (axe-selenium-python's bundled axe 3.1) on every page in Chromium, once its content is
shown. No serious or critical violation may remain.

One finding is left out, precisely: axe 3.1 reports ag-grid's *empty* row containers (`role="rowgroup"` with no
row yet: the full-width, pinned and sticky containers every grid draws) under `aria-required-children`. ARIA 1.2
allows an empty rowgroup and current axe-core lists it as "needs review", not as a violation. A rowgroup that holds
anything, or any other element, is still checked.

Pages whose own files another engineer is changing carry an `xfail(strict=True)` naming what remains, so the list
stays visible and the mark must go when the page is fixed.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from axe_selenium_python import Axe

from tests.browser.conftest import wait_until

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")

PAGES: dict[str, tuple[str, str]] = {
    "home": (
        "/",
        "document.querySelector('#home-my-revisions > *') && document.querySelector('#home-reference-links a')",
    ),
    "editor": ("/ocatdatapage/12345", 'document.getElementById(\'{"name":"targname","type":"editor-field"}\').value'),
    "check": ("/chkupdata/12345.001", "document.querySelector('#check-values .ag-center-cols-container [row-id]')"),
    "board": ("/orupdate", "document.querySelector('#board-grid .ag-center-cols-container [row-id]')"),
    "wall-display": ("/orupdate?kiosk=1", "document.querySelector('#board-grid .ag-center-cols-container [row-id]')"),
    "express": ("/express", "document.querySelector('#express-input')"),
    "history": ("/history/12345", "document.querySelector('#history-timeline .main-svg')"),
    "analytics": ("/analytics", "document.querySelector('#analytics-weekly .main-svg .gtitle')"),
    "scheduler": ("/scheduler", "document.querySelector('#scheduler-calendar .scheduler-segment')"),
    "rm_submission": (
        "/rm_submission",
        "document.querySelector('#undo-list') && document.querySelector('#undo-list').textContent.trim()",
    ),
    "approved": ("/approved", "document.querySelector('#approved-grid .ag-center-cols-container [row-id]')"),
    "help": ("/help/ocat", "document.querySelector('main h1')"),
}

REMAINING: dict[str, str] = {}
"""Page → the violations left in files another engineer is changing (the page's owner fixes them; then the entry
goes, or the strict xfail fails)."""

EMPTY_GRID_ROWGROUP_JS = """
return arguments[0].map(sel => {
  const el = document.querySelector(sel);
  return Boolean(el && el.getAttribute('role') === 'rowgroup' && el.closest('.ag-root-wrapper')
                 && !el.querySelector('[role=row]'));
});
"""


def axe_violations(duo: Any) -> list[dict[str, Any]]:
    """axe's serious and critical violations of the page as it is now (empty ag-grid rowgroups left out)."""
    axe = Axe(duo.driver)
    axe.inject()
    duo.driver.set_script_timeout(60)
    results = axe.run(options='{"resultTypes": ["violations"]}')
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = violation["nodes"]
        if violation["id"] == "aria-required-children":
            empty = duo.driver.execute_script(EMPTY_GRID_ROWGROUP_JS, [n["target"][0] for n in nodes])
            nodes = [n for n, skip in zip(nodes, empty, strict=True) if not skip]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): " + "; ".join(n["target"][0] for n in v["nodes"][:6]) for v in violations
    )


def open_page(duo: Any, name: str) -> None:
    path, ready = PAGES[name]
    duo.driver.get(duo.server_url + path)
    wait_until(
        duo,
        lambda d: d.execute_script(f"try {{ return Boolean({ready}); }} catch (e) {{ return false; }}"),
        20,
        f"{name}: no content",
    )
    time.sleep(0.5)  # let grids and figures finish drawing


def page_case(name: str) -> Any:
    if name in REMAINING:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=REMAINING[name]))
    return name


@pytest.mark.parametrize("name", [page_case(n) for n in PAGES])
def test_a11y001_no_serious_or_critical_axe_violations(started: Any, name: str) -> None:
    open_page(started, name)
    violations = axe_violations(started)
    assert violations == [], f"{name}:\n{describe(violations)}"
