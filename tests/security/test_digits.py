"""Digits other than ASCII (`²`, `١٢٣`, `𝟏𝟐𝟑𝟒𝟓`) are not obsids, obsid.revs or period ids anywhere: the API answers
400, pages and callbacks say what they expect; nothing loads, nothing fails with a 500, and a period id out of
range is a message, not an error."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.security._helpers import assert_refused, dash_post, snapshot

OBSIDS = {
    "superscript-two": "²",
    "arabic-indic-123": "١٢٣",
    "math-bold-12345": "𝟏𝟐𝟑𝟒𝟓",
    "fullwidth-12345": "１２３４５",
}
OBSIDREVS = {"arabic-indic": "١٢٣٤٥.١", "mixed": "12345.٠٠١", "math-bold": "𝟏𝟐𝟑𝟒𝟓.𝟏"}


@pytest.fixture
def app(shared_app: Any) -> Any:
    """Every request here is refused and writes nothing: one app for the module (tests/conftest.py `shared_app`);
    `settings` is its instance."""
    return shared_app


@pytest.fixture
def settings(shared_settings: Any) -> Any:
    return shared_settings


def _text(response: Any) -> str:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("obsid", OBSIDS.values(), ids=OBSIDS.keys())
def test_the_api_refuses_other_digits_in_obsids(client: Any, settings: dict[str, Any], obsid: str) -> None:
    before = snapshot(settings)
    assert_refused(client.get(f"/api/v1/observations/{quote(obsid)}"), 400)
    assert_refused(client.get(f"/api/v1/revisions?obsid={quote(obsid)}"), 400)
    assert_refused(client.post("/api/v1/revisions", json={"obsid": obsid, "changes": {"y_det_offset": 1.5}}), 400)
    body = {"obsid": 12345, "changes": {"y_det_offset": 1.5}, "extra_obsids": obsid}
    assert_refused(client.post("/api/v1/revisions", json=body), 400)
    assert snapshot(settings) == before


@pytest.mark.parametrize("obsidrev", OBSIDREVS.values(), ids=OBSIDREVS.keys())
def test_the_api_refuses_other_digits_in_obsidrevs(client: Any, settings: dict[str, Any], obsidrev: str) -> None:
    before = snapshot(settings)
    assert_refused(client.get(f"/api/v1/revisions/{quote(obsidrev)}"), 400)
    body = {"obsidrev": obsidrev, "column": "general", "action": "sign", "expected": "Pending"}
    assert_refused(client.post("/api/v1/signoffs", json=body), 400)
    assert snapshot(settings) == before


def _page(client: Any, path: str, search: str = "") -> str:
    """The pages router's answer for `path` (what a browser gets when it opens the page)."""
    response = dash_post(
        client, "_pages_location", {"_pages_location.pathname": path, "_pages_location.search": search}
    )
    _text(response)
    text = str(response.get_json())  # Dash writes "/" as \\u002f in its JSON
    assert "Unexpected error" not in text, text[:500]
    return text


@pytest.mark.parametrize("obsid", OBSIDS.values(), ids=OBSIDS.keys())
def test_pages_do_not_load_other_digits(client: Any, obsid: str) -> None:
    editor = _page(client, f"/ocatdatapage/{obsid}")
    assert "Cas A" not in editor and "not an obsid" in editor, editor[:500]
    history = _page(client, f"/history/{obsid}")
    assert "Cas A" not in history
    check = _page(client, f"/chkupdata/{obsid}.001")
    assert "Ill-formatted" in check or "not" in check
    for url in (f"/ocatdatapage/{quote(obsid)}", f"/history/{quote(obsid)}", f"/chkupdata/{quote(obsid)}.001"):
        _text(client.get(url))


@pytest.mark.parametrize("text", [*OBSIDS.values(), *OBSIDREVS.values()])
def test_forms_and_the_quick_jump_refuse_other_digits(client: Any, text: str) -> None:
    for first, inputs, state in (
        ("shell-jump-button", {"shell-jump-button.n_clicks": 1}, {"shell-jump-input.value": text}),
        ("editor-prompt-go", {"editor-prompt-go.n_clicks": 1}, {"editor-prompt-input.value": text}),
        ("history-go", {"history-go.n_clicks": 1}, {"history-input.value": text}),
        ("check-submit", {"check-submit.n_clicks": 1}, {"check-input.value": text}),
    ):
        response = dash_post(client, first, inputs, state)
        _text(response)
        answer = str(response.get_json())  # Dash writes "/" as \\u002f in its JSON
        assert "/ocatdatapage/" not in answer and "/history/" not in answer and "/chkupdata/" not in answer, answer


@pytest.mark.parametrize("period", ["99999999999999999999", "١٢", "-1", "1e3", "²"])
def test_scheduler_deep_link_with_a_bad_period_is_a_clean_page(client: Any, period: str) -> None:
    text = _page(client, "/scheduler", f"?period={quote(period)}")
    assert "scheduler" in text
    assert client.get(f"/scheduler?period={quote(period)}").status_code == 200
