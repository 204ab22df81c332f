"""HTML and script in remarks, comments, target names and user names are shown as text everywhere.

Pages (Dash renders children as text nodes), e-mails (plain text, the literal characters), the CSV export
(formula-looking fields are neutralised with a leading quote), the JSON API (the value as stored).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By

from data.mail import sender as mailer
from data.users import add_user
from tests.browser.conftest import wait_until
from tests.security._helpers import OBSID, dash_post, ocat_file, outbox_bodies
from web.db import session_scope

TARGET = "=1+2<img src=x onerror=alert('target')>"
FULL_NAME = "<img src=x onerror=alert(1)>"
REMARKS = "<script>alert('remarks')</script><img src=x onerror=alert('remarks')>"
COMMENTS = "<b>bold?</b> & <img src=x onerror=alert('comments')> @SUM(1)"
FORMULA_USER = "+evil"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(settings: dict[str, Any]) -> dict[str, Any]:
    """The test's Ocat copy gets a hostile target name; the app signs in as the hostile user."""
    with sqlite3.connect(ocat_file(settings)) as conn:
        assert conn.execute("UPDATE target SET targname = ? WHERE obsid = ?", (TARGET, OBSID)).rowcount == 1
    settings["dev_user"] = "xss"
    return settings


@pytest.fixture
def prepared(hostile: dict[str, Any], app: Any) -> str:
    """Users with hostile names, and a revision of obsid 12345 with hostile remarks and comments."""
    with app.server.app_context():
        with session_scope() as session:
            add_user(session, "xss", email="xss@demo.usint.invalid", full_name=FULL_NAME, groups="usint")
            add_user(
                session, FORMULA_USER, email="evil@demo.usint.invalid", full_name="=cmd|' /C calc'!A0", groups="usint"
            )
    client = app.server.test_client()
    response = client.post(
        "/api/v1/revisions", json={"obsid": OBSID, "changes": {"remarks": REMARKS, "comments": COMMENTS}}
    )
    assert response.status_code == 201, response.get_json()
    obsidrev = response.get_json()["revisions"][0]
    response = client.post(
        "/api/v1/revisions",
        json={"obsid": OBSID, "changes": {"y_det_offset": 0.5}},
        headers={"Remote-User": FORMULA_USER},
    )
    assert response.status_code == 201, response.get_json()
    return obsidrev


def _strings(node: Any) -> list[str]:
    """Every string in a callback answer, and every component type, flattened."""
    out: list[str] = []
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for item in node:
            out += _strings(item)
    elif isinstance(node, dict):
        if "type" in node and "props" in node:
            out.append(f"<component {node['namespace']}.{node['type']}>")
            for key, value in node["props"].items():
                assert key not in ("dangerouslySetInnerHTML", "dangerously_allow_html"), key
                out += _strings(value)
        else:
            for value in node.values():
                out += _strings(value)
    return out


def test_no_raw_html_rendering_in_the_code() -> None:
    """No component renders HTML from strings; Markdown only for the server-made OBSID.rev link cell."""
    root = Path(__file__).resolve().parents[2]
    for folder in ("pages", "callbacks", "web"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text()
            assert "dangerously" not in text, path
            assert "dcc.Markdown" not in text, path
            assert "DangerouslySetInnerHTML" not in text, path


def test_emails_are_plain_text_with_the_literal_text(prepared: str, settings: dict[str, Any], app: Any) -> None:
    mails = outbox_bodies(settings)
    assert mails, "the submission queued its e-mail"
    bodies = "\n".join(body for _subject, body in mails)
    assert REMARKS in bodies or "<script>alert('remarks')</script>" in bodies, bodies[:2000]
    assert "&lt;" not in bodies and "&amp;" not in bodies, "plain-text mails carry the characters, not entities"
    source = Path(mailer.__file__).read_text()
    assert "text/html" not in source and "add_alternative" not in source
    assert EmailMessage is not None


def test_csv_neutralises_formula_fields(prepared: str, client: Any) -> None:
    response = client.get("/api/v1/status.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    mine = [r for r in rows if r["obsidrev"] == prepared]
    assert mine and mine[0]["target"] == "'" + TARGET
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(FORMULA_START), (name, value)
    evil = [r for r in rows if r["user"].lstrip("'") == FORMULA_USER]
    if evil:
        assert evil[0]["user"] == "'" + FORMULA_USER
    # The JSON API is data, not a document: the value exactly as stored.
    status = client.get("/api/v1/status").get_json()
    assert [r["target"] for r in status if r["obsidrev"] == prepared] == [TARGET]


def test_callback_answers_carry_hostile_text_as_strings(prepared: str, client: Any) -> None:
    """The check page, history, editor and board callbacks: the text is a string child, never a component."""
    calls = [
        ("check-obsidrev", {"check-obsidrev.data": prepared}, (REMARKS, TARGET)),
        ("history-obsid", {"history-obsid.data": str(OBSID)}, (TARGET,)),
        ("_pages_location", {"_pages_location.pathname": f"/ocatdatapage/{OBSID}"}, (TARGET,)),  # the filled editor
        ("board-tick", {"board-tick.n_intervals": 0}, (TARGET,)),
    ]
    deps = {d["inputs"][0]["id"] for d in client.get("/_dash-dependencies").get_json() if d["inputs"]}
    ran = 0
    for first, inputs, expected in calls:
        if first not in deps:
            continue
        response = dash_post(client, first, inputs)
        assert response.status_code == 200, (first, response.get_data(as_text=True)[:300])
        strings = _strings(json.loads(response.get_data(as_text=True)))
        joined = "\n".join(strings)
        assert "<component dash_html_components.Img>" not in strings and "Script" not in joined, first
        for text in expected:
            assert any(text in s for s in strings), (first, text)
        ran += 1
    assert ran >= 3


def test_sec001_hostile_text_is_shown_as_text(prepared: str, started: Any) -> None:
    duo = started
    driver = duo.driver

    def no_injection(where: str) -> None:
        try:
            alert = driver.switch_to.alert
        except NoAlertPresentException:
            pass
        else:
            text = alert.text
            alert.dismiss()
            pytest.fail(f"{where}: an alert ran: {text}")
        assert driver.find_elements(By.CSS_SELECTOR, "img[src=x]") == [], where
        assert driver.find_elements(By.CSS_SELECTOR, "main script, #_pages_content script") == [], where

    wait_until(duo, lambda d: FULL_NAME in d.find_element(By.ID, "shell-user").text, message="user name as text")
    no_injection("home")
    for path, text in (
        (f"/chkupdata/{prepared}", "<script>alert('remarks')</script>"),
        (f"/history/{OBSID}", TARGET),
        (f"/ocatdatapage/{OBSID}", TARGET),
        ("/orupdate", TARGET),
    ):
        duo.driver.get(duo.server_url + path)
        if path == "/orupdate":  # the grid renders only the rows in view: filter to the hostile one
            wait_until(duo, lambda d: d.find_elements(By.CSS_SELECTOR, "#board-grid .ag-row"), timeout=15)
            driver.execute_script(
                "dash_ag_grid.getApi('board-grid').setGridOption('quickFilterText', arguments[0])", TARGET[:4]
            )
        wait_until(
            duo,
            lambda d, t=text: t in d.execute_script("return document.body.textContent"),
            timeout=15,
            message=f"{path}: {text!r} shown literally",
        )
        no_injection(path)
