"""Approved for flight (`/approved`): the approved obsids as grid rows, the quick filter and the CSV download.

The page arrives filled (`pages/approved.py` calls `approved_rows` while Dash Pages serves it), so nothing here runs
at load. The quick filter is ag-grid's own (a `quickFilterText` patch per debounced search); the CSV holds the
rows the filter shows, through the one CSV writer (`data/csv_export.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from dash import Dash, Input, Output, Patch, State, dcc
from dash.exceptions import PreventUpdate

from callbacks._context import ocat_lookups, ocat_source, session_scope, settings
from data.clock import local_text
from data.csv_export import csv_text
from data.ocat.lookups import lookup
from data.revisions.store import approvals
from pages._ids import ApprovedIds

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("obsid", "ObsID"),
    ("obsidrev", "Approved as (obsid.rev)"),
    ("approved", "Approved at"),
    ("by", "Approved by"),
    ("target", "Target"),
    ("pi", "PI"),
    ("seq", "Sequence number"),
)
"""Field and heading of each CSV column (the grid shows the same fields)."""


def _basics(obsids: list[int]) -> tuple[dict[int, Any], str]:
    """Target and PI of each obsid from the Ocat (cached look-ups); none, and a notice, when it cannot be read."""
    if not obsids:
        return {}, ""
    try:
        return lookup(ocat_source(), obsids, ocat_lookups()), ""
    except Exception:  # the Ocat is down: the approvals still show, without target and PI
        return {}, "The Ocat could not be read: targets and PIs are not shown."


def approved_rows() -> tuple[list[dict[str, Any]], str]:
    """(rowData, notice): every approved obsid with when and by whom it was approved (display time zone)."""
    zone = ZoneInfo(settings().timezone)
    with session_scope(readonly=True) as session:
        found = approvals(session)
    basics, notice = _basics([a.obsid for a in found])
    rows = []
    for a in found:
        b = basics.get(a.obsid)
        rows.append(
            {
                "obsid": a.obsid,
                "obsidrev": a.obsidrev,
                "approved": local_text(a.time, zone),
                "by": f"{a.full_name} ({a.user})" if a.full_name and a.user else a.full_name or a.user or "",
                "target": (b.target if b else None) or "",
                "pi": (b.pi if b else None) or "",
                "seq": a.sequence_number,
            }
        )
    return rows, notice


def summary_text(count: int, zone: str) -> str:
    return f"{count} approved observation{'' if count == 1 else 's'} · times in {zone}"


def matches(row: Mapping[str, Any], words: Sequence[str]) -> bool:
    """ag-grid's quick filter: every word (case-insensitive) is part of some cell of the row."""
    cells = " ".join("" if v is None else str(v) for v in row.values()).lower()
    return all(w in cells for w in words)


def filtered(rows: Iterable[Mapping[str, Any]], text: str | None) -> list[Mapping[str, Any]]:
    words = (text or "").lower().split()
    return [r for r in rows if matches(r, words)]


def quick_filter(text: str | None) -> Patch:
    patch = Patch()
    patch["quickFilterText"] = text or ""
    return patch


def download_csv(n_clicks: int | None, text: str | None) -> dict[str, Any]:
    """The approvals the filter shows, as CSV (read again, so the file is current)."""
    if not n_clicks:
        raise PreventUpdate
    rows, _notice = approved_rows()
    shown = filtered(rows, text)
    body = csv_text([h for _, h in CSV_COLUMNS], ([r.get(f) for f, _ in CSV_COLUMNS] for r in shown))
    return dcc.send_string(body, "usint-approved.csv", type="text/csv")


def register(app: Dash) -> None:
    app.callback(
        Output(ApprovedIds.GRID, "dashGridOptions"),
        Input(ApprovedIds.SEARCH, "value"),
        prevent_initial_call=True,  # the layout arrives with the filter of the address (?q=)
    )(quick_filter)
    app.callback(
        Output(ApprovedIds.DOWNLOAD, "data"),
        Input(ApprovedIds.CSV, "n_clicks"),
        State(ApprovedIds.SEARCH, "value"),
        prevent_initial_call=True,
    )(download_csv)
