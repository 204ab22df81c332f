"""What v2.1 had, in Chromium: the home page's reference links (a setting), the Admin and Tech contacts in the
footer of every page, and the Ocat data page help in plain language (prose, field descriptions, links, and no
internal notes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from dashboard import create_app
from data.parameters.catalogue import HELP_ANCHORS, PARAMETERS, SECTIONS
from tests.browser.conftest import console_errors
from tests.fixtures.net import free_port

pytestmark = pytest.mark.browser

V21_LINKS = {
    "USINT Procedures": "https://cxc.cfa.harvard.edu/cus/procedures.html",
    "Cycle 28 Contact Letter Generator": "https://cxc.cfa.harvard.edu/cus/Usint/go_form/AO28.html",
    "Internal Target Search": "https://cxc.cfa.harvard.edu/cgi-bin/target_search/search.html",
    "Current USINT mail archive": "https://groups.google.com/a/cfa.harvard.edu/forum/?hl=en#!forum/cus",
    "E-mail lists and who is in them": "https://cxc.cfa.harvard.edu/cus/emaillists.txt",
    "How to fill in dither parameters (dither table)": "https://cxc.cfa.harvard.edu/cus/dither.table.html",
    "ObsVis help": "http://cxc.cfa.harvard.edu/obsvis/",
    "Instrument Changes": "https://cxc.cfa.harvard.edu/cus/InstrumentChanges.html",
    "Long-Term Schedule": "http://cxc.cfa.harvard.edu/target_lists/longsched.html",
    "ObsIDs approved for flight": "/approved",
}
INSTRUMENT_CHANGES = "https://cxc.cfa.harvard.edu/cus/InstrumentChanges.html"
NOT_LINKED_JS = """
const main = document.querySelector('main').cloneNode(true);
main.querySelectorAll('a').forEach(a => a.remove());
return main.textContent;
"""


def links_in(duo: Any, selector: str) -> dict[str, str]:
    """text → href of the links under `selector` (hrefs of this app without the server's address)."""
    found = duo.driver.find_elements(By.CSS_SELECTOR, f"{selector} a")
    return {a.text.strip(): a.get_attribute("href").replace(duo.server_url, "") for a in found}


def test_hlp001_home_lists_v21s_reference_links(started: Any) -> None:
    started.wait_for_element("#home-reference-links a", timeout=10)
    shown = links_in(started, "#home-reference-links")
    for text, url in V21_LINKS.items():
        assert shown.get(text) == url, text
    sections = [h.text for h in started.driver.find_elements(By.CSS_SELECTOR, "#home-reference-links h3")]
    assert sections == [
        "Obscat Updates and Signoffs",
        "Communication",
        "ObsVis and Dither",
        "TOO/DDT",
        "Useful Notes and Sites",
    ]
    internal = started.driver.find_elements(By.CSS_SELECTOR, "#home-reference-links li .usint-internal")
    assert internal and "CfA network" in internal[0].get_attribute("title")


def test_hlp002_every_page_has_the_admin_and_tech_contacts(started: Any) -> None:
    for path in ("/", "/orupdate", "/approved", "/express", "/help/ocat"):
        started.driver.get(started.server_url + path)
        footer = "footer" if path.startswith("/help") else "#shell-footer"
        started.wait_for_element(f"{footer} a", timeout=10)
        assert links_in(started, footer) == {
            "bwargelin@cfa.harvard.edu": "mailto:bwargelin@cfa.harvard.edu",
            "william.aaron@cfa.harvard.edu": "mailto:william.aaron@cfa.harvard.edu",
        }, path


def test_hlp003_an_instance_sets_its_own_links_and_contacts(dash_duo: Any, settings: dict[str, Any]) -> None:
    links = [{"title": "Local pages", "links": [{"text": "Our wiki", "url": "https://wiki.example/usint"}]}]
    config = Path(settings["instance_path"]) / "config.py"
    config.write_text(f"REFERENCE_LINKS = {links!r}\nTECH_EMAIL = 'usint-help@example.org'\n")
    dash_duo.start_server(create_app(settings), port=free_port())
    dash_duo.wait_for_element("#home-reference-links a", timeout=10)
    assert links_in(dash_duo, "#home-reference-links") == {"Our wiki": "https://wiki.example/usint"}
    assert "mailto:usint-help@example.org" in links_in(dash_duo, "#shell-footer").values()


def test_hlp004_help_explains_in_prose_ranked_entries_multiple_obsids_and_every_section(started: Any) -> None:
    started.driver.get(started.server_url + "/help/ocat")
    started.wait_for_element("main h1", timeout=10)
    body = started.driver.find_element(By.TAG_NAME, "body").text
    for heading in (
        "How a change is made",
        "Ranked entries: time windows, roll constraints and ACIS windows",
        "Changing several obsids at once",
    ):
        assert heading in body
    assert "replaced by the main obsid's as a whole" in body and "at most 500" in body
    for section, title in SECTIONS.items():
        if section == "record":
            continue
        block = started.driver.find_element(By.ID, HELP_ANCHORS[section])  # the editor's "(Help)" links land here
        assert block.find_element(By.TAG_NAME, "h2").text == title
        assert len(block.find_element(By.TAG_NAME, "p").text) > 40, f"{title}: no prose"
    assert console_errors(started) == []


def test_hlp005_each_field_has_its_description_not_only_a_table_row(started: Any) -> None:
    started.driver.get(started.server_url + "/help/ocat")
    for name, words in (
        ("dither_flag", "standard dither"),
        ("sample", "exclusion window"),
        ("comments", "Why the change is made"),
        ("trans_offset", "2.93 mm per arcmin"),
    ):
        term = started.driver.find_element(By.ID, f"field-{name}")
        assert term.text.startswith(PARAMETERS[name].label)
        description = term.find_element(By.XPATH, "following-sibling::dd[1]").text
        assert words in description, name
    assert not started.driver.find_elements(By.TAG_NAME, "table"), "the help is prose, not a table of rows"


def test_hlp006_no_internal_notes_reach_the_help(started: Any) -> None:
    started.driver.get(started.server_url + "/help/ocat")
    started.wait_for_element("main h1", timeout=10)
    text = started.driver.find_element(By.TAG_NAME, "body").text
    notes = [p.v1_note for p in PARAMETERS.values() if p.v1_note]
    assert notes, "the catalogue keeps its v1 notes (for developers)"
    for note in notes:
        assert note not in text
    for internal in ("v1:", "v1 did not check", "v1 range", "v2.1", "[ORIG]", "[REC]", "\u00a7"):
        assert internal not in text, internal


def test_hlp007_urls_in_the_help_are_links(started: Any) -> None:
    started.driver.get(started.server_url + "/help/ocat")
    started.wait_for_element("main h1", timeout=10)
    instrument = started.driver.find_element(By.XPATH, "//dt[@id='field-instrument']/following-sibling::dd[1]")
    link = instrument.find_element(By.CSS_SELECTOR, f"a[href='{INSTRUMENT_CHANGES}']")
    assert link.text == INSTRUMENT_CHANGES and link.get_attribute("rel") == "noopener"
    plain = started.driver.execute_script(NOT_LINKED_JS)  # no URL left as plain text
    assert "http://" not in plain and "https://" not in plain, plain
