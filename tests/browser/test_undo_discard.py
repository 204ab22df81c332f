"""Undoing a Discard on Remove Accidental Submission, as a user does it: one button, one dialog that names the
Discard, and afterwards every column the Discard closed is Pending again."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from data import clock
from data.demo.revisions import seed_users
from data.revisions.signoffs import DISCARD_ITEM, discard
from data.revisions.store import create_revision, get_revision
from data.settings import DEFAULT_PERMISSIONS
from tests.browser.conftest import console_errors, wait_until
from tests.browser.test_check_express_undo import _approvable
from web.db import session_scope

pytestmark = pytest.mark.browser


def _button(obsidrev: str, column: str) -> tuple[str, str]:
    ident = json.dumps({"column": column, "obsidrev": obsidrev, "type": "undo-remove"}, separators=(",", ":"))
    return By.XPATH, f"//*[@id='{ident}']"


def test_und002_undo_a_discard_is_one_action(started: Any, app: Any) -> None:
    obsid = _approvable(app, 1)[0]
    with app.server.app_context(), session_scope() as session:
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
        discard(session, rev.obsid, rev.revision_number, user=people["demo"], now=now, permissions=DEFAULT_PERMISSIONS)
        obsidrev, number = rev.obsidrev, rev.revision_number

    duo = started
    duo.driver.get(f"{duo.server_url}/rm_submission")
    undo = _button(obsidrev, DISCARD_ITEM)
    wait_until(duo, lambda d: d.find_elements(*undo), timeout=15, message="no Undo Discard button")
    row = duo.driver.find_element(By.CSS_SELECTOR, f"tr[data-obsidrev='{obsidrev}']")
    assert row.text.count("Undo Discard") == 1 and "Remove" not in row.text.replace("Undo Discard", "")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", duo.driver.find_element(*undo))
    duo.driver.find_element(*undo).click()
    duo.wait_for_contains_text("#undo-modal-body", f"Discard of {obsidrev}", timeout=10)
    assert "General" not in duo.find_element("#undo-modal-body").text
    duo.find_element("#undo-confirm").click()
    duo.wait_for_contains_text("#undo-result", f"Discard of {obsidrev}", timeout=15)
    wait_until(duo, lambda d: not d.find_elements(*undo), timeout=15, message="the Discard is still listed")
    with app.server.app_context(), session_scope() as session:
        view = get_revision(session, obsid, number, with_values=False)
    assert {c: s["status"] for c, s in view.signoff.items() if c in ("general", "usint")} == {
        "general": "Pending",
        "usint": "Pending",
    }
    assert [e for e in console_errors(duo) if "cdn.jsdelivr.net" not in e.get("message", "")] == []
