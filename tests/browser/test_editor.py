"""Wiring of the Ocat Data Page (editor) in Chromium (dash_duo) on a copy of the demo instance.

Obsid 12345 of the demo Ocat is an unobserved ACIS-S GO target with 2 time ranks, 1 roll rank and 2 ACIS windows.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import console_errors, wait_until

pytestmark = pytest.mark.browser

OBSID = 12345
SCREENSHOT = "/tmp/editor.png"


def _dom_id(kind: str, name: str, key: str = "name") -> str:
    """The DOM id Dash gives a pattern-matching id (keys sorted, compact JSON)."""
    return json.dumps({key: name, "type": kind}, separators=(",", ":"), sort_keys=True)


def css(kind: str, name: str, key: str = "name") -> str:
    """A CSS selector for a pattern-matching id (JSON holds no single quote)."""
    return f"[id='{_dom_id(kind, name, key)}']"


def _by_dom_id(duo: Any, dom_id: str) -> Any:
    """Find by an id holding JSON (XPath with single quotes can quote it)."""
    return duo.driver.find_element(By.XPATH, f"//*[@id='{dom_id}']")


def field(duo: Any, name: str) -> Any:
    return _by_dom_id(duo, _dom_id("editor-field", name))


def has_field(duo: Any, name: str) -> bool:
    return bool(duo.driver.find_elements(By.XPATH, f"//*[@id='{_dom_id('editor-field', name)}']"))


def feedback(duo: Any, name: str) -> str:
    return _by_dom_id(duo, _dom_id("editor-feedback", name)).text


def type_into(duo: Any, name: str, text: str, commit: bool = True) -> None:
    """Replace a text field's text as a person would, then leave it (Tab) unless `commit` is False."""
    box = field(duo, name)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text, *([Keys.TAB] if commit else []))


def click(duo: Any, element_id: str) -> None:
    """Scroll a button into view and click it, retrying while the page still moves under it. `element_id` is a
    plain id or the DOM id of a pattern-matching one."""
    last = [""]

    def attempt(driver: Any) -> bool:
        button = driver.find_element(By.XPATH, f"//*[@id='{element_id}']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
        try:
            button.click()
        except ElementClickInterceptedException as exc:
            last[0] = exc.msg + str(
                driver.execute_script(
                    "const r = arguments[0].getBoundingClientRect(); const e = document.elementFromPoint(r.x + 5, r.y + 5);"
                    "return [r.x, r.y, window.innerHeight, window.scrollY, e && e.outerHTML.slice(0, 300)]",
                    button,
                )
            )
            return False
        return True

    try:
        wait_until(duo, attempt, 10, f"could not click #{element_id}")
    except Exception as exc:
        raise AssertionError(f"could not click #{element_id}: {last[0]}") from exc


def open_section(duo: Any, key: str, first_field: str) -> None:
    """Open a closed section by its title and wait until its body is built (`first_field` is there)."""
    click(duo, _dom_id("editor-section-toggle", key, "key"))
    wait_until(duo, lambda d: has_field(duo, first_field), 10, f"the {key} section did not open")


def submit_disabled(duo: Any) -> bool:
    return duo.driver.find_element(By.ID, "editor-submit").get_attribute("disabled") is not None


def grid(key: str) -> str:
    return css("editor-grid", key, "key")


def grid_rows(duo: Any, key: str) -> int:
    return len(duo.driver.find_elements(By.CSS_SELECTOR, f"{grid(key)} .ag-center-cols-container [role=row]"))


def _errors(duo: Any) -> list[dict[str, Any]]:
    """Console errors, less the external stylesheet/font hosts that a machine without internet cannot reach."""
    return [e for e in console_errors(duo) if not re.search(r"cdn\.jsdelivr\.net|ERR_NAME_NOT_RESOLVED", e["message"])]


def open_editor(duo: Any, obsid: int = OBSID) -> None:
    duo.driver.set_window_size(1400, 1000)
    duo.driver.get(f"{duo.server_url}/ocatdatapage/{obsid}")
    wait_until(duo, lambda d: field(duo, "targname").get_attribute("value") == "Cas A", 15, "the form did not fill")


def test_edt001_edit_validate_confirm_finalize(started: Any) -> None:
    duo = started
    open_editor(duo)
    duo.wait_for_contains_text("#editor-header", f"Obsid {OBSID}", timeout=10)
    for section in ("General Parameters", "Dither", "Time Constraints", "ACIS Parameters", "Comments"):
        assert section in duo.driver.find_element(By.ID, "editor-form").text
    open_section(duo, "time", "window_flag")
    wait_until(duo, lambda d: grid_rows(duo, "time") == 2, 10, "time ranks not shown")
    open_section(duo, "acis_window", "spwindow_flag")
    wait_until(duo, lambda d: grid_rows(duo, "window") == 2, 10, "window ranks not shown")
    open_section(duo, "acis", "ccds5_on")
    figure = f"{css('editor-figure', 'focal-plane')} .main-svg"
    wait_until(duo, lambda d: d.find_elements(By.CSS_SELECTOR, figure), 15, "no focal plane figure")
    duo.driver.save_screenshot(SCREENSHOT)

    # an out-of-range value: the message appears under the field and Submit is disabled
    type_into(duo, "y_det_offset", "500")
    wait_until(duo, lambda d: "120" in feedback(duo, "y_det_offset"), 10, "no range error under Offset Y")
    assert submit_disabled(duo)
    # fixed: the message goes and Submit is enabled (the change makes the norm revision real)
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: feedback(duo, "y_det_offset") == "", 10, "the error did not go")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    duo.wait_for_contains_text("#editor-changes", "Offset Y", timeout=10)

    # a new time window row
    click(duo, _dom_id("editor-grid-add", "time", "key"))
    wait_until(duo, lambda d: grid_rows(duo, "time") == 3, 10, "no third time row")
    stop_cell = f'{grid("time")} [row-index="2"] [col-id="tstop"]'
    duo.driver.find_element(By.CSS_SELECTOR, stop_cell).click()
    editor = wait_until(duo, lambda d: d.find_elements(By.CSS_SELECTOR, stop_cell + " input"), 5, "no cell editor")
    editor[0].send_keys(Keys.CONTROL, "a")
    editor[0].send_keys("Jan 1 2001 00:00", Keys.ENTER)  # before its start: the cell itself is marked
    wait_until(
        duo,
        lambda d: "rank-cell-error" in d.find_element(By.CSS_SELECTOR, stop_cell).get_attribute("class"),
        10,
        "the refused stop time was not marked",
    )
    listed = duo.driver.find_element(By.CSS_SELECTOR, css("editor-grid-errors", "time", "key")).get_attribute(
        "textContent"
    )
    assert "Rank 3 Stop Time" in listed, listed
    assert submit_disabled(duo)
    start_cell = f'{grid("time")} [row-index="2"] [col-id="tstart"]'
    assert "rank-cell-error" not in duo.driver.find_element(By.CSS_SELECTOR, start_cell).get_attribute("class"), listed
    duo.driver.find_element(By.CSS_SELECTOR, stop_cell).click()
    editor = wait_until(duo, lambda d: d.find_elements(By.CSS_SELECTOR, stop_cell + " input"), 5, "no cell editor")
    editor[0].send_keys(Keys.CONTROL, "a")
    editor[0].send_keys("Dec 31 2099 12:00", Keys.ENTER)
    wait_until(
        duo,
        lambda d: "rank-cell-error" not in d.find_element(By.CSS_SELECTOR, stop_cell).get_attribute("class"),
        10,
        "the mark stayed after the fix",
    )
    wait_until(duo, lambda d: "Dec 31 2099" in d.find_element(By.CSS_SELECTOR, stop_cell).text, 5, "not edited")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit disabled after adding a time row")

    # confirm: the diff
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    body = duo.driver.find_element(By.ID, "editor-confirm-body").text
    assert "2.5" in body and "Created" in body and "Dec 31 2099" in body, body
    assert duo.driver.find_element(By.ID, "editor-form").value_of_css_property("display") == "none"
    duo.driver.save_screenshot(SCREENSHOT.replace(".png", "-confirm.png"))

    # finalize: the new obsid.rev with its check-page link
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-result", "Thank you", timeout=20)
    links = duo.driver.find_elements(By.CSS_SELECTOR, "#editor-result-list a")
    assert len(links) == 1
    obsidrev = links[0].text
    assert re.fullmatch(rf"{OBSID}\.\d{{3}}", obsidrev), obsidrev
    assert links[0].get_attribute("href").endswith(f"/chkupdata/{obsidrev}")
    assert _errors(duo) == []
    duo.driver.save_screenshot(SCREENSHOT.replace(".png", "-final.png"))

    links[0].click()
    wait_until(duo, lambda d: "/chkupdata/" in d.current_url, 10, "the link did not open the check page")
    wait_until(duo, lambda d: d.find_elements(By.ID, "shell-user"), 10, "the check page did not render")
    duo.wait_for_contains_text("body", obsidrev, timeout=10)


def test_edt002_prompt_and_unknown_obsid(started: Any) -> None:
    duo = started
    duo.driver.get(f"{duo.server_url}/ocatdatapage")
    duo.wait_for_contains_text("#editor-prompt", "Type an obsid", timeout=10)
    assert duo.driver.find_element(By.ID, "editor-body").value_of_css_property("display") == "none"

    duo.driver.get(f"{duo.server_url}/ocatdatapage/99999999")
    duo.wait_for_contains_text("#editor-header", "not in the Ocat", timeout=15)
    assert duo.driver.find_elements(By.ID, "editor-form") == [], "a form for an obsid that does not exist"
    assert _errors(duo) == []


def _set_ocat(settings: dict[str, Any], obsid: int, **values: Any) -> None:
    """Change the test instance's demo Ocat behind the app's back (another person editing the Ocat)."""
    db = sqlite3.connect(Path(settings["instance_path"]) / "ocat_demo.db")
    try:
        with db:
            for column, value in values.items():
                db.execute(f"UPDATE target SET {column} = ? WHERE obsid = ?", (value, obsid))
    finally:
        db.close()


def test_edt003_ocat_changed_before_finalize(started: Any, settings: dict[str, Any]) -> None:
    duo = started
    open_editor(duo)
    # header links: sky-survey row (no images in the test instance), ChaSeR, History; footer links
    duo.wait_for_contains_text("#editor-images", "No DSS Link", timeout=10)
    history = duo.driver.find_element(By.ID, "editor-history-link")
    assert history.get_attribute("href").endswith(f"/history/{OBSID}")
    assert "Chandra User Observation Search" in duo.driver.find_element(By.ID, "editor-footer").text

    # a parameter being changed moves in the Ocat between confirm and finalize: three-way view, nothing written
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    _set_ocat(settings, OBSID, y_det_offset=3.25)
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-conflicts", "Offset Y", timeout=20)
    row = duo.driver.find_element(By.ID, "editor-conflicts").text
    assert "3.25" in row and "2.5" in row, row
    assert "Thank you" not in duo.driver.find_element(By.ID, "editor-result").text

    # back to the editor: it shows the current Ocat value
    click(duo, "editor-conflict-reload")
    wait_until(duo, lambda d: field(duo, "y_det_offset").get_attribute("value") == "3.25", 15, "not reloaded")

    # another parameter moves: the submit goes through and the user is told the originals were refreshed
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    _set_ocat(settings, OBSID, z_det_offset=1.5)
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-result", "Thank you", timeout=20)
    duo.wait_for_contains_text("#editor-refreshed", "Offset Z", timeout=5)
    assert _errors(duo) == []

    # the status board links each row to its observation's history
    duo.driver.get(f"{duo.server_url}/orupdate")
    links = wait_until(
        duo, lambda d: d.find_elements(By.CSS_SELECTOR, '[col-id="obsidrev"] a[href^="/history/"]'), 15, "no history"
    )
    assert links[0].text == "history"


def choose(duo: Any, name: str, label: str) -> None:
    """Pick `label` in a catalogue dropdown, as a person would: open it, click the option."""
    box = field(duo, name)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box)
    box.click()
    option = wait_until(
        duo,
        lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text.strip() == label), None),
        10,
        f"no option {label} for {name}",
    )
    option.click()


def shown(duo: Any, element_id: str) -> bool:
    return duo.driver.find_element(By.ID, element_id).value_of_css_property("display") != "none"


def figure_shapes(duo: Any) -> str:
    return duo.driver.execute_script(
        "const g = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return JSON.stringify([g.layout.shapes, g.data.map(t => t.marker && t.marker.color)]);",
        css("editor-figure", "focal-plane"),
    )


def part_shown(duo: Any, name: str) -> bool:
    return _by_dom_id(duo, _dom_id("editor-part", name)).value_of_css_property("display") != "none"


def test_edt004_units_sections_figure_and_back(started: Any) -> None:
    duo = started
    open_editor(duo)

    # RA typed in degrees or sexagesimal: the degree value beside the field follows both
    ra_deg, dec_deg = css("editor-derived", "ra"), css("editor-derived", "dec")
    type_into(duo, "ra_hms", "350.85")
    duo.wait_for_text_to_equal(ra_deg, "350.850000", timeout=10)
    type_into(duo, "ra_hms", "23:23:30")
    duo.wait_for_text_to_equal(ra_deg, "350.875000", timeout=10)
    type_into(duo, "dec_dms", "58.8")
    duo.wait_for_text_to_equal(dec_deg, "58.800000", timeout=10)

    # Back from the confirm step keeps the edits
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "RA", timeout=15)
    click(duo, "editor-back")
    wait_until(duo, lambda d: shown(duo, "editor-form"), 10, "Back did not return to the form")
    assert field(duo, "ra_hms").get_attribute("value") == "23:23:30"
    duo.wait_for_text_to_equal(ra_deg, "350.875000", timeout=10)

    # the focal plane follows the chip fields
    open_section(duo, "acis", "ccds5_on")
    wait_until(
        duo,
        lambda d: d.find_elements(By.CSS_SELECTOR, f"{css('editor-figure', 'focal-plane')} .main-svg"),
        15,
        "no focal plane figure",
    )
    before = figure_shapes(duo)
    current = field(duo, "ccds5_on").text
    choose(duo, "ccds5_on", "NO" if "YES" in current else "YES")
    wait_until(duo, lambda d: figure_shapes(duo) != before, 10, "the focal plane did not change with S5")

    # sections follow the flags and the instrument
    open_section(duo, "time", "window_flag")
    assert part_shown(duo, "time_ranks")
    choose(duo, "window_flag", "NO")
    wait_until(duo, lambda d: not part_shown(duo, "time_ranks"), 10, "the time constraints stayed shown")
    assert shown(duo, "editor-sec-acis") and not shown(duo, "editor-sec-hrc")
    choose(duo, "instrument", "HRC-I")
    wait_until(duo, lambda d: shown(duo, "editor-sec-hrc"), 10, "the HRC section did not appear")
    wait_until(duo, lambda d: not shown(duo, "editor-sec-acis"), 10, "the ACIS section stayed shown")
    assert _errors(duo) == []


TYPE_AND_SUBMIT = """
const box = arguments[0];
box.focus();
Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(box, box.value + arguments[1]);
box.dispatchEvent(new Event('input', {bubbles: true}));
const submit = document.getElementById('editor-submit');
submit.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true}));
submit.click();
"""
"""Type into a textarea and press Submit in the same moment (a fast user, without a timing race in the test)."""


def test_edt005_a_typed_remark_counts_without_leaving_the_field(started: Any) -> None:
    duo = started
    open_editor(duo)
    assert submit_disabled(duo)  # nothing changed yet
    type_into(duo, "remarks", "Please observe after the flare.", commit=False)
    box = field(duo, "remarks")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled while the remark was typed")
    assert duo.driver.switch_to.active_element == box, "the remark field lost the focus"
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Please observe after the flare.", timeout=15)

    # Back, add to the remark and press Submit at once, well within the 300 ms the field waits before it sends:
    # the confirm step has all of it
    click(duo, "editor-back")
    wait_until(duo, lambda d: shown(duo, "editor-form"), 10, "Back did not return to the form")
    duo.driver.execute_script(TYPE_AND_SUBMIT, field(duo, "remarks"), " Twice.")
    duo.wait_for_contains_text("#editor-confirm-body", "after the flare. Twice.", timeout=15)
    assert _errors(duo) == []


def test_edt006_closed_sections_are_built_when_opened(started: Any) -> None:
    duo = started
    open_editor(duo)
    driver = duo.driver
    assert has_field(duo, "remarks"), "the comments section starts open"
    for name in ("dither_flag", "window_flag", "ccds5_on", "spwindow_flag", "hrc_timing_mode"):
        assert not has_field(duo, name), f"{name} is on the page before its section was opened"
    assert driver.find_elements(By.CSS_SELECTOR, ".ag-root, .js-plotly-plot") == [], "a grid or figure at load"

    open_section(duo, "dither", "dither_flag")
    assert field(duo, "y_amp_asec").get_attribute("value") not in ("", None), "the opened section is not filled"
    type_into(duo, "y_amp_asec", "16")
    wait_until(duo, lambda d: "Y_Amp" in d.find_element(By.ID, "editor-changes").text, 10, "no dither change")
    # closing and opening again keeps the edit (the body is built once)
    toggle = _dom_id("editor-section-toggle", "dither", "key")
    click(duo, toggle)
    wait_until(duo, lambda d: not field(duo, "y_amp_asec").is_displayed(), 10, "the section did not close")
    click(duo, toggle)
    wait_until(duo, lambda d: field(duo, "y_amp_asec").is_displayed(), 10, "the section did not open again")
    assert field(duo, "y_amp_asec").get_attribute("value") == "16"

    # the focal plane is drawn when the ACIS section is opened
    open_section(duo, "acis", "ccds5_on")
    wait_until(
        duo,
        lambda d: d.find_elements(By.CSS_SELECTOR, f"{css('editor-figure', 'focal-plane')} .main-svg"),
        15,
        "no focal plane figure",
    )
    assert _errors(duo) == []


FILLED_PROBE = """
(function () {
  var id = JSON.stringify({name: 'targname', type: 'editor-field'});
  function tick() {
    var f = document.getElementById(id);
    if (f && f.value) { window.usintFilledAt = performance.now(); return; }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""
"""Notes when the first field of the editor shows its value (performance.now(), from navigation)."""


def test_edt007_usable_after_one_round_trip(started: Any) -> None:
    duo = started
    duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FILLED_PROBE})
    open_editor(duo)
    filled = wait_until(duo, lambda d: d.execute_script("return window.usintFilledAt"), 10, "no fill time")
    requests = duo.driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('_dash-update-component') && e.startTime < arguments[0]).length",
        filled,
    )
    assert requests <= 1, f"{requests} callback round trips before the form showed its values"

    # usable: a field takes text and the validation answers under it
    type_into(duo, "y_det_offset", "500", commit=False)
    wait_until(duo, lambda d: "120" in feedback(duo, "y_det_offset"), 10, "no range error under Offset Y")
    assert submit_disabled(duo)
    assert _errors(duo) == []
