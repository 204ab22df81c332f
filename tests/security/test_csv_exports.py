"""Every CSV export neutralises formula-looking cells (CSV injection), through one writer: the status CSV of the API
and the analytics page's download."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from callbacks.analytics import download_csv
from data.csv_export import safe_cell
from tests.security.test_markup import FORMULA_START, FORMULA_USER, TARGET, hostile, prepared  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _assert_safe(rows: list[dict[str, str]]) -> None:
    assert rows
    for row in rows:
        for name, value in row.items():
            assert not (value or "").startswith(FORMULA_START), (name, value)


def test_status_csv_is_neutralised(prepared: str, client: Any) -> None:  # noqa: F811
    rows = _rows(client.get("/api/v1/status.csv").get_data(as_text=True))
    _assert_safe(rows)
    assert [r["target"] for r in rows if r["obsidrev"] == prepared] == ["'" + TARGET]


def test_analytics_download_is_neutralised(prepared: str, app: Any) -> None:  # noqa: F811
    today = date.today()
    with app.server.test_request_context("/", headers={"Remote-User": "demo"}):
        sent = download_csv(1, str(today - timedelta(days=365)), str(today + timedelta(days=1)), None)
    text = base64.b64decode(sent["content"]).decode() if sent.get("base64") else sent["content"]
    rows = _rows(text)
    _assert_safe(rows)
    mine = [r for r in rows if r["obsidrev"] == prepared]
    assert mine and mine[0]["targname"] == "'" + TARGET, mine
    assert "'" + FORMULA_USER in {r["user"] for r in rows}
    assert any(r["obsid"] == "12345" for r in rows), "numbers are written as numbers"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+evil", "'+evil"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2.5, -2.5),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_the_one_writer_quotes_formula_text_only(value: Any, cell: Any) -> None:
    assert safe_cell(value) == cell


def test_no_other_csv_writer_in_the_code() -> None:
    """One writer for every export: no module but data/csv_export.py writes CSV itself."""
    writers = []
    for folder in ("api", "callbacks", "data", "pages", "web", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if path.name != "csv_export.py" and ("csv.writer" in text or ".to_csv" in text or "DictWriter" in text):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == []
