"""The navbar's quick-jump box: obsids open the editor, obsid.rev the check page, anything else explains."""

from __future__ import annotations

import pytest

from callbacks.shell import JUMP_HELP, parse_jump


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("12345", "/ocatdatapage/12345"),
        (" 999 ", "/ocatdatapage/999"),
        ("12345.004", "/chkupdata/12345.004"),
        ("12345.4", "/chkupdata/12345.004"),
        ("00123", "/ocatdatapage/123"),
        ("123456789", "/ocatdatapage/123456789"),
        ("12345.0004", "/chkupdata/12345.004"),
    ],
)
def test_good_input_opens_the_page(text: str, path: str) -> None:
    assert parse_jump(text) == (path, None)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12345.",
        "1.2.3",
        "12 345",
        "<script>",
        "12345.00001",
        "1234567890",
        "-5",
        "1e5",
        "²",
        "١٢٣",
        "𝟏𝟐𝟑𝟒𝟓",
        "١٢٣٤٥.١",
        "12345.٠٠١",
    ],
)
def test_anything_else_says_what_it_expects(text: str) -> None:
    path, message = parse_jump(text)
    assert path is None and JUMP_HELP in message


def test_empty_input_explains_and_revision_zero_is_refused() -> None:
    assert parse_jump("") == (None, JUMP_HELP)
    assert parse_jump("12345.000")[1].startswith("Revision numbers start at 1")
