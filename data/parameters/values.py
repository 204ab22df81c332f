"""Value rules shared by the Ocat reader, the editor, the validator and the diffs.

Null spellings and coercion (data-layer §1.5, ocat-data-page §4.1), approximate equality (ocat-data-page §4.5,
K12), the date formats (ocat-data-page §4.3), RA/Dec parsing and formatting (ocat-data-page §4.2), great-circle
separation (D7) and dither units (ocat-data-page §4.4).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

NULL_LIST: tuple[Any, ...] = (
    None,
    "",
    " ",
    "<Blank>",
    "N/A",
    "NA",
    "NONE",
    "NULL",
    "Na",
    "None",
    "Null",
    "none",
    "null",
)
_NULL_STRINGS = frozenset(v for v in NULL_LIST if v is not None)

OCAT_FORMAT = "%b %d %Y %I:%M%p"
"""The Ocat (Sybase style 0) text format, re-emitted zero padded: `Jan 05 2026 03:15PM`."""
DISPLAY_FORMAT = "%b %d %Y %H:%M"
"""How USINT shows tstart/tstop: `Mar 05 2025 22:30`."""
STORAGE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""Canonical comparison and revision-DB format (UT, naive)."""
INPUT_FORMATS: tuple[str, ...] = (
    DISPLAY_FORMAT,
    OCAT_FORMAT,
    STORAGE_FORMAT,
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%m:%d:%Y:%H:%M:%S",
    "%m:%d:%Y:%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
"""Accepted date/time inputs, tried in this order (ocat-data-page §4.3)."""

TOLERANCE = 1e-6
DATETIME_TOLERANCE_S = 60.0
ARCSEC_PER_DEG = 3600.0

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_OCAT_RE = re.compile(
    r"^\s*([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[:.]\d{1,6})?)?\s*([AaPp][Mm])\s*$"
)
_DATE_HINT = re.compile(r"^\s*(?:[A-Za-z]{3}\s+\d|\d{4}-\d{1,2}-\d|\d{1,2}:\d{1,2}:\d{4})")
_INT_RE = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT_RE = re.compile(r"^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$")


# ---------------------------------------------------------------------------------------------------- nulls


def is_null(value: object) -> bool:
    """True for None, the NULL_LIST spellings and a float NaN."""
    if value is None:
        return True
    if isinstance(value, str):
        return value in _NULL_STRINGS
    return isinstance(value, float) and math.isnan(value)


def null_coerce(value: Any) -> Any:
    """Replace every NULL_LIST member by None, recursing into lists and dicts (data-layer §1.4 step 14)."""
    if isinstance(value, dict):
        return {k: null_coerce(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [null_coerce(v) for v in value]
    return None if is_null(value) else value


def coerce(value: Any, fmt: str = STORAGE_FORMAT) -> Any:
    """v2.1's generic coercer: null → None, then int, then float, then a date re-emitted in `fmt`, else the text.

    Containers recurse. NaN/inf spellings and digit groups with `_` stay text (Python's int()/float() would take them).
    """
    if isinstance(value, dict):
        return {k: coerce(v, fmt) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [coerce(v, fmt) for v in value]
    if is_null(value):
        return None
    if isinstance(value, datetime):
        return value.strftime(fmt)
    if not isinstance(value, str):
        return value
    if _INT_RE.match(value):
        return int(value)
    if _FLOAT_RE.match(value):
        return float(value)
    parsed = _try_datetime(value)
    if parsed is not None:
        return parsed.strftime(fmt)
    return value


# ---------------------------------------------------------------------------------------------------- equality


def approx_equals(a: Any, b: Any) -> bool:
    """Change detection: None only equals None; numbers within 1e-6; datetimes within 60 s (K12); lists and dicts
    element-wise; anything else `==` (so `'1.0'` and `1.0` differ)."""
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return abs(a - b) < TOLERANCE
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(approx_equals(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(approx_equals(a[k], b[k]) for k in a)
    if a == b:
        return True
    if isinstance(a, datetime | str) and isinstance(b, datetime | str):
        ta, tb = _as_datetime(a), _as_datetime(b)
        if ta is not None and tb is not None:
            return abs((ta - tb).total_seconds()) < DATETIME_TOLERANCE_S
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_datetime(value: datetime | str) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return _try_datetime(value)


# ---------------------------------------------------------------------------------------------------- dates


def parse_ocat_date(text: str) -> datetime:
    """Read a Sybase style-0 date (`Jan  5 2026  3:15PM`, any whitespace, optional seconds/milliseconds)."""
    m = _OCAT_RE.match(text)
    if not m or m.group(1).lower() not in _MONTHS:
        raise ValueError(f"Not an Ocat date: {text!r} (expected e.g. 'Jan 05 2026 03:15PM')")
    mon, day, year, hour, minute, second, ampm = m.groups()
    h = int(hour)
    if not 1 <= h <= 12:
        raise ValueError(f"Not an Ocat date: {text!r} (hour must be 1-12)")
    h = h % 12 + (12 if ampm.upper() == "PM" else 0)
    return datetime(int(year), _MONTHS[mon.lower()], int(day), h, int(minute), int(second or 0))


def format_ocat_date(value: datetime) -> str:
    """The Ocat text format, zero padded (`Jan 05 2026 03:15PM`)."""
    return value.strftime(OCAT_FORMAT)


def normalize_ocat_date(value: Any) -> Any:
    """Ocat date (text or datetime) → zero-padded Ocat text; null → None; unreadable text is returned unchanged."""
    if is_null(value):
        return None
    if isinstance(value, datetime):
        return format_ocat_date(value)
    try:
        return format_ocat_date(parse_ocat_date(str(value)))
    except ValueError:
        return value


def parse_datetime(value: Any) -> datetime:
    """Read a date/time in any accepted input format (ocat-data-page §4.3) or the Ocat text format;
    ValueError when none fits."""
    if isinstance(value, datetime):
        return _as_datetime(value)  # type: ignore[return-value]
    parsed = _try_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(
            f"Cannot read {value!r} as a date/time; use e.g. 'Mar 05 2025 22:30', '2025-03-05T22:30:00Z' "
            "or '2025-03-05 22:30'"
        )
    return parsed


def to_storage(value: Any) -> str | None:
    """A date/time value → ISO storage text (`2025-03-05T22:30:00Z`); null → None; ValueError when unreadable."""
    if is_null(value):
        return None
    return parse_datetime(value).strftime(STORAGE_FORMAT)


def to_display(value: Any) -> str | None:
    """A date/time value → the USINT display format (`Mar 05 2025 22:30`); null → None."""
    if is_null(value):
        return None
    return parse_datetime(value).strftime(DISPLAY_FORMAT)


def _try_datetime(text: str) -> datetime | None:
    text = text.replace("::", ":")
    if not _DATE_HINT.match(text):
        return None
    if _OCAT_RE.match(text):
        try:
            return parse_ocat_date(text)
        except ValueError:
            return None
    cleaned = " ".join(text.split(".")[0].split())
    if cleaned.endswith("Z") and "T" not in cleaned:
        cleaned = cleaned[:-1]
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------------------------- RA / Dec

_SEXA_SPLIT = re.compile(r"[\s:hdmsHDMS°'\"]+")
COORD_DECIMALS = 8
"""Degrees are kept to 1e-8 (0.04 mas): finer than the 0.0001 s / 0.0001" that `format_ra` / `format_dec` show,
so what the user typed, to that precision, comes back as typed."""


def parse_ra(value: Any) -> float | None:
    """RA as `hh:mm:ss.s`, `hh mm ss`, `12h30m00s` (hours) or decimal degrees → degrees (`COORD_DECIMALS`
    decimals, 0 ≤ RA < 360: a time that rounds up to 24 h is 0); null → None."""
    if is_null(value):
        return None
    if _is_number(value):
        return _check_ra_degrees(float(value), value)
    text = str(value).strip()
    if _FLOAT_RE.match(text):
        return _check_ra_degrees(float(text), text)
    parts = _sexagesimal_parts(text, "RA")
    h, m, s = parts
    if not 0 <= h <= 23 or h != int(h):
        raise ValueError(f"RA {text!r}: hours must be a whole number 0-23")
    _check_minutes_seconds(m, s, "RA", text)
    return _ra_stored((h + m / 60 + s / 3600) * 15)


def parse_dec(value: Any) -> float | None:
    """Dec as `±dd:mm:ss.s`, `±dd mm ss` or decimal degrees → degrees (`COORD_DECIMALS` decimals, -90…+90);
    null → None."""
    if is_null(value):
        return None
    if _is_number(value):
        return _check_dec_degrees(float(value), value)
    text = str(value).strip()
    if _FLOAT_RE.match(text):
        return _check_dec_degrees(float(text), text)
    sign = -1.0 if text.startswith("-") else 1.0
    d, m, s = _sexagesimal_parts(text.lstrip("+-").strip(), "Dec")
    if d != int(d):
        raise ValueError(f"Dec {text!r}: degrees must be a whole number when minutes are given")
    _check_minutes_seconds(m, s, "Dec", text)
    degrees = d + m / 60 + s / 3600
    if degrees > 90:
        raise ValueError(f"Dec {text!r} is out of range: must be between -90 and +90 degrees")
    return round(sign * degrees, COORD_DECIMALS)


def format_ra(degrees: float | None) -> str | None:
    """Degrees → `HH:MM:SS.ssss` (hours, zero padded, 4 decimals); None → None."""
    if degrees is None:
        return None
    ticks = round((degrees % 360.0) / 15.0 * 36_000_000) % (24 * 36_000_000)  # 1 tick = 0.0001 s
    h, rest = divmod(ticks, 36_000_000)
    m, rest = divmod(rest, 600_000)
    s, frac = divmod(rest, 10_000)
    return f"{h:02d}:{m:02d}:{s:02d}.{frac:04d}"


def format_dec(degrees: float | None) -> str | None:
    """Degrees → `±DD:MM:SS.ssss` (sign always shown, 4 decimals); None → None."""
    if degrees is None:
        return None
    sign = "-" if degrees < 0 else "+"
    ticks = round(abs(degrees) * 36_000_000)
    d, rest = divmod(ticks, 36_000_000)
    m, rest = divmod(rest, 600_000)
    s, frac = divmod(rest, 10_000)
    if ticks == 0:
        sign = "+"
    return f"{sign}{d:02d}:{m:02d}:{s:02d}.{frac:04d}"


def separation_arcmin(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """True great-circle separation of two positions in degrees, in arcmin (Vincenty; handles RA wrap, D7)."""
    l1, b1, l2, b2 = map(math.radians, (ra1, dec1, ra2, dec2))
    dl = l2 - l1
    sdl, cdl = math.sin(dl), math.cos(dl)
    sb1, cb1, sb2, cb2 = math.sin(b1), math.cos(b1), math.sin(b2), math.cos(b2)
    num = math.hypot(cb2 * sdl, cb1 * sb2 - sb1 * cb2 * cdl)
    den = sb1 * sb2 + cb1 * cb2 * cdl
    return math.degrees(math.atan2(num, den)) * 60.0


def flat_shift_deg(ra1: float, dec1: float, ra2: float, dec2: float) -> float:
    """v2.1's coordinate shift √(Δra² + Δdec²) in degrees, no cos δ (K13, kept for the revision note)."""
    return math.hypot(ra1 - ra2, dec1 - dec2)


def _sexagesimal_parts(text: str, what: str) -> tuple[float, float, float]:
    tokens = [t for t in _SEXA_SPLIT.split(text.strip()) if t]
    if not 2 <= len(tokens) <= 3 or any(not _FLOAT_RE.match(t) or t.startswith(("+", "-")) for t in tokens):
        hint = "hh:mm:ss.s" if what == "RA" else "±dd:mm:ss.s"
        raise ValueError(f"{what} {text!r} is not readable: use {hint}, space-separated parts, or decimal degrees")
    values = [float(t) for t in tokens] + [0.0] * (3 - len(tokens))
    return values[0], values[1], values[2]


def _check_minutes_seconds(m: float, s: float, what: str, text: str) -> None:
    if not 0 <= m < 60 or m != int(m):
        raise ValueError(f"{what} {text!r}: minutes must be a whole number 0-59")
    if not 0 <= s < 60:
        raise ValueError(f"{what} {text!r}: seconds must be at least 0 and below 60")


def _ra_stored(deg: float) -> float:
    """Rounded to `COORD_DECIMALS`, and wrapped, so that a value that rounds up to 360 is 0 (never 360)."""
    return round(deg, COORD_DECIMALS) % 360.0


def _check_ra_degrees(deg: float, shown: object) -> float:
    if not math.isfinite(deg) or not 0 <= deg < 360:
        raise ValueError(f"RA {shown!r} is out of range: must be at least 0 and below 360 degrees")
    return _ra_stored(deg)


def _check_dec_degrees(deg: float, shown: object) -> float:
    if not math.isfinite(deg) or not -90 <= deg <= 90:
        raise ValueError(f"Dec {shown!r} is out of range: must be between -90 and +90 degrees")
    return round(deg, COORD_DECIMALS)


# ---------------------------------------------------------------------------------------------------- dither


def deg_to_arcsec(value: float | None) -> float | None:
    """Dither amplitude/frequency: degrees (per s) → arcsec (per s); None passes."""
    return None if value is None else value * ARCSEC_PER_DEG


def arcsec_to_deg(value: float | None) -> float | None:
    """Dither amplitude/frequency: arcsec (per s) → degrees (per s); None passes."""
    return None if value is None else value / ARCSEC_PER_DEG


# ---------------------------------------------------------------------------------------------------- typed parse


def parse_typed(kind: str, value: Any) -> Any:
    """Coerce one form value by its catalogue kind ([REC] of ocat-data-page §4.1): null → None; ValueError
    with a message.

    `int` rejects decimals, `float` takes numbers, `date` returns storage text, every other kind keeps text
    (so a purely numeric target name stays text).
    """
    if is_null(value) or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.match(value):
            return int(value)
        raise ValueError(f"{value!r} is not a whole number")
    if kind == "float":
        if _is_number(value):
            if not math.isfinite(value):
                raise ValueError(f"{value!r} is not a number")
            return float(value)
        if isinstance(value, str) and _FLOAT_RE.match(value):
            return float(value)
        raise ValueError(f"{value!r} is not a number")
    if kind == "date":
        return to_storage(value)
    return value if isinstance(value, str) else str(value)
