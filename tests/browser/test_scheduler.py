"""The duty calendar in a real browser: sign up for a week, see the calendar change; unassign via the dialog; a
deep link opens with its period selected."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import delete

from callbacks._figures_scheduler import DAY_FIELDS, monday
from data import clock, schedule
from data.db import session_scope
from data.models import Schedule
from tests.browser.conftest import console_errors, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def next_week(app: Any) -> Any:
    """An empty calendar extended 60 days ahead; returns next week's open period."""
    today = schedule.local_today(clock.now(), "America/New_York")
    with session_scope(app.server.extensions["usint"].sessions) as s:
        s.execute(delete(Schedule))
        schedule.extend_horizon(s, days=60, today=today)
        [period] = schedule.list_periods(s, start=today + timedelta(days=7), stop=today + timedelta(days=7))
    return period


def segment(duo: Any, period: Any) -> Any:
    """The calendar cell where a period starts: its week's duty row (row ids `w:<Monday>:<digest>`), its first
    day's column."""
    row = f'[row-id^="w:{monday(period.start).isoformat()}:"]'
    found = duo.driver.find_elements(
        By.CSS_SELECTOR,
        f'#scheduler-calendar .ag-center-cols-container {row} [col-id="{DAY_FIELDS[period.start.weekday()]}"]',
    )
    return found[0] if found else None


def click(duo: Any, element: Any) -> bool:
    """Scroll `element` to the middle and click it; False while something (a loading overlay) covers it."""
    try:
        duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return True
    except (ElementClickInterceptedException, StaleElementReferenceException):
        return False


def test_sch001_sign_up_for_a_week_changes_the_calendar(next_week: Any, started: Any) -> None:
    duo = started
    duo.driver.get(duo.server_url + "/scheduler")
    wait_until(duo, lambda d: segment(duo, next_week) is not None, timeout=15, message="calendar not drawn")
    cell = segment(duo, next_week)
    assert "TBD" in cell.text and "scheduler-tbd" in cell.get_attribute("class")
    wait_until(duo, lambda d: click(duo, segment(duo, next_week)), timeout=15, message="calendar cell not clickable")
    duo.wait_for_contains_text("#scheduler-details", "open (TBD)", timeout=15)
    wait_until(  # the clicked period is outlined (in the browser, no round trip)
        duo, lambda d: "scheduler-selected" in segment(duo, next_week).get_attribute("class"), 10, "not outlined"
    )
    wait_until(
        duo, lambda d: d.find_element(By.ID, "scheduler-sign-up").is_enabled(), timeout=15, message="sign-up disabled"
    )
    wait_until(
        duo,
        lambda d: click(duo, d.find_element(By.ID, "scheduler-sign-up")),
        timeout=15,
        message="cannot press sign up",
    )
    duo.wait_for_contains_text("#scheduler-message", "Demo User signed up", timeout=15)
    wait_until(
        duo, lambda d: "Demo User" in (segment(duo, next_week).text or ""), timeout=15, message="calendar unchanged"
    )
    assert "scheduler-taken" in segment(duo, next_week).get_attribute("class")

    # Unassign asks first (dbc.Modal), then re-opens the week
    wait_until(
        duo, lambda d: d.find_element(By.ID, "scheduler-unassign").is_enabled(), timeout=15, message="unassign disabled"
    )
    wait_until(
        duo,
        lambda d: click(duo, d.find_element(By.ID, "scheduler-unassign")),
        timeout=15,
        message="cannot press unassign",
    )
    duo.wait_for_contains_text("#scheduler-confirm-text", "Unassign Demo User", timeout=15)
    wait_until(
        duo, lambda d: click(duo, d.find_element(By.ID, "scheduler-confirm-yes")), timeout=15, message="cannot confirm"
    )
    duo.wait_for_contains_text("#scheduler-message", "open again", timeout=15)
    wait_until(duo, lambda d: "TBD" in (segment(duo, next_week).text or ""), timeout=15, message="week not re-opened")
    assert console_errors(duo) == []


def test_sch002_a_deep_link_opens_with_the_period_selected(next_week: Any, started: Any) -> None:
    duo = started
    duo.driver.get(f"{duo.server_url}/scheduler?period={next_week.id}")
    wait_until(duo, lambda d: segment(duo, next_week) is not None, timeout=15, message="calendar not drawn")
    assert "open (TBD)" in duo.find_element("#scheduler-details").text
    assert duo.driver.find_element(By.ID, "scheduler-sign-up").is_enabled()
    assert "scheduler-selected" in segment(duo, next_week).get_attribute("class")
    assert console_errors(duo) == []


def test_sch003_a_period_chosen_in_the_list_can_be_assigned(next_week: Any, started: Any) -> None:
    """The period and person lists are native selects (labelled, keyboard-ready): a choice there selects and
    outlines the period as a click on the calendar does, and Assign gives it to the chosen person."""
    duo = started
    duo.driver.get(duo.server_url + "/scheduler")
    wait_until(duo, lambda d: segment(duo, next_week) is not None, timeout=15, message="calendar not drawn")
    assert duo.find_element("label[for='scheduler-select']").text == "Selected period"
    Select(duo.find_element("#scheduler-select")).select_by_value(str(next_week.id))
    duo.wait_for_contains_text("#scheduler-details", "open (TBD)", timeout=15)
    wait_until(
        duo,
        lambda d: "scheduler-selected" in segment(duo, next_week).get_attribute("class"),
        10,
        "the chosen period is not outlined",
    )
    people = wait_until(
        duo,
        lambda d: (
            d.find_element(By.ID, "scheduler-assign-user").is_enabled()
            and d.find_elements(By.CSS_SELECTOR, "#scheduler-assign-user option[value]:not([value=''])")
        ),
        15,
        "nobody to assign",
    )
    name, value = people[0].text, people[0].get_attribute("value")
    Select(duo.find_element("#scheduler-assign-user")).select_by_value(value)
    wait_until(duo, lambda d: click(duo, d.find_element(By.ID, "scheduler-assign")), 15, "cannot press Assign")
    duo.wait_for_contains_text("#scheduler-message", name.split(" (")[0], timeout=15)
    wait_until(duo, lambda d: name.split(" (")[0] in (segment(duo, next_week).text or ""), 15, "calendar unchanged")
    assert console_errors(duo) == []
