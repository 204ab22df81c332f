"""Coordinates typed by a user (#13): RA never reaches 360, and what was typed comes back as typed."""

from __future__ import annotations

import random

import pytest

from data.parameters import values as V


@pytest.mark.parametrize("typed", ["23:59:59.99995", "23 59 59.99999", "23:59:59.9999999", "359.9999999999"])
def test_an_ra_just_below_24_hours_stays_below_360(typed: str) -> None:
    degrees = V.parse_ra(typed)
    assert degrees is not None and 0 <= degrees < 360


@pytest.mark.parametrize("typed", ["23:59:59.9999999", "359.9999999999", "359.999999996"])
def test_an_ra_that_rounds_up_to_24_hours_is_zero(typed: str) -> None:
    assert V.parse_ra(typed) == 0.0


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("12 30 00.5", "12:30:00.5000"),
        ("00:00:00.0001", "00:00:00.0001"),
        ("23:59:59.9999", "23:59:59.9999"),
        ("05:34:31.9440", "05:34:31.9440"),
        ("16h22m04.8s", "16:22:04.8000"),
    ],
)
def test_a_typed_ra_comes_back_as_typed(typed: str, shown: str) -> None:
    assert V.format_ra(V.parse_ra(typed)) == shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("-27 43 04.5", "-27:43:04.5000"), ("+00:00:00.0001", "+00:00:00.0001"), ("-89:59:59.9999", "-89:59:59.9999")],
)
def test_a_typed_dec_comes_back_as_typed(typed: str, shown: str) -> None:
    assert V.format_dec(V.parse_dec(typed)) == shown


def test_every_four_decimal_sexagesimal_round_trips() -> None:
    rng = random.Random(18)
    for _ in range(2000):
        h, m, s = rng.randrange(24), rng.randrange(60), rng.randrange(600_000) / 10_000
        d, sign = rng.randrange(90), rng.choice("+-")
        hms = f"{h:02d}:{m:02d}:{s:07.4f}"
        dms = f"{sign}{d:02d}:{m:02d}:{s:07.4f}"
        assert V.format_ra(V.parse_ra(hms)) == hms
        shown = V.format_dec(V.parse_dec(dms))
        assert shown == dms or (shown == "+" + dms[1:] and V.parse_dec(dms) == 0)
