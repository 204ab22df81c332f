"""Daily use (#16) of the board, wall display, express approval and scheduler in Chromium (dash_duo), as a user
would go through them, on a copy of the demo instance."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

EXPRESS_TEXT = "1003, 1012:1014; 1011 99999 20010-20012, 1001"
BG = "return getComputedStyle(arguments[0]).backgroundColor"


@pytest.fixture
def user() -> str | None:
    """Who the app sees (its development user); a test parametrizes it."""
    return "alice"


@pytest.fixture
def settings(settings: dict[str, Any], user: str | None) -> dict[str, Any]:
    return {**settings, "dev_user": user}


def rgb(text: str) -> tuple[int, ...]:
    """`rgb(1, 2, 3)` / `rgba(1, 2, 3, 1)` as a tuple of its numbers."""
    return tuple(round(float(x)) for x in text[text.index("(") + 1 : -1].split(",")[:3])


def test_express_preview_paints_skipped_rows_red_and_open_rows_yellow(started: Any) -> None:
    duo = started
    duo.driver.get(f"{duo.server_url}/express")
    duo.wait_for_element("#express-input").send_keys(EXPRESS_TEXT)
    duo.find_element("#express-preview-button").click()
    duo.wait_for_element("#express-skipped .ag-center-cols-container .ag-row .ag-cell", timeout=15)
    duo.wait_for_element("#express-approvable .ag-center-cols-container .ag-row.express-open .ag-cell", timeout=15)
    skipped = duo.find_element("#express-skipped .ag-center-cols-container .ag-row .ag-cell")
    opened = duo.find_element("#express-approvable .ag-center-cols-container .ag-row.express-open .ag-cell")
    assert rgb(duo.driver.execute_script(BG, skipped)) == (255, 204, 204)
    assert rgb(duo.driver.execute_script(BG, opened)) == (255, 213, 102)
    duo.driver.save_screenshot("/tmp/screens/express-preview.png")
