"""Wiring of the check page, express approval and undo pages in Chromium (dash_duo), on a copy of the demo instance.

Demo obsids and revisions are found by asking the instance's own databases, never hard-coded.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from data import clock
from data.demo.revisions import seed_users
from data.models import Revision
from data.revisions.express import preview
from data.revisions.signoffs import sign
from data.revisions.store import create_revision
from data.settings import DEFAULT_PERMISSIONS
from tests.browser.conftest import console_errors, wait_until
from web.db import ocat_source, session_scope

pytestmark = pytest.mark.browser


def _in_app(app: Any, work: Any) -> Any:
    """Run `work(session)` in one committed transaction of the app's revision DB (as a callback would)."""
    with app.server.app_context(), session_scope() as session:
        return work(session)


def _errors(duo: Any) -> list[dict[str, Any]]:
    """Console errors, less the external Bootstrap stylesheet that a machine without internet cannot load."""
    return [e for e in console_errors(duo) if "cdn.jsdelivr.net" not in e.get("message", "")]


def _wide(duo: Any) -> Any:
    """A desktop-sized window, so the expanded navbar does not cover the page."""
    duo.driver.set_window_size(1400, 1000)
    return duo


def _click(duo: Any, element: Any) -> None:
    """Scroll the element to the middle of the window, then click it."""
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _by_dict_id(component_id: dict[str, str]) -> tuple[str, str]:
    """A locator for a component with a dict id (Dash renders it as JSON with sorted keys and no spaces)."""
    return By.XPATH, f"//*[@id='{json.dumps(component_id, sort_keys=True, separators=(',', ':'))}']"


def test_chk001_check_page_shows_a_revision_and_the_form_rejects_junk(started: Any, app: Any) -> None:
    obsid, rev = _in_app(app, lambda s: s.execute(select(Revision.obsid, Revision.revision_number).limit(1)).one())
    obsidrev = f"{obsid}.{rev:03d}"
    duo = _wide(started)
    duo.wait_for_element("#shell-user")
    duo.driver.get(f"{duo.server_url}/chkupdata/{obsidrev}")
    duo.wait_for_contains_text("#check-heading", obsidrev, timeout=15)
    target = wait_until(
        duo,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#check-values .ag-row[row-id='targname']"),
        timeout=15,
        message="the parameter grid has no Target Name row",
    )
    assert len(target[0].find_elements(By.CSS_SELECTOR, ".ag-cell")) == 4
    assert duo.find_elements("#check-values .ag-row.usint-check-section")  # section titles span the grid
    coloured = duo.driver.execute_script(  # a row the merge coloured (the demo revision's requests), brought into view
        "const api = dash_ag_grid.getApi('check-values'); let id = null;"
        "api.forEachNode(n => { if (!id && n.data.state) { id = n.id; api.ensureNodeVisible(n, 'middle'); } });"
        "return id;"
    )
    assert coloured
    wait_until(
        duo,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, f"#check-values .ag-row[row-id='{coloured}'] .ag-cell[class*='usint-state-']"
        ),
        10,
        "no coloured Current cell",
    )
    assert len(duo.find_elements(".usint-legend span")) == 3
    assert duo.find_element("#check-form").get_attribute("hidden") is not None

    duo.driver.get(f"{duo.server_url}/chkupdata")
    duo.wait_for_element("#check-input").send_keys("abc")
    _click(duo, duo.find_element("#check-submit"))
    duo.wait_for_contains_text("#check-feedback", "Ill-formatted", timeout=10)
    assert "/chkupdata" in duo.driver.current_url and "abc" not in duo.driver.current_url
    assert _errors(duo) == []


def _approvable(app: Any, count: int) -> list[int]:
    """`count` demo obsids that express approval would approve right now (asked of the instance itself)."""
    sql = "SELECT obsid FROM target WHERE status IN ('unobserved', 'scheduled') ORDER BY obsid"
    with app.server.app_context():
        candidates = [int(row["obsid"]) for row in ocat_source().fetch(sql)][:200]
        with session_scope() as session:
            found = preview(session, ocat_source(), candidates).approvable_obsids[:count]
    assert len(found) == count, "the demo instance has too few approvable obsids"
    return found


def test_exp001_express_approval_previews_and_finalizes_two_obsids(started: Any, app: Any) -> None:
    first, second = _approvable(app, 2)
    duo = _wide(started)
    duo.driver.get(f"{duo.server_url}/express")
    duo.wait_for_element("#express-input").send_keys(f"{first}, {second}")
    _click(duo, duo.find_element("#express-preview-button"))
    duo.wait_for_element(f"#express-approvable .ag-center-cols-container [row-id='{second}']", timeout=15)
    wait_until(duo, lambda d: d.find_element(By.ID, "express-finalize").is_displayed(), message="no Finalize button")
    _click(duo, duo.find_element("#express-finalize"))
    duo.wait_for_element("#express-approved .ag-center-cols-container [row-id] a", timeout=15)
    rows = duo.find_elements("#express-approved .ag-center-cols-container [row-id]")
    links = {row.get_attribute("row-id"): row.find_element(By.TAG_NAME, "a").get_attribute("href") for row in rows}
    assert set(links) == {str(first), str(second)}
    assert all("/chkupdata/" in href for href in links.values())
    assert _errors(duo) == []


def test_und001_undo_a_signoff_and_see_it_disappear(started: Any, app: Any) -> None:
    obsid = _approvable(app, 1)[0]

    def signed_by_demo(session: Any) -> str:
        people = seed_users(session)
        now = clock.now()
        rev = create_revision(
            session,
            obsid,
            kind="norm",
            sequence_number=1,
            originals={"targname": "Old"},
            requests={"targname": "New"},
            notes=None,
            user=people["alice"],
            now=now - timedelta(hours=2),
        )
        sign(
            session,
            rev.obsid,
            rev.revision_number,
            "general",
            user=people["demo"],
            now=now,
            permissions=DEFAULT_PERMISSIONS,
        )
        return rev.obsidrev

    obsidrev = _in_app(app, signed_by_demo)
    button = _by_dict_id({"type": "undo-remove", "obsidrev": obsidrev, "column": "general"})
    duo = _wide(started)
    duo.driver.get(f"{duo.server_url}/rm_submission")
    wait_until(duo, lambda d: d.find_elements(*button), timeout=15, message="no Remove button")
    _click(duo, duo.driver.find_element(*button))
    duo.wait_for_contains_text("#undo-modal-body", obsidrev, timeout=10)
    _click(duo, duo.find_element("#undo-confirm"))
    duo.wait_for_contains_text("#undo-result", obsidrev, timeout=15)
    wait_until(duo, lambda d: not d.find_elements(*button), timeout=15, message="the item is still listed")
    assert _errors(duo) == []
