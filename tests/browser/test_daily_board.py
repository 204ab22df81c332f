"""Daily use (#16) of the board, wall display, express approval and scheduler in Chromium (dash_duo), as a user
would go through them, on a copy of the demo instance."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from pages._components.board_columns import CLAMPED
from tests.browser.conftest import wait_until
from tests.browser.test_scheduler import next_week  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

EXPRESS_TEXT = "1003, 1012:1014; 1011 99999 20010-20012, 1001"
BG = "return getComputedStyle(arguments[0]).backgroundColor"


@pytest.fixture
def user() -> str | None:
    """Who the app sees (its development user); a test parametrizes it."""
    return "alice"


@pytest.fixture
def settings(settings: dict[str, Any], user: str | None) -> dict[str, Any]:
    return {**settings, "dev_user": user, "board_refresh_s": 5}


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


def board(duo: Any, width: int = 1600, height: int = 1000, query: str = "") -> Any:
    """Open the board at a window size and wait for its rows."""
    duo.driver.set_window_size(width, height)
    duo.driver.get(f"{duo.server_url}/orupdate{query}")
    duo.wait_for_element("#board-grid .ag-center-cols-container .ag-row", timeout=15)
    return duo


def test_board_checked_time_keeps_one_labelled_zone(started: Any) -> None:
    duo = board(started)
    zone_abbr = re.search(r"\d\d:\d\d (\S+)", duo.find_element("#board-updated").text).group(1)
    first = duo.find_element("#board-checked").text
    wait_until(duo, lambda d: d.find_element("css selector", "#board-checked").text != first, 10, "no refresh")
    second = duo.find_element("#board-checked").text
    for text in (first, second):
        assert re.fullmatch(rf"checked \d\d:\d\d(:\d\d)? {zone_abbr}", text), text


def test_board_filters_as_the_user_types(started: Any) -> None:
    duo = board(started)
    rows = "#board-grid .ag-center-cols-container .ag-row"
    before = len(duo.find_elements(rows))
    first_id = duo.find_element(rows).get_attribute("row-id")
    duo.find_element("#board-quick-filter").send_keys(first_id)  # no Enter, no Tab
    wait_until(duo, lambda d: len(d.find_elements("css selector", rows)) < before, 3, "the filter waited for Enter")
    shown = [r.get_attribute("row-id") for r in duo.find_elements(rows)]
    assert first_id in shown


def hover_tooltip(duo: Any, element: Any) -> str:
    """The text of the ag-grid tooltip that hovering `element` shows."""
    ActionChains(duo.driver).move_to_element(element).perform()
    wait_until(duo, lambda d: d.find_elements("css selector", ".ag-tooltip"), 5, "no tooltip")
    text = duo.find_element(".ag-tooltip").text
    ActionChains(duo.driver).move_by_offset(0, 300).perform()
    return text


def sign_cells(duo: Any, col: str) -> list[Any]:
    """The cells of a sign-off column that show a Sign button."""
    cells = duo.find_elements(f"#board-grid .ag-center-cols-container [col-id='{col}']")
    return [c for c in cells if c.text.startswith("Sign")]


def test_board_signs_with_the_column_label_and_says_who_signs(started: Any) -> None:
    duo = board(started)
    tip = hover_tooltip(duo, duo.find_element("#board-grid .ag-header-cell[col-id='general'] .ag-header-cell-text"))
    assert tip == "General edits: signed by ArcOps or USINT"
    cell = sign_cells(duo, "general")[0]
    row = cell.find_element("xpath", "..").get_attribute("row-id")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", cell)
    cell.click()
    duo.wait_for_element("#board-confirm", timeout=10).click()
    duo.wait_for_contains_text("#board-result", f"Signed General on {row}.", timeout=15)


def test_scheduler_says_why_sign_me_up_is_greyed(next_week: Any, started: Any) -> None:  # noqa: F811
    duo = started  # alice: USINT, not in the TOO duty group
    duo.driver.get(f"{duo.server_url}/scheduler?period={next_week.id}")
    button = duo.wait_for_element("#scheduler-sign-up", timeout=15)
    assert not button.is_enabled()
    duo.wait_for_contains_text("#scheduler-why-disabled", "“Sign me up” needs the TOO duty group", timeout=10)
    assert duo.find_element("#scheduler-why-disabled").is_displayed()


@pytest.mark.parametrize("user", ["bob"])
def test_board_says_why_a_reader_gets_no_button(started: Any) -> None:
    duo = board(started)  # bob: ArcOps, signs General only
    rights = duo.find_element("#board-rights")
    assert rights.is_displayed()
    assert "You may sign: General." in rights.text
    assert "HRC SI Mode (HRC or USINT only)" in rights.text and "Discard (USINT only)" in rights.text
    assert not sign_cells(duo, "hrc_si")
    who = {"acis": "ACIS or USINT", "acis_si": "ACIS or USINT", "hrc_si": "HRC or USINT", "usint": "USINT"}
    cells = duo.find_elements("#board-grid .ag-center-cols-container .ag-cell")
    col, cell = next(
        (c.get_attribute("col-id"), c)
        for c in cells
        if c.get_attribute("col-id") in who and c.text.startswith("Pending")
    )
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'});", cell)
    assert hover_tooltip(duo, cell).startswith(f"Pending: {who[col]} sign this column")


LAYOUT = """
const width = window.innerWidth, out = {headers: [], discards: [], cells: 0, clipped: [], scrolls: false};
const api = window.dash_ag_grid.getApi('board-grid');
const tipped = (col) => { const d = api.getColumn(col).getColDef(); return !!(d.tooltipField || d.tooltipValueGetter); };
const cut = (el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
for (const h of document.querySelectorAll('#board-grid .ag-header-row-column .ag-header-cell')) {
    const r = h.getBoundingClientRect(), label = h.querySelector('.ag-header-cell-text');
    out.headers.push([h.getAttribute('col-id'), r.left >= 0 && r.right <= width, !!label && !cut(label)]);
}
for (const d of document.querySelectorAll("#board-grid .ag-center-cols-container [col-id='discard'].board-sign")) {
    const r = d.getBoundingClientRect();
    out.discards.push(r.left >= 0 && r.right <= width);
}
const rows = '#board-grid .ag-center-cols-container .ag-row, #board-grid .ag-pinned-left-cols-container .ag-row';
for (const row of document.querySelectorAll(rows)) {
    for (const cell of row.querySelectorAll('.ag-cell')) {
        out.cells += 1;
        const inner = cell.querySelector('.ag-cell-value') || cell, col = cell.getAttribute('col-id');
        if (cut(inner) || cut(cell)) { out.clipped.push([row.getAttribute('row-id'), col, tipped(col)]); }
    }
}
const body = document.querySelector('#board-grid .ag-center-cols-viewport');
out.scrolls = body.scrollWidth > body.clientWidth + 1;
return out;
"""


def layout_at(duo: Any, width: int, height: int, query: str = "") -> dict[str, Any]:
    """The board's headers, Discard buttons and cut-off cells (row, column, has a tooltip) in a window."""
    board(duo, width, height, query)
    time.sleep(1)  # header heights settle (autoHeaderHeight; the wall: autoHeight)
    return duo.driver.execute_script(LAYOUT)


@pytest.mark.parametrize(
    ("width", "height", "query"),
    [(1600, 1000, ""), (1920, 1080, ""), (1600, 900, "?kiosk=1"), (1920, 1080, "?kiosk=1")],
)
def test_board_at_1600_px_cuts_nothing_off(started: Any, width: int, height: int, query: str) -> None:
    """Every header and cell shows its whole text (cells wrap) or, failing that, has a tooltip; every
    column, Discard included, is inside the window with no sideways scrolling."""
    seen = layout_at(started, width, height, query)
    assert len(seen["headers"]) >= (10 if query else 16)
    assert [h[0] for h in seen["headers"] if not h[1]] == [], "headers off screen"
    assert [h[0] for h in seen["headers"] if not h[2]] == [], "header text cut off"
    assert not seen["scrolls"], "the grid scrolls sideways"
    if not query:
        assert seen["discards"] and all(seen["discards"]), "Discard buttons off screen"
    assert seen["cells"] > 100
    assert [(row, col) for row, col, tipped in seen["clipped"] if not tipped] == [], "cut off, with no tooltip"
    if not query:  # the board's rows hold two lines: only free text may end in "…" (and has its tooltip)
        assert {col for _row, col, _tipped in seen["clipped"]} <= set(CLAMPED), seen["clipped"]


COLOURS = """
const parse = (c) => { const m = c.match(/[0-9.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
function background(el) {  // the colour behind el: its and its ancestors' backgrounds over white
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let rgb = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) { rgb = [r * a + rgb[0] * (1 - a), g * a + rgb[1] * (1 - a), b * a + rgb[2] * (1 - a)]; }
    return rgb;
}
const out = [];
for (const cell of document.querySelectorAll('#board-grid .ag-center-cols-container .ag-cell, #board-grid .ag-pinned-left-cols-container .ag-cell')) {
    if (!cell.textContent.trim()) continue;
    const text = cell.querySelector('a') || cell;
    out.push([cell.textContent.trim(), parse(getComputedStyle(text).color).slice(0, 3), background(text)]);
}
return out;
"""


def contrast(fg: Any, bg: Any) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255)."""

    def lum(rgb: Any) -> float:
        ch = [c / 255 for c in rgb]
        ch = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_wall_display_reads_across_a_room(started: Any) -> None:
    duo = board(started, 1920, 1080, "?kiosk=1")
    cells = duo.driver.execute_script(COLOURS)
    assert len(cells) > 50
    poor = [(t, round(contrast(fg, bg), 2)) for t, fg, bg in cells if contrast(fg, bg) < 4.5]
    assert not poor, poor[:5]
    legend = duo.find_element("#board-legend").text
    assert "24" in legend and "72" in legend and "signed by" in legend
    tiles = duo.find_element("#board-tiles").text
    assert all(team in tiles for team in ("General", "ACIS", "HRC SI", "Verify", "Oldest wait"))
    duo.driver.save_screenshot("/tmp/screens/wall-1920-test.png")
    top = "return document.querySelector('.board-grid-kiosk .ag-body-viewport').scrollTop"
    assert duo.driver.execute_script(top) == 0
    duo.driver.execute_script("window.USINT_WALL_ADVANCE_MS = 1500")
    wait_until(duo, lambda d: d.execute_script(top) > 0, 25, "the wall did not move on by itself")
    wait_until(duo, lambda d: d.execute_script(top) == 0, 30, "the wall did not return to the top")
