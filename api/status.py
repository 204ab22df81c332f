"""API routes: the status board as JSON and CSV, and the approved obsids (INTERFACE.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from api import bp
from data import clock
from data.board.rows import COLUMNS, board_frame
from data.csv_export import csv_text
from web.db import ocat_source, resources, session_scope
from web.identity import current_identity

CSV_COLUMNS = (
    "obsidrev",
    "obsid",
    "revision_number",
    "sequence_number",
    "target",
    "pi",
    "kind",
    "user",
    "time",
    "state",
    "closed_at",
    "notes",
    *(f"{c}_{part}" for c in COLUMNS for part in ("status", "user", "time", "waited_h")),
)


def _ocat() -> Any:
    try:
        return ocat_source()
    except Exception:
        return None


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
        return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None


def _plain(value: Any) -> Any:
    try:
        import pandas as pd

        if not isinstance(value, list | dict) and pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def status_rows() -> list[dict[str, Any]]:
    """The board's rows as the API shows them: INTERFACE fields plus target, PI, waits and colour."""
    conf = resources().settings
    with session_scope(readonly=True) as session:
        frame = board_frame(
            session,
            now=clock.now(),
            closed_window_h=conf.closed_window_h,
            user=current_identity(),
            ocat=_ocat(),
            cache=True,
            lookups=resources().lookups,
        )
    rows = []
    for rec in frame.to_dict("records"):
        rows.append(
            {
                "obsidrev": rec["obsidrev"],
                "obsid": int(rec["obsid"]),
                "revision_number": int(rec["revision_number"]),
                "sequence_number": _plain(rec["sequence_number"]),
                "target": _plain(rec["target"]),
                "pi": _plain(rec["pi"]),
                "kind": rec["kind"],
                "user": rec["submitter"],
                "time": _iso(rec["submitted"]),
                "state": "open" if rec["is_open"] else "closed",
                "closed_at": _iso(rec["closed_at"]),
                "notes": list(rec["badges"] or []),
                "approved": bool(rec["approved"]),
                "color": _plain(rec["color"]),
                "signoff": {
                    c: {
                        "status": rec[f"{c}_status"],
                        "user": _plain(rec[f"{c}_by"]),
                        "time": _iso(rec[f"{c}_at"]),
                        "waited_h": _plain(rec[f"{c}_waited_h"]),
                    }
                    for c in COLUMNS
                },
            }
        )
    return rows


@bp.get("/status")
def status() -> Response:
    """Every open revision plus those closed within the window (D12), as a list of rows."""
    return jsonify(status_rows())


def status_csv_text(rows: list[dict[str, Any]]) -> str:
    """The status rows as CSV (data.csv_export: formula-looking text neutralised), one column group per sign-off."""
    flat_rows = []
    for row in rows:
        flat = {k: v for k, v in row.items() if k != "signoff"}
        flat["notes"] = ";".join(row["notes"])
        for c, s in row["signoff"].items():
            for part in ("status", "user", "time", "waited_h"):
                flat[f"{c}_{part}"] = s[part]
        flat_rows.append([flat.get(k) for k in CSV_COLUMNS])
    return csv_text(CSV_COLUMNS, flat_rows)


@bp.get("/status.csv")
def status_csv() -> Response:
    """The same rows as CSV, one sign-off column group per column."""
    body = status_csv_text(status_rows())
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="usint-status.csv"'},
    )


@bp.get("/approved")
def approved() -> Response:
    """Every approved obsid (integers, ascending)."""
    from data.revisions.store import approved_obsids

    with session_scope(readonly=True) as session:
        return jsonify([int(o) for o in approved_obsids(session)])
