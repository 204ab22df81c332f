"""The shell in a real browser: every page loads cleanly, the navbar names the user, quick-jump routes."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import console_errors, wait_until

PAGES = [
    "/",
    "/ocatdatapage",
    "/ocatdatapage/12345",
    "/chkupdata",
    "/chkupdata/12345.001",
    "/orupdate",
    "/orupdate?kiosk=1",
    "/express",
    "/rm_submission",
    "/scheduler",
    "/history/12345",
    "/analytics",
]


def test_shl001_every_page_loads_without_console_errors(started: Any) -> None:
    for path in PAGES:
        started.driver.get(started.server_url + path)
        started.wait_for_element("#shell-user", timeout=10)
        started.wait_for_element("#_pages_content > *", timeout=10)
        assert console_errors(started) == [], path
    started.driver.get(started.server_url + "/no-such-page")  # answers 404, the one console line expected
    started.wait_for_contains_text("#_pages_content", "Page Not Found", timeout=10)
    assert [e for e in console_errors(started) if "404 (NOT FOUND)" not in e["message"]] == []


def test_shl002_navbar_shows_the_signed_in_user_and_groups(started: Any) -> None:
    started.wait_for_contains_text("#shell-user", "Demo User", timeout=10)
    assert "usint" in started.find_element("#shell-user").text


@pytest.mark.parametrize(("typed", "path"), [("12345", "/ocatdatapage/12345"), ("12345.4", "/chkupdata/12345.004")])
def test_shl003_quick_jump_opens_the_object(started: Any, typed: str, path: str) -> None:
    box = started.find_element("#shell-jump-input")
    box.send_keys(typed)
    box.send_keys(Keys.ENTER)
    wait_until(started, lambda d: d.current_url.endswith(path), message=f"did not open {path}")
    shown = path.rsplit("/", 1)[1]  # the page names the object it opened
    wait_until(started, lambda d: shown in d.find_element(By.TAG_NAME, "body").text, 15, f"{shown} not shown")


def test_shl004_quick_jump_rejects_bad_input_with_a_message(started: Any) -> None:
    started.find_element("#shell-jump-input").send_keys("hello")
    started.find_element("#shell-jump-button").click()
    started.wait_for_contains_text("#shell-jump-feedback", "neither an obsid nor an obsid.rev", timeout=10)
    assert started.driver.current_url.rstrip("/") == started.server_url.rstrip("/")
