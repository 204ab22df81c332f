"""Daily use (#16) of the navbar's quick jump in Chromium: an out-of-range number gets the bound in words, and the
message stays inside the navbar."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

RECT = "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("9999999999", "An obsid has at most 9 digits"),
        ("12345.00001", "A revision number has at most 4 digits"),
        ("not an obsid at all, really not one", "neither an obsid nor an obsid.rev"),
    ],
)
def test_quick_jump_message_names_the_bound_and_stays_in_the_navbar(started: Any, typed: str, says: str) -> None:
    duo = started
    duo.find_element("#shell-jump-input").send_keys(typed + "\n")
    duo.wait_for_contains_text("#shell-jump-feedback", says, timeout=10)
    if "digits" in says:
        assert "neither" not in duo.find_element("#shell-jump-feedback").text
    message = duo.driver.execute_script(RECT, duo.find_element("#shell-jump-feedback"))
    navbar = duo.driver.execute_script(RECT, duo.find_element("nav.navbar"))
    assert navbar[0] <= message[0] and message[2] <= navbar[2], (message, navbar)
    assert navbar[1] <= message[1] and message[3] <= navbar[3], (message, navbar)
    duo.driver.save_screenshot(f"/tmp/screens/quick-jump-{len(typed)}.png")
