"""The one CSV writer of every export (the status CSV of the API, the analytics download).

A spreadsheet reads a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula (CSV
injection: a target name or remark typed as `=HYPERLINK(...)` would run when a colleague opens the file). Every text
cell that starts so gets a leading `'`, which makes it plain text; numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with these as a formula; such text gets a leading quote."""


def safe_cell(value: Any) -> Any:
    """`value` as a CSV cell: None and NaN empty, formula-like text quoted, anything else unchanged."""
    if value is None or _missing(value):
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _missing(value: Any) -> bool:
    """NaN, NaT and pandas' NA (a missing value compares unequal to itself, or cannot be compared)."""
    try:
        return bool(value != value)
    except TypeError:  # pandas' NA: its truth is ambiguous
        return True
    except ValueError:  # an array: not a missing value
        return False


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document: `header`, then each row with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def frame_csv(frame: Any) -> str:
    """A pandas DataFrame as CSV (no index), through the same safe cells."""
    columns = [str(c) for c in frame.columns]
    return csv_text(columns, frame.itertuples(index=False, name=None))
