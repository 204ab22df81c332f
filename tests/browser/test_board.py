"""The status board in real browsers: a sign-off shows up in a second browser within one refresh; the wall
display has no buttons."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import console_errors, wait_until
from tests.web.test_api_status import board_ocat, board_settings  # noqa: F401  (module fixture)

REFRESH_S = 5
CELL = '.ag-center-cols-container [row-id="{row}"] [col-id="{col}"]'


@pytest.fixture
def settings(tmp_path: Path, board_ocat: Path) -> dict[str, Any]:  # noqa: F811
    return board_settings(tmp_path, board_ocat, board_refresh_s=REFRESH_S)


def cell_text(driver: Any, row: str, col: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, CELL.format(row=row, col=col))
    return found[0].text if found else ""


def click_cell(driver: Any, row: str, col: str) -> None:
    cell = driver.find_element(By.CSS_SELECTOR, CELL.format(row=row, col=col))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", cell)
    cell.click()


def open_board(driver: Any, url: str) -> None:
    driver.set_window_size(1600, 1000)
    driver.get(url)
    WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, CELL.format(row="1003.001", col="general")),
        "the board grid did not fill",
    )


def test_brd001_a_signoff_reaches_a_second_browser_within_one_refresh(started: Any) -> None:
    url = started.server_url + "/orupdate"
    open_board(started.driver, url)
    second = started._get_chrome()
    try:
        open_board(second, url)
        assert cell_text(second, "1003.001", "general").startswith("Sign")
        click_cell(started.driver, "1003.001", "general")
        started.wait_for_element("#board-confirm", timeout=10).click()
        started.wait_for_contains_text("#board-result", "Signed General on 1003.001", timeout=15)
        wait_until(started, lambda d: cell_text(d, "1003.001", "general").startswith("demo"), 10, "first not updated")
        WebDriverWait(second, REFRESH_S * 2 + 5).until(
            lambda d: cell_text(d, "1003.001", "general").startswith("demo"),
            "the second browser did not show the sign-off within one refresh",
        )
        assert "Last updated" in second.find_element(By.ID, "board-updated").text
    finally:
        second.quit()
    assert [e for e in console_errors(started) if "ERR_NAME_NOT_RESOLVED" not in e["message"]] == []


def test_brd002_a_stale_click_says_who_signed_first(started: Any) -> None:
    url = started.server_url + "/orupdate"
    open_board(started.driver, url)
    client = started.driver  # sign the same cell behind the page's back through the API
    req = urllib.request.Request(
        started.server_url + "/api/v1/signoffs",
        data=json.dumps({"obsidrev": "1003.001", "column": "general", "expected": "Pending"}).encode(),
        headers={"Content-Type": "application/json", "Remote-User": "bob"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:  # noqa: S310 (loopback test server)
        assert resp.status == 200
    click_cell(client, "1003.001", "general")
    started.wait_for_element("#board-confirm", timeout=10).click()
    started.wait_for_contains_text("#board-result", "already signed by bob at", timeout=15)


def test_brd003_kiosk_shows_the_board_without_buttons(started: Any) -> None:
    open_board(started.driver, started.server_url + "/orupdate?kiosk=1")
    driver = started.driver
    assert driver.find_elements(By.CSS_SELECTOR, ".board-kiosk")
    assert driver.find_elements(By.CSS_SELECTOR, ".board-sign") == []
    assert [b for b in driver.find_elements(By.TAG_NAME, "button") if b.is_displayed()] == []
    assert driver.find_elements(By.CSS_SELECTOR, '[col-id="approve"], [col-id="discard"]') == []
    # Across a room: a Pending cell (coloured) says how long it has waited, a signed one who signed it.
    pending = driver.find_element(By.CSS_SELECTOR, CELL.format(row="1003.001", col="general"))
    assert "board-pending" in pending.get_attribute("class")
    assert re.fullmatch(r"\d+ min|\d+\.\d h|\d+\.\d d", pending.text.strip()), pending.text
    assert "Last updated" in driver.find_element(By.ID, "board-updated").text
    assert [e for e in console_errors(started) if "ERR_NAME_NOT_RESOLVED" not in e["message"]] == []
