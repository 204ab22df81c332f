"""Analytics callbacks called as plain functions: the CSV download and the sky map's click-through."""

from __future__ import annotations

import base64
import io
from typing import Any

import pandas as pd
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks.analytics import download_csv, open_history


def test_the_csv_holds_one_row_per_revision_of_the_range(app: Any) -> None:
    with app.server.test_request_context("/"):
        sent = download_csv(1, "2022-01-01", "2030-12-31", None)
    assert sent["filename"].startswith("usint-revisions-2022-01-01-2030-12-31")
    text = base64.b64decode(sent["content"]).decode() if sent.get("base64") else sent["content"]
    table = pd.read_csv(io.StringIO(text))
    assert len(table) >= 400  # the demo instance holds 400 revisions
    assert {"obsid", "kind"} <= set(table.columns)


def test_the_csv_waits_for_a_click(app: Any) -> None:
    with app.server.test_request_context("/"), pytest.raises(PreventUpdate):
        download_csv(0, None, None, None)


def test_a_sky_map_click_opens_that_obsids_history() -> None:
    assert open_history({"points": [{"customdata": [12345, "12345.002", "Cas A"]}]}) == "/history/12345"


@pytest.mark.parametrize("click", [None, {}, {"points": []}, {"points": [{"customdata": ["<script>"]}]}])
def test_a_click_without_an_obsid_changes_nothing(click: Any) -> None:
    assert open_history(click) is no_update
