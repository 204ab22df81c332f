"""History and analytics pages in a real browser: the history of a demo obsid draws, and an analytics filter
redraws the figures (wiring only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from sqlalchemy import create_engine, func, select

from data.models import Revision
from tests.browser.conftest import console_errors, wait_until
from web.plotly_bundle import VERSION


def busiest_obsid(settings: dict[str, Any]) -> tuple[int, int]:
    """The demo obsid with the most revisions, and how many it has."""
    engine = create_engine(f"sqlite:///{Path(settings['instance_path']) / 'usint.db'}")
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(Revision.obsid, func.count()).group_by(Revision.obsid).order_by(func.count().desc()).limit(1)
            ).one()
    finally:
        engine.dispose()
    return int(row[0]), int(row[1])


def graph_title(driver: Any, graph_id: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .gtitle")
    return found[0].text if found else ""


def test_his001_history_of_an_obsid_with_revisions(started: Any, settings: dict[str, Any]) -> None:
    obsid, count = busiest_obsid(settings)
    started.driver.get(f"{started.server_url}/history/{obsid}")
    started.wait_for_contains_text("#history-heading", f"Obsid {obsid}", timeout=15)
    wait_until(
        started,
        lambda d: graph_title(d, "history-timeline").startswith(f"Revisions of {obsid}"),
        15,
        "the timeline did not draw",
    )
    rows = wait_until(
        started,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#history-revisions .ag-row"),
        15,
        "the revisions grid has no rows",
    )
    assert len(rows) >= count
    first = started.driver.find_element(By.CSS_SELECTOR, "#history-revisions .ag-row a[href^='/chkupdata/']")
    assert first.text.startswith(f"{obsid}.")
    assert started.driver.find_elements(By.CSS_SELECTOR, "#history-current .ag-row")
    linked = started.driver.find_element(By.CSS_SELECTOR, "#history-current .ag-row a[href^='/chkupdata/']")
    assert linked.get_attribute("href").endswith(f"/chkupdata/{linked.text}") and linked.text.startswith(f"{obsid}.")
    link = started.driver.find_element(By.CSS_SELECTOR, f'a[href="/ocatdatapage/{obsid}"]')
    assert link.is_displayed()
    assert console_errors(started) == []


def test_his002_the_timeline_draws_with_plotly_s_basic_bundle(started: Any, settings: dict[str, Any]) -> None:
    obsid, _count = busiest_obsid(settings)
    started.driver.get(f"{started.server_url}/history/{obsid}")
    wait_until(
        started,
        lambda d: graph_title(d, "history-timeline").startswith(f"Revisions of {obsid}"),
        15,
        "the timeline did not draw",
    )
    plotly = started.driver.execute_script(
        "return {version: Plotly.version, traces: Object.keys(Plotly.PlotSchema.get().traces).sort(),"
        " scripts: [...document.scripts].map((s) => s.src).filter((s) => s.includes('plotly'))};"
    )
    assert plotly["version"] == VERSION
    assert plotly["traces"] == ["bar", "pie", "scatter"]  # the full bundle has some 50 trace types
    assert [s.split("/_dash-component-suites/")[1] for s in plotly["scripts"]] == ["plotly/package_data/plotly.min.js"]
    bars = started.driver.find_elements(By.CSS_SELECTOR, "#history-timeline .barlayer .point")
    markers = started.driver.find_elements(By.CSS_SELECTOR, "#history-timeline .scatterlayer .point")
    assert bars and markers
    assert console_errors(started) == []


def test_ana001_an_instrument_filter_redraws_the_figures(started: Any) -> None:
    started.driver.get(f"{started.server_url}/analytics")
    wait_until(started, lambda d: "all instruments" in graph_title(d, "analytics-weekly"), 20, "no weekly figure")
    summary = started.find_element("#analytics-summary").text
    assert "all instruments" in summary
    hrc_i = wait_until(
        started,
        lambda d: next(
            (
                b
                for b in d.find_elements(By.CSS_SELECTOR, "#analytics-instruments input[type=checkbox]")
                if b.get_attribute("value") == "HRC-I"
            ),
            None,
        ),
        10,
        "no HRC-I checkbox",
    )
    started.driver.find_element(By.CSS_SELECTOR, f"label[for='{hrc_i.get_attribute('id')}']").click()
    wait_until(started, lambda d: "HRC-I" in graph_title(d, "analytics-weekly"), 20, "the filter did not redraw")
    wait_until(started, lambda d: "HRC-I" in graph_title(d, "analytics-sky"), 10, "the sky map did not redraw")
    assert started.find_element("#analytics-summary").text != summary
    assert console_errors(started) == []
