"""The editor in daily use (issue #16), in Chromium as a user goes through it: read-only users, the obsid box,
kinds that drop edits, revisions submitted meanwhile, HRC sections, labels, notes and links on the confirm step,
unsaved work (leaving, the draft kept in the browser) and links to group and monitor obsids.

Demo Ocat: 12345 is Cas A (ACIS-S, unobserved), 1001 an HRC-S observation, 1005 follows 1004 in a monitor series
(1005, 1006), 1007 is in group G1007 with 1008.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import wait_until
from tests.browser.test_editor import (
    _dom_id,
    _errors,
    choose,
    click,
    feedback,
    field,
    open_section,
    shown,
    submit_disabled,
    type_into,
)

pytestmark = pytest.mark.browser

OBSID = 12345
TEXT = "return (document.getElementById(arguments[0]) || {}).textContent || ''"


@pytest.fixture
def user() -> str | None:
    """Who the app sees (its development user); a test parametrizes it."""
    return "demo"


@pytest.fixture
def settings(settings: dict[str, Any], user: str | None) -> dict[str, Any]:
    return {**settings, "dev_user": user}


def text(duo: Any, element_id: str) -> str:
    return duo.driver.execute_script(TEXT, element_id)


def open_obsid(duo: Any, obsid: int = OBSID) -> None:
    duo.driver.get(f"{duo.server_url}/ocatdatapage/{obsid}")
    wait_until(duo, lambda d: field(duo, "targname").get_attribute("value"), 15, f"obsid {obsid} did not fill")


def alert_text(duo: Any, accept: bool) -> str:
    """The text of the dialog the page opened (accepted or dismissed)."""
    alert = WebDriverWait(duo.driver, 5).until(EC.alert_is_present())
    said = alert.text
    alert.accept() if accept else alert.dismiss()
    return said


def no_alert(duo: Any) -> bool:
    try:
        WebDriverWait(duo.driver, 1).until(EC.alert_is_present())
    except Exception:
        return True
    return False


def api(duo: Any, path: str, body: dict | None = None, user: str = "alice") -> Any:
    """The JSON API as another person (`user`) uses it, behind the page's back."""
    req = urllib.request.Request(
        duo.server_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Remote-User": user},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(req) as resp:  # noqa: S310 (loopback test server)
        return json.loads(resp.read())


def revision_count(duo: Any, obsid: int = OBSID) -> int:
    return len(api(duo, f"/api/v1/revisions?obsid={obsid}"))


def press(duo: Any, element: Any) -> None:
    """Scroll `element` into view and click it (a dialog it opens stays open)."""
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()


def kind(duo: Any, value: str) -> None:
    """Pick a submission kind by its radio button, as a person clicks its label."""
    box = duo.driver.find_element(By.CSS_SELECTOR, f"#editor-kind input[value='{value}']")
    label = duo.driver.find_element(By.CSS_SELECTOR, f"#editor-kind label[for='{box.get_attribute('id')}']")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", label)
    label.click()


def kind_value(duo: Any) -> str:
    return duo.driver.execute_script(
        "const i = document.querySelector('#editor-kind input:checked'); return i ? i.value : null"
    )


# ---------------------------------------------------------------------------------------------------- 1 read only


@pytest.mark.parametrize(
    ("user", "words"),
    [("frank", "frank is inactive"), ("zed", "zed is not registered"), (None, "you are not signed in")],
)
def test_edd001_read_only_users_cannot_reach_the_confirm_step(started: Any, user: str | None, words: str) -> None:
    duo = started
    open_obsid(duo)
    assert submit_disabled(duo)
    assert words in text(duo, "editor-submit-reason"), text(duo, "editor-submit-reason")
    before = revision_count(duo)

    # they may try values: the live check answers, Submit stays off and says why
    type_into(duo, "y_det_offset", "2.5")
    duo.wait_for_contains_text("#editor-changes", "Offset Y", timeout=10)
    assert submit_disabled(duo)
    assert words in duo.driver.find_element(By.ID, "editor-submit-reason").text  # visible, beside Submit
    assert "read only" in text(duo, "editor-submit-reason")

    # the server refuses all the same: a forged press on Submit gets a confirm step whose Finalize is off, and a
    # forged press on Finalize writes nothing and says so on the page
    duo.driver.execute_script("window.dash_clientside.set_props('editor-submit', {n_clicks: 1})")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    assert duo.driver.find_element(By.ID, "editor-finalize").get_attribute("disabled") is not None
    assert "Finalize is off" in text(duo, "editor-finalize-reason") and words in text(duo, "editor-finalize-reason")
    duo.driver.execute_script("window.dash_clientside.set_props('editor-finalize', {n_clicks: 1})")
    duo.wait_for_contains_text("#editor-refused", "Nothing was submitted", timeout=15)
    assert revision_count(duo) == before
    assert "Thank you" not in text(duo, "editor-result")


def test_edd002_every_disabled_control_says_why(started: Any) -> None:
    duo = started
    open_obsid(duo)
    assert submit_disabled(duo)
    assert "until you change a parameter" in duo.driver.find_element(By.ID, "editor-submit-reason").text
    type_into(duo, "y_det_offset", "500")
    wait_until(duo, lambda d: "120" in feedback(duo, "y_det_offset"), 10, "no range error")
    assert "fix the 1 problem marked in red" in duo.driver.find_element(By.ID, "editor-submit-reason").text
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    assert duo.driver.find_element(By.ID, "editor-submit-reason").text == ""
    type_into(duo, "targname", "")
    wait_until(duo, lambda d: submit_disabled(duo), 10, "Submit stayed enabled without a target name")
    assert "fix the 1 problem" in duo.driver.find_element(By.ID, "editor-submit-reason").text


# ---------------------------------------------------------------------------------------------------- 2 obsid box


def test_edd003_the_obsid_box_opens_on_enter_and_says_what_is_wrong(started: Any) -> None:
    duo = started
    duo.driver.get(f"{duo.server_url}/ocatdatapage")
    box = duo.wait_for_element("#editor-prompt-input", timeout=10)
    cases = [
        ("abc", "is not an obsid"),
        ("1234567890", "out of range"),
        ("-5", "is not an obsid"),
        ("12345.4", "is a revision"),
        ("", "Type an obsid"),
    ]
    for typed, says in cases:
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.DELETE)
        box.send_keys(typed, Keys.ENTER)
        duo.wait_for_contains_text("#editor-prompt-feedback", says, timeout=10)
        assert "/ocatdatapage/" not in duo.driver.current_url
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("1001", Keys.ENTER)
    wait_until(duo, lambda d: d.current_url.endswith("/ocatdatapage/1001"), 10, "Enter did not open the obsid")
    wait_until(duo, lambda d: field(duo, "targname").get_attribute("value") == "PKS 2155-304", 15, "not filled")


# ---------------------------------------------------------------------------------------------------- 3 kinds


def test_edd004_a_kind_that_drops_the_edits_says_so_with_a_way_back(started: Any) -> None:
    duo = started
    open_obsid(duo)
    warning = duo.driver.find_element(By.ID, "editor-kind-warning")
    assert not warning.is_displayed()
    kind(duo, "asis")  # nothing edited: nothing to lose
    wait_until(duo, lambda d: "until you change" not in text(duo, "editor-submit-reason"), 10, "no live check")
    assert not warning.is_displayed()
    kind(duo, "norm")
    type_into(duo, "y_det_offset", "2.5")
    type_into(duo, "comments", "Because.")
    duo.wait_for_contains_text("#editor-changes", "Offset Y", timeout=10)

    kind(duo, "asis")
    wait_until(duo, lambda d: warning.is_displayed(), 10, "no warning for an approval after edits")
    assert "Offset Y" in warning.text and "will NOT be submitted" in warning.text, warning.text
    click(duo, "editor-kind-back")
    wait_until(duo, lambda d: kind_value(duo) == "norm", 10, "the way back did not choose Normal Change")
    wait_until(duo, lambda d: not warning.is_displayed(), 10, "the warning stayed")
    assert field(duo, "y_det_offset").get_attribute("value") == "2.5"

    kind(duo, "clone")  # a split keeps the comment only
    wait_until(duo, lambda d: warning.is_displayed(), 10, "no warning for a split after edits")
    assert "Offset Y" in warning.text and "Comments" not in warning.text, warning.text

    kind(duo, "remove")
    wait_until(duo, lambda d: "removal" in warning.text, 10, "the warning did not follow the kind")
    click(duo, "editor-submit")  # going on knowingly: the confirm step says it again
    duo.wait_for_contains_text("#editor-dropped", "Offset Y", timeout=15)
    assert "will NOT be submitted" in duo.driver.find_element(By.ID, "editor-dropped").text
    assert _errors(duo) == []


# ---------------------------------------------------------------------------------------------------- 4 newer revisions


def test_edd005_revisions_submitted_meanwhile_are_named_on_the_confirm_step(started: Any) -> None:
    duo = started
    open_obsid(duo)
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    # alice submits a revision of the same obsid while the page is open
    made = api(duo, "/api/v1/revisions", {"obsid": OBSID, "kind": "norm", "changes": {"remarks": "Alice was here."}})
    theirs = made["revisions"][0]

    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-newer", theirs, timeout=15)
    notice = duo.driver.find_element(By.ID, "editor-newer").text
    assert "alice" in notice and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", notice), notice
    finalize = duo.driver.find_element(By.ID, "editor-finalize")
    assert finalize.get_attribute("disabled") is not None
    assert "tick the box" in duo.driver.find_element(By.ID, "editor-finalize-reason").text
    link = duo.driver.find_element(By.CSS_SELECTOR, "#editor-newer a.editor-newer-link")
    assert link.get_attribute("href").endswith(f"/chkupdata/{theirs}")

    # ticked: Finalize opens; then bob submits too before the press: nothing is written, the page says so
    press(duo, duo.driver.find_element(By.CSS_SELECTOR, "#editor-newer-ack label"))
    wait_until(duo, lambda d: finalize.get_attribute("disabled") is None, 10, "the tick did not open Finalize")
    later = api(duo, "/api/v1/revisions", {"obsid": OBSID, "kind": "norm", "changes": {"remarks": "Me too."}})
    count = revision_count(duo)
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-unseen", later["revisions"][0], timeout=15)
    assert revision_count(duo) == count

    # back, submit again: both are named; ticked, the revision goes through on top of them
    click(duo, "editor-back")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-newer", later["revisions"][0], timeout=15)
    assert theirs in duo.driver.find_element(By.ID, "editor-newer").text
    assert text(duo, "editor-result") == ""
    press(duo, duo.driver.find_element(By.CSS_SELECTOR, "#editor-newer-ack label"))
    wait_until(duo, lambda d: finalize.get_attribute("disabled") is None, 10, "the tick did not open Finalize")
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-result", "Thank you", timeout=20)
    assert revision_count(duo) == count + 1


def test_edd006_no_notice_when_nothing_was_submitted_meanwhile(started: Any) -> None:
    duo = started
    open_obsid(duo)
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    assert not shown(duo, "editor-newer")
    assert duo.driver.find_element(By.ID, "editor-finalize").get_attribute("disabled") is None


# ---------------------------------------------------------------------------------------------------- 5 HRC


def test_edd007_an_hrc_observation_shows_no_acis_boxes(started: Any) -> None:
    duo = started
    open_obsid(duo, 1001)
    assert shown(duo, "editor-sec-hrc")
    assert not shown(duo, "editor-sec-window") and not shown(duo, "editor-sec-acis")
    visible = [
        e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, "#editor-form .card-header") if e.is_displayed()
    ]
    assert not any("ACIS" in t for t in visible), visible
    type_into(duo, "targname", "PKS 2155-304 b")  # after a live check too
    duo.wait_for_contains_text("#editor-changes", "Target Name", timeout=10)
    assert not shown(duo, "editor-sec-window") and not shown(duo, "editor-sec-acis")
    choose(duo, "instrument", "ACIS-S")  # an instrument change brings them
    wait_until(duo, lambda d: shown(duo, "editor-sec-window"), 10, "no ACIS windows for ACIS-S")
    choose(duo, "instrument", "HRC-S")
    wait_until(duo, lambda d: not shown(duo, "editor-sec-window"), 10, "ACIS windows stayed for HRC-S")


# ---------------------------------------------------------------------------------------------------- 6 labels


def ax_name(duo: Any, element: Any) -> str:
    """The accessible name Chromium computes for `element` (CDP Accessibility)."""
    driver = duo.driver
    driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})
    node = driver.execute_cdp_cmd(
        "DOM.describeNode",
        {
            "objectId": driver.execute_cdp_cmd(
                "Runtime.evaluate",
                {"expression": f"document.getElementById({json.dumps(element.get_attribute('id'))})"},
            )["result"]["objectId"]
        },
    )
    tree = driver.execute_cdp_cmd(
        "Accessibility.getPartialAXTree", {"backendNodeId": node["node"]["backendNodeId"], "fetchRelatives": False}
    )
    return tree["nodes"][0].get("name", {}).get("value", "")


def test_edd008_labels_focus_their_fields(started: Any) -> None:
    duo = started
    open_obsid(duo)
    driver = duo.driver
    for name, label in (("targname", "Target Name"), ("y_det_offset", "Offset Y"), ("comments", "Comments")):
        tag = driver.find_element(By.ID, f"editor-label-{name}")
        assert tag.get_attribute("for") == _dom_id("editor-field", name)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", tag)
        tag.click()
        assert driver.switch_to.active_element == field(duo, name), f"the {name} label did not focus its field"
        assert ax_name(duo, field(duo, name)).startswith(label), ax_name(duo, field(duo, name))
    # a dropdown: named by its label and its value, its label opens it; it names its option list only while
    # the list exists (Dash 4's button names a missing element, assets/editor.js puts that right)
    button = field(duo, "instrument")
    wait_until(duo, lambda d: ax_name(duo, button) == "Instrument ACIS-S", 5, f"named {ax_name(duo, button)!r}")
    assert button.get_attribute("aria-controls") is None
    group = button.find_element(By.XPATH, "./ancestor::*[@role='group'][1]")
    assert group.get_attribute("aria-labelledby") == "editor-label-instrument"
    tag = driver.find_element(By.ID, "editor-label-instrument")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", tag)
    tag.click()
    wait_until(duo, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]"), 5, "the label did not open it")
    wait_until(
        duo,
        lambda d: d.execute_script(
            "const c = arguments[0].getAttribute('aria-controls'); return !!c && !!document.getElementById(c)", button
        ),
        5,
        "the open list is not named",
    )
    button.send_keys(Keys.ESCAPE)


# ---------------------------------------------------------------------------------------------------- 7, 8 confirm


def test_edd009_confirm_notes_in_words_and_urls_as_links(started: Any) -> None:
    duo = started
    open_obsid(duo)
    type_into(duo, "targname", "Cassiopeia A")
    choose(duo, "instrument", "ACIS-I")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-notes", "Target Change", timeout=15)
    notes = duo.driver.find_element(By.ID, "editor-notes").text
    assert "Instrument Change" in notes and "_" not in notes, notes
    link = duo.driver.find_element(By.CSS_SELECTOR, "#editor-warnings a[href^='https://cxc.cfa.harvard.edu/cus/']")
    assert link.text == link.get_attribute("href") and link.get_attribute("target") == "_blank"
    assert "Instrument Changes Explanation:" in duo.driver.find_element(By.ID, "editor-warnings").text
    # who signs each sign-off the submission opens, from the site's permissions (as v2.1 showed the routing)
    assert "General (ArcOps or USINT)" in duo.driver.find_element(By.ID, "editor-pending").text


# ---------------------------------------------------------------------------------------------------- 9 unsaved work


def draft_keys(duo: Any) -> list[str]:
    return duo.driver.execute_script("return Object.keys(localStorage).filter(k => k.startsWith('usint-editor'))")


def test_edd010_leaving_with_unsaved_edits_asks_first(started: Any) -> None:
    duo = started
    open_obsid(duo)
    driver = duo.driver
    type_into(duo, "y_det_offset", "2.5")
    duo.wait_for_contains_text("#editor-changes", "Offset Y", timeout=10)

    press(duo, driver.find_element(By.LINK_TEXT, "Status Board"))  # a navbar link
    assert "not submitted" in alert_text(duo, accept=False)
    assert "/ocatdatapage/" in driver.current_url and field(duo, "y_det_offset").get_attribute("value") == "2.5"
    press(duo, driver.find_element(By.ID, "editor-history-link"))  # a link in the page
    assert "Leave this page?" in alert_text(duo, accept=False)
    jump = driver.find_element(By.ID, "shell-jump-input")  # the navbar's quick jump
    press(duo, jump)
    jump.send_keys("1001", Keys.ENTER)
    assert "not submitted" in alert_text(duo, accept=False)
    assert "/ocatdatapage/12345" in driver.current_url
    # reload or closing the tab: the browser's own question (the handler asks for it)
    asked = (
        "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented"
    )
    assert driver.execute_script(asked) is True

    refresh = driver.find_element(By.CSS_SELECTOR, "#editor-form a.usint-editor-refresh")
    press(duo, refresh)
    assert "drops your edits" in alert_text(duo, accept=False)
    assert field(duo, "y_det_offset").get_attribute("value") == "2.5"
    assert draft_keys(duo) == [f"usint-editor-draft:{OBSID}"]
    press(duo, refresh)  # yes: the Ocat's values again, and the draft is gone
    assert "drops your edits" in alert_text(duo, accept=True)
    wait_until(duo, lambda d: field(duo, "y_det_offset").get_attribute("value") == "1", 15, "not refreshed")
    assert draft_keys(duo) == [] and not shown(duo, "editor-draft-offer")
    assert driver.execute_script(asked) is False  # nothing edited: nothing asked
    press(duo, driver.find_element(By.LINK_TEXT, "Status Board"))
    assert no_alert(duo)
    wait_until(duo, lambda d: d.current_url.endswith("/orupdate"), 10, "the link did not go")


def test_edd011_the_draft_survives_a_reload_and_is_offered_again(started: Any) -> None:
    duo = started
    open_obsid(duo)
    driver = duo.driver
    type_into(duo, "y_det_offset", "2.5")
    open_section(duo, "dither", "y_amp_asec")
    type_into(duo, "y_amp_asec", "16")
    duo.wait_for_contains_text("#editor-changes", "Y_Amp", timeout=10)

    open_obsid(duo)  # a reload (or a crash and the obsid opened again): the Ocat's values, and the offer
    assert field(duo, "y_det_offset").get_attribute("value") == "1"
    duo.wait_for_contains_text("#editor-draft-offer", "Offset Y", timeout=10)
    assert "Y_Amp" in driver.find_element(By.ID, "editor-draft-text").text
    click(duo, "editor-draft-restore")
    wait_until(duo, lambda d: field(duo, "y_det_offset").get_attribute("value") == "2.5", 15, "not restored")
    assert field(duo, "y_amp_asec").get_attribute("value") == "16" and field(duo, "y_amp_asec").is_displayed()
    duo.wait_for_contains_text("#editor-changes", "Y_Amp", timeout=10)
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled after the restore")
    assert not shown(duo, "editor-draft-offer") and not shown(duo, "editor-confirm")

    # discarded: not offered again
    open_obsid(duo)
    duo.wait_for_contains_text("#editor-draft-offer", "Offset Y", timeout=10)
    click(duo, "editor-draft-discard")
    wait_until(duo, lambda d: not shown(duo, "editor-draft-offer"), 10, "the offer stayed")
    assert draft_keys(duo) == []
    open_obsid(duo)
    assert no_alert(duo) and not shown(duo, "editor-draft-offer")

    # a successful submit forgets the draft
    type_into(duo, "y_det_offset", "2.5")
    wait_until(duo, lambda d: not submit_disabled(duo), 10, "Submit stayed disabled")
    assert draft_keys(duo) == [f"usint-editor-draft:{OBSID}"]
    click(duo, "editor-submit")
    duo.wait_for_contains_text("#editor-confirm-body", "Offset Y", timeout=15)
    click(duo, "editor-finalize")
    duo.wait_for_contains_text("#editor-result", "Thank you", timeout=20)
    wait_until(duo, lambda d: draft_keys(duo) == [], 10, "the draft outlived the submit")
    press(duo, driver.find_element(By.LINK_TEXT, "Status Board"))
    assert no_alert(duo)
    assert _errors(duo) == []


# ---------------------------------------------------------------------------------------------------- 10 obsid links


def test_edd012_group_monitor_and_follows_obsids_are_links(started: Any) -> None:
    duo = started
    open_obsid(duo, 1005)
    open_section(duo, "other", "pre_id")
    links = {
        a.get_attribute("textContent"): a.get_attribute("href")
        for a in duo.driver.find_elements(By.CSS_SELECTOR, "a.editor-obsid-link")
    }
    assert links["1006"].endswith("/ocatdatapage/1006") and links["1004"].endswith("/ocatdatapage/1004"), links
    press(duo, duo.driver.find_element(By.CSS_SELECTOR, "a.editor-obsid-link[href$='/ocatdatapage/1006']"))
    wait_until(duo, lambda d: d.current_url.endswith("/ocatdatapage/1006"), 10, "the link did not open 1006")
    open_obsid(duo, 1007)
    open_section(duo, "other", "pre_id")
    links = {
        a.get_attribute("textContent"): a.get_attribute("href")
        for a in duo.driver.find_elements(By.CSS_SELECTOR, "a.editor-obsid-link")
    }
    assert links["1008"].endswith("/ocatdatapage/1008"), links
