"""Value rules: nulls, coercion, approximate equality, dates, RA/Dec, separation, dither units."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord

from data.parameters import values as V


@pytest.mark.parametrize("value", V.NULL_LIST)
def test_every_null_spelling_is_null(value: object) -> None:
    assert V.is_null(value)
    assert V.coerce(value) is None


@pytest.mark.parametrize("value", ["N", "0", 0, 0.0, "n/a ", "NONE ", "Nil", False])
def test_values_that_look_empty_are_not_null(value: object) -> None:
    assert not V.is_null(value)


def test_null_coerce_recurses_into_lists_and_dicts() -> None:
    assert V.null_coerce({"a": "NONE", "b": ["NA", "x", {"c": "null"}]}) == {"a": None, "b": [None, "x", {"c": None}]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("-3", -3),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("3C273", "3C273"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("1_000", "1_000"),
        ("Mar 05 2025 22:30", "2025-03-05T22:30:00Z"),
        ("Jan  5 2026  3:15PM", "2026-01-05T15:15:00Z"),
        ("2025-03-05 22:30:15.123", "2025-03-05T22:30:15Z"),
        ("03:05:2025:22:30", "2025-03-05T22:30:00Z"),
        ("03::05::2025::22::30::10", "2025-03-05T22:30:10Z"),
        ("ACIS-S", "ACIS-S"),
    ],
)
def test_coerce_follows_v21_order_int_float_date_text(raw: str, expected: object) -> None:
    assert V.coerce(raw) == expected


def test_coerce_can_emit_the_ocat_format_and_recurses() -> None:
    assert V.coerce(["2025-03-05T22:30:00Z", "NA"], V.OCAT_FORMAT) == ["Mar 05 2025 10:30PM", None]
    assert V.coerce(datetime(2025, 3, 5, 22, 30)) == "2025-03-05T22:30:00Z"


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (None, None, True),
        (None, 0, False),
        ("", None, False),
        (1.0, 1.0000005, True),
        (1.0, 1.00001, False),
        (1, 1.0, True),
        ("1.0", 1.0, False),
        ([1.0, "Y"], [1.0000001, "Y"], True),
        ([1.0], [1.0, 2.0], False),
        ({"a": 1}, {"a": 1.0000001}, True),
        ({"a": 1}, {"b": 1}, False),
        ("ACIS-I", "ACIS-S", False),
        ("2025-03-05T22:30:00Z", "Mar 05 2025 10:30PM", True),
        ("2025-03-05T22:30:00Z", "2025-03-05T22:30:59Z", True),
        ("2025-03-05T22:30:00Z", "2025-03-05T22:31:00Z", False),
        (datetime(2025, 3, 5, 22, 30), datetime(2025, 3, 5, 22, 30, 30), True),
        (datetime(2025, 3, 5, 22, 30), datetime(2025, 3, 5, 22, 35), False),
        (datetime(2025, 3, 5, 22, 30), "2025-03-05T22:30:10Z", True),
        (True, 1, True),
    ],
)
def test_approx_equals(a: object, b: object, equal: bool) -> None:
    assert V.approx_equals(a, b) is equal
    assert V.approx_equals(b, a) is equal


def test_datetime_comparison_is_symmetric_not_inverted_k12() -> None:
    early, late = datetime(2026, 1, 1, 0, 0), datetime(2026, 1, 1, 0, 5)
    assert not V.approx_equals(early, late)
    assert not V.approx_equals(late, early)


@pytest.mark.parametrize(
    "text",
    [
        "Jan  5 2026  3:15PM",
        "Jan 5 2026 3:15PM",
        "Jan\t5  2026 03:15PM",
        " Jan 05 2026 03:15PM ",
        "JAN 5 2026 3:15pm",
        "Jan  5 2026  3:15:00:000PM",
    ],
)
def test_ocat_dates_with_any_whitespace_are_read_and_zero_padded(text: str) -> None:
    assert V.parse_ocat_date(text) == datetime(2026, 1, 5, 15, 15)
    assert V.normalize_ocat_date(text) == "Jan 05 2026 03:15PM"


@pytest.mark.parametrize(
    ("text", "hour"), [("Dec 31 2026 12:00AM", 0), ("Dec 31 2026 12:30PM", 12), ("Dec 31 2026 11:59PM", 23)]
)
def test_ocat_midnight_and_noon(text: str, hour: int) -> None:
    assert V.parse_ocat_date(text).hour == hour


def test_normalize_ocat_date_keeps_null_and_unreadable_text() -> None:
    assert V.normalize_ocat_date("NULL") is None
    assert V.normalize_ocat_date("soon") == "soon"
    assert V.normalize_ocat_date(datetime(2026, 1, 5, 15, 15)) == "Jan 05 2026 03:15PM"


@pytest.mark.parametrize("fmt", V.INPUT_FORMATS)
def test_every_accepted_input_format_round_trips_to_storage(fmt: str) -> None:
    moment = datetime(2025, 3, 5, 22, 30, 0)
    assert V.to_storage(moment.strftime(fmt)) == "2025-03-05T22:30:00Z"


def test_unreadable_date_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="Cannot read 'tomorrow' as a date/time"):
        V.parse_datetime("tomorrow")
    assert V.to_display("2025-03-05T22:30:00Z") == "Mar 05 2025 22:30"
    assert V.to_storage("") is None


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("16:22:04.8", 245.52),
        ("16 22 04.8", 245.52),
        ("16h22m04.8s", 245.52),
        ("00:00:00", 0.0),
        ("23:59:59.9999", 359.999999583 // 1e-6 * 1e-6),
        ("245.52", 245.52),
        (245.52, 245.52),
        ("12:30", 187.5),
    ],
)
def test_parse_ra(text: object, degrees: float) -> None:
    assert V.parse_ra(text) == pytest.approx(degrees, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "degrees"),
    [
        ("-27:43:04.0", -27.717778),
        ("+27:43:04.0", 27.717778),
        ("27 43 04", 27.717778),
        ("-00:30:00", -0.5),
        ("-12.5", -12.5),
        (90, 90.0),
        ("-90:00:00", -90.0),
    ],
)
def test_parse_dec(text: object, degrees: float) -> None:
    assert V.parse_dec(text) == pytest.approx(degrees, abs=1e-6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25:00:00", "hours must be a whole number 0-23"),
        ("12:61:00", "minutes must be a whole number 0-59"),
        ("12:00:60", "seconds must be at least 0 and below 60"),
        ("360", "out of range"),
        (-1, "out of range"),
        ("twelve", "not readable"),
        ("12:xx:00", "not readable"),
    ],
)
def test_parse_ra_rejects_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        V.parse_ra(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-91", "out of range"),
        ("-91:00:00", "out of range"),
        ("90:00:01", "out of range"),
        ("10:75:00", "minutes"),
        ("a:b:c", "not readable"),
    ],
)
def test_parse_dec_rejects_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        V.parse_dec(value)


def test_parse_ra_dec_null_passes() -> None:
    assert V.parse_ra(None) is None and V.parse_dec("NA") is None


@pytest.mark.parametrize(
    ("ra", "dec", "hms", "dms"),
    [
        (245.52, -27.717778, "16:22:04.8000", "-27:43:04.0008"),
        (0.0, 0.0, "00:00:00.0000", "+00:00:00.0000"),
        (359.9999999999, -0.0000000001, "00:00:00.0000", "+00:00:00.0000"),
        (83.6331, 22.0145, "05:34:31.9440", "+22:00:52.2000"),
        (10.0, -0.5, "00:40:00.0000", "-00:30:00.0000"),
    ],
)
def test_format_ra_dec_sexagesimal_four_decimals_signed_dec(ra: float, dec: float, hms: str, dms: str) -> None:
    assert V.format_ra(ra) == hms
    assert V.format_dec(dec) == dms
    assert V.format_ra(None) is None and V.format_dec(None) is None


def test_format_and_parse_agree_with_astropy_and_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(300):
        ra, dec = round(rng.uniform(0, 360), 6), round(rng.uniform(-90, 90), 6)
        hms, dms = V.format_ra(ra), V.format_dec(dec)
        assert Angle(hms, unit=u.hourangle).degree == pytest.approx(ra, abs=1e-5)
        assert Angle(dms, unit=u.deg).degree == pytest.approx(dec, abs=1e-5)
        apart = abs(V.parse_ra(hms) - ra % 360)
        assert min(apart, 360 - apart) < 2e-6
        assert V.parse_dec(dms) == pytest.approx(dec, abs=2e-6)


@pytest.mark.parametrize(
    ("a", "b", "arcmin"),
    [
        ((0.0, 0.0), (0.0, 0.0), 0.0),
        ((359.9, 0.0), (0.1, 0.0), 12.0),
        ((10.0, 60.0), (10.2, 60.0), None),
        ((83.6331, 22.0145), (83.8187, -5.3897), None),
        ((0.0, 89.9), (180.0, 89.9), 12.0),
    ],
)
def test_separation_is_great_circle_in_arcmin(
    a: tuple[float, float], b: tuple[float, float], arcmin: float | None
) -> None:
    expected = SkyCoord(*a, unit="deg").separation(SkyCoord(*b, unit="deg")).arcmin
    got = V.separation_arcmin(*a, *b)
    assert got == pytest.approx(expected, abs=1e-6)
    if arcmin is not None:
        assert got == pytest.approx(arcmin, abs=1e-6)


def test_flat_shift_ignores_cos_dec_k13() -> None:
    assert V.flat_shift_deg(10.0, 60.0, 10.2, 60.0) == pytest.approx(0.2)
    assert V.separation_arcmin(10.0, 60.0, 10.2, 60.0) == pytest.approx(6.0, abs=0.01)


def test_dither_units() -> None:
    assert V.deg_to_arcsec(0.002222) == pytest.approx(7.9992)
    assert V.arcsec_to_deg(1296.0) == pytest.approx(0.36)
    assert V.deg_to_arcsec(None) is None and V.arcsec_to_deg(None) is None


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", "12", 12),
        ("int", 3.0, 3),
        ("float", "1.5", 1.5),
        ("float", 2, 2.0),
        ("str", "1234", "1234"),
        ("text", 1234, "1234"),
        ("date", "Mar 05 2025 22:30", "2025-03-05T22:30:00Z"),
        ("int", "", None),
        ("float", "NA", None),
    ],
)
def test_parse_typed_coerces_by_declared_kind(kind: str, value: object, expected: object) -> None:
    assert V.parse_typed(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"), [("int", "2.5"), ("int", True), ("float", "abc"), ("float", float("inf")), ("date", "someday")]
)
def test_parse_typed_rejects(kind: str, value: object) -> None:
    with pytest.raises(ValueError):
        V.parse_typed(kind, value)
