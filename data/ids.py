"""The one reader of the ids people type or put in addresses: obsids, obsid.revs and duty period ids.

ASCII digits only (`[0-9]`, never `\\d`, which also matches `²`, `١٢٣` or `𝟏𝟐𝟑`), explicit bounds that fit the
databases' INTEGER, surrounding ASCII whitespace ignored. Each parser returns None for anything else, so callers
say what they expect in their own words.
"""

from __future__ import annotations

import re

OBSID_DIGITS = 9
"""An obsid has 1 to 9 digits (at most 999,999,999)."""
REV_DIGITS = 4
"""A revision number has 1 to 4 digits (v2.1 writes three: `12345.004`)."""
PERIOD_DIGITS = 9
"""A duty period id (the schedule table's key) has 1 to 9 digits."""

_ASCII_SPACE = " \t\n\r\f\v"
_OBSID = re.compile(rf"[0-9]{{1,{OBSID_DIGITS}}}")
_OBSIDREV = re.compile(rf"([0-9]{{1,{OBSID_DIGITS}}})\.([0-9]{{1,{REV_DIGITS}}})")
_PERIOD = re.compile(rf"[0-9]{{1,{PERIOD_DIGITS}}}")


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    return value.strip(_ASCII_SPACE) if isinstance(value, str) else None


def parse_obsid(value: object) -> int | None:
    """`"12345"`, `" 00123 "` or `12345` → the obsid; None for anything else (signs, other digits, 10+ digits)."""
    text = _text(value)
    return int(text) if text is not None and _OBSID.fullmatch(text) else None


def parse_obsidrev(value: object) -> tuple[int, int] | None:
    """`"12345.004"` or `"12345.4"` → `(12345, 4)`; None for anything else. Revision 0 parses (it never exists)."""
    text = _text(value) if isinstance(value, str) else None
    match = _OBSIDREV.fullmatch(text) if text is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def id_problem(value: object) -> str | None:
    """Why `value` is no obsid or obsid.rev, in words (None when it is one): the bounds above, stated."""
    text = _text(value) if isinstance(value, str) else None
    if text is None or parse_obsid(text) is not None or parse_obsidrev(text) is not None:
        return None
    head, dot, tail = text.partition(".")
    if re.fullmatch(r"[0-9]+", head) and (not dot or re.fullmatch(r"[0-9]+", tail)):
        if len(head) > OBSID_DIGITS:
            return f"An obsid has at most {OBSID_DIGITS} digits (up to {10**OBSID_DIGITS - 1:,})."
        return f"A revision number has at most {REV_DIGITS} digits (e.g. {head}.004)."
    return None


def parse_period_id(value: object) -> int | None:
    """`"42"` or `42` → 42; None for anything else (other digits, 10+ digits, negative, not a number)."""
    text = _text(value)
    return int(text) if text is not None and _PERIOD.fullmatch(text) else None
