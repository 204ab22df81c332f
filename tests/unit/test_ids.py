"""The one reader of obsids, obsid.revs and duty period ids (data/ids.py): ASCII digits only, explicit bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.ids import parse_obsid, parse_obsidrev, parse_period_id

OTHER_DIGITS = ["²", "١٢٣", "𝟏𝟐𝟑𝟒𝟓", "１２３", "١٢٣٤٥.١", "12345.٠٠٤", "߁߂", "꘡"]


@pytest.mark.parametrize(
    ("text", "obsid"),
    [("12345", 12345), (" 00123 ", 123), ("\t7\n", 7), (12345, 12345), ("999999999", 999_999_999), ("0", 0)],
)
def test_obsids_are_ascii_digits(text: object, obsid: int) -> None:
    assert parse_obsid(text) == obsid


@pytest.mark.parametrize(
    "text",
    [
        *OTHER_DIGITS,
        "",
        " ",
        "1234567890",
        1_234_567_890,
        "-5",
        "+5",
        "1e5",
        "12 345",
        "12345\x00",
        "12345.",
        "0x10",
        "1_000",
        True,
        None,
        1.0,
        [1],
        "\xa012345",
        "12345\u2003",
    ],
)
def test_anything_else_is_not_an_obsid(text: object) -> None:
    assert parse_obsid(text) is None


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("12345.004", (12345, 4)),
        ("12345.4", (12345, 4)),
        (" 1.0001 ", (1, 1)),
        ("999999999.9999", (999_999_999, 9999)),
        ("12345.000", (12345, 0)),
    ],
)
def test_obsidrevs_are_ascii_digits(text: str, pair: tuple[int, int]) -> None:
    assert parse_obsidrev(text) == pair


@pytest.mark.parametrize(
    "text",
    [
        *OTHER_DIGITS,
        "12345",
        "12345.",
        ".004",
        "1.2.3",
        "12345.00001",
        "1234567890.001",
        "12345,004",
        "12345.004\x00",
        12345.004,
        None,
        "12345 .004",
    ],
)
def test_anything_else_is_not_an_obsidrev(text: object) -> None:
    assert parse_obsidrev(text) is None


@pytest.mark.parametrize(("text", "period"), [("42", 42), (42, 42), (" 7 ", 7)])
def test_period_ids_are_ascii_digits(text: object, period: int) -> None:
    assert parse_period_id(text) == period


@pytest.mark.parametrize("text", [*OTHER_DIGITS, "99999999999999999999", 10**20, "-1", -1, "", "1.5", None, True])
def test_anything_else_is_not_a_period_id(text: object) -> None:
    assert parse_period_id(text) is None


def test_there_is_one_parser() -> None:
    """No other module of the app reads obsids with a `\\d` regex or `isdigit` (issue #17)."""
    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in ("api", "callbacks", "pages", "web"):
        for path in (root / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if ("isdigit()" in line or "\\d{1," in line or "\\d+)\\." in line) and "obsid" in line.lower():
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
