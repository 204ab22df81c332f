"""The analytics figures are plain dicts that Plotly accepts as they are: the builders skip `go.Figure`, so these
tests run Plotly's validator over each one, and check what each figure shows."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from callbacks import _figures_analytics as figs

SCOPE = "2026-01-01 to 2026-03-31 · all instruments"
ZONE = "America/New_York"


def utc(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days), utc=True))


def weekly() -> pd.DataFrame:
    return pd.DataFrame(
        {"week": utc("2026-01-05", "2026-01-12", "2026-01-05"), "kind": ["norm", "norm", "asis"], "count": [3, 1, 2]}
    )


def every_figure() -> list[dict[str, Any]]:
    turnaround = pd.DataFrame(
        {"month": utc("2026-01-01"), "column": ["general"], "median_h": [5.0], "p90_h": [9.5], "n": [4]}
    )
    backlog = pd.DataFrame({"at": utc("2026-01-05T05:00", "2026-01-06T05:00"), "open": [2, 1]})
    ages = pd.DataFrame({"bucket": ["< 1 day"], "column": ["acis"], "count": [2]})
    counts = pd.DataFrame({"user": ["alice", "bob"], "kind": ["norm", "asis"], "count": [2, 1]})
    sky = pd.DataFrame(
        {
            "obsid": [12345],
            "obsidrev": ["12345.002"],
            "targname": ["Cas A"],
            "ra": [350.85],
            "dec": [58.8],
            "state": ["open"],
        }
    )
    return [
        figs.weekly_figure(weekly(), SCOPE, ZONE),
        figs.turnaround_figure(turnaround, SCOPE),
        figs.backlog_figure(backlog, SCOPE, ZONE),
        figs.age_figure(ages, SCOPE),
        figs.counts_figure(counts, "user", "Revisions by submitter", SCOPE),
        figs.sky_figure(sky, SCOPE),
    ]


@pytest.mark.parametrize("index", range(6))
def test_each_figure_is_valid_plotly_and_plain_json(index: int) -> None:
    figure = every_figure()[index]
    json.dumps(figure)  # lists and text only: nothing the browser would receive as an object
    go.Figure(figure)  # Plotly's validator: raises on a property it does not know
    assert SCOPE in figure["layout"]["title"]["text"]


def test_weekly_stacks_kinds_in_the_display_zone() -> None:
    figure = figs.weekly_figure(weekly(), SCOPE, ZONE)
    bars = {t["name"]: t for t in figure["data"]}
    assert set(bars) == {"norm", "asis"} and figure["layout"]["barmode"] == "stack"
    assert bars["norm"]["y"] == [3, 1]
    assert bars["norm"]["x"][0] == "2026-01-04T19:00:00"  # Monday 00:00 UTC is Sunday evening in New York
    assert ZONE in figure["layout"]["xaxis"]["title"]["text"]


def test_an_empty_range_says_so_without_axes() -> None:
    figure = figs.weekly_figure(weekly().iloc[0:0], SCOPE, ZONE)
    assert figure["data"] == []
    assert figure["layout"]["annotations"][0]["text"] == "No revisions in this range"
    assert figure["layout"]["xaxis"]["visible"] is False


def test_sky_points_carry_their_obsid_for_the_click_through() -> None:
    sky = every_figure()[5]
    [point] = [t for t in sky["data"] if t["name"] == "open"]
    assert point["customdata"] == [[12345, "12345.002", "Cas A", 350.85, 58.8]]
    assert "(1 obsids)" in sky["layout"]["title"]["text"]
    assert [t["name"] for t in sky["data"][:2]] == ["grid", "labels"]
