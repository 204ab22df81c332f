"""Approved for flight (`/approved`) in Chromium: the approved obsids with when and by whom, in one round trip,
searchable (debounced), as CSV, from the navbar and by deep link."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import console_errors, wait_until

pytestmark = pytest.mark.browser

OBSID = 12345  # the demo's Cas A: unobserved, not approved on a fresh demo instance
GRID_API = "window.dash_ag_grid.getApi('approved-grid')"
ROWS_JS_BODY = (
    f"(() => {{ const rows = []; {GRID_API}.forEachNodeAfterFilterAndSort(n => rows.push(n.data)); return rows; }})()"
)
ROWS_JS = f"return {ROWS_JS_BODY};"
CALLS_JS = (
    "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update-component')).length"
)


def shown_rows(duo: Any) -> list[dict[str, Any]]:
    """The rows the grid shows (after its quick filter), in order."""
    found = wait_until(
        duo, lambda d: d.execute_script(f"try {{ return [{ROWS_JS_BODY}]; }} catch (e) {{ return null; }}"), 15
    )
    return found[0]


def api(duo_app: Any) -> Any:
    return duo_app.server.test_client()


def open_page(duo: Any, query: str = "") -> list[dict[str, Any]]:
    duo.driver.get(f"{duo.server_url}/approved{query}")
    duo.wait_for_element("#approved-grid .ag-center-cols-container", timeout=15)
    return shown_rows(duo)


@pytest.fixture
def page(started: Any, app: Any) -> Any:
    started.usint_app = app
    return started


def test_apr001_lists_every_approved_obsid_in_one_round_trip(page: Any) -> None:
    approved = page.usint_app.server.test_client().get("/api/v1/approved").get_json()
    assert approved, "the demo has approved obsids"
    rows = open_page(page)
    assert sorted(r["obsid"] for r in rows) == sorted(approved)
    assert page.driver.execute_script(CALLS_JS) <= 1, "the page arrives filled: at most Dash Pages' own request"
    summary = page.find_element("#approved-summary").text
    assert summary.startswith(f"{len(approved)} approved observations")
    assert all(r["approved"] and r["by"] and r["obsidrev"].startswith(f"{r['obsid']}.") for r in rows)
    assert console_errors(page) == []


def test_apr002_an_asis_revision_adds_the_obsid_with_when_and_by_whom_and_a_remove_takes_it_off(page: Any) -> None:
    client = page.usint_app.server.test_client()
    assert OBSID not in client.get("/api/v1/approved").get_json()
    saved = client.post("/api/v1/revisions", json={"obsid": OBSID, "kind": "asis"})
    assert saved.status_code == 201, saved.get_json()
    obsidrev = saved.get_json()["revisions"][0]
    revision = client.get(f"/api/v1/revisions/{obsidrev}").get_json()

    rows = open_page(page, f"?q={OBSID}")  # a deep link with the search filled
    assert [r["obsid"] for r in rows] == [OBSID]
    row = rows[0]
    assert row["obsidrev"] == obsidrev and row["by"] == "Demo User (demo)"
    at = datetime.fromisoformat(revision["time"].replace("Z", "+00:00")).astimezone(ZoneInfo("America/New_York"))
    assert row["approved"] == f"{at:%Y-%m-%d %H:%M} {at.tzname()}"
    assert page.find_element("#approved-search").get_attribute("value") == str(OBSID)
    links = {
        a.get_attribute("href").split(page.server_url)[1]
        for a in page.driver.find_elements(By.CSS_SELECTOR, "#approved-grid .ag-center-cols-container a")
    }
    assert links == {f"/ocatdatapage/{OBSID}", f"/chkupdata/{obsidrev}"}

    removed = client.post("/api/v1/revisions", json={"obsid": OBSID, "kind": "remove"})
    assert removed.status_code == 201, removed.get_json()
    assert open_page(page, f"?q={OBSID}") == []
    wait_until(
        page, lambda d: "No approved observation matches the search" in d.find_element(By.ID, "approved-grid").text
    )


def test_apr003_search_filters_the_rows_after_typing_stops(page: Any) -> None:
    rows = open_page(page)
    target = next(r for r in rows if r["target"])
    word = target["target"].split()[0]
    expected = sorted(r["obsid"] for r in rows if word.lower() in " ".join(str(v) for v in r.values()).lower())
    before = page.driver.execute_script(CALLS_JS)
    box = page.find_element("#approved-search")
    box.send_keys(word)  # one key at a time, faster than the debounce
    wait_until(page, lambda d: sorted(r["obsid"] for r in d.execute_script(ROWS_JS)) == expected, 10, "not filtered")
    time.sleep(0.5)
    sent = page.driver.execute_script(CALLS_JS) - before
    assert sent == 1, f"{sent} requests for one search: the search box is not debounced"
    assert len(expected) < len(rows)


def test_apr004_csv_holds_the_rows_the_search_shows(page: Any) -> None:
    rows = open_page(page)
    by = rows[0]["by"].split()[0]
    page.find_element("#approved-search").send_keys(by)
    wait_until(page, lambda d: len(d.execute_script(ROWS_JS)) < len(rows), 10, "not filtered")
    shown = sorted(str(r["obsid"]) for r in page.driver.execute_script(ROWS_JS))
    page.find_element("#approved-csv").click()
    path = Path(page.download_path) / "usint-approved.csv"
    wait_until(page, lambda d: path.exists() and path.stat().st_size > 0, 15, "no CSV downloaded")
    table = list(csv.reader(io.StringIO(path.read_text())))
    assert table[0] == [
        "ObsID",
        "Approved as (obsid.rev)",
        "Approved at",
        "Approved by",
        "Target",
        "PI",
        "Sequence number",
    ]
    assert sorted(line[0] for line in table[1:]) == shown
    assert all(by in line[3] for line in table[1:])


def test_apr005_the_navbar_opens_the_page(page: Any) -> None:
    link = page.driver.find_element(By.CSS_SELECTOR, ".usint-navbar a[href='/approved']")
    link.click()
    wait_until(page, lambda d: d.current_url.endswith("/approved"), 10)
    page.wait_for_contains_text("#_pages_content h1", "Approved for Flight", timeout=10)
    assert shown_rows(page)
