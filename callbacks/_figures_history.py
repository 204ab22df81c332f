"""Pure builders of the history page's timeline (E12): an `ObsidHistory` in, a Plotly figure dict out.

One row per revision (newest on top). Each routed sign-off column is a horizontal bar from submission to its
sign-off (or discard) time; a column still pending runs to `now`, hatched. Submissions are markers shaped by
kind; audit events (sign-offs, undos, discards, approvals, deleted revisions) are markers at their time.
Times are shown in the display zone, which the axis title names (D4), and go out as ISO text.
Built as plain dicts (what `dcc.Graph` takes), as the analytics figures are: `go.Figure` validated every trace on
each request and cost a worker's first history page some 300 ms to set its validators up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callbacks._figures_analytics import COLUMN_COLOURS, WHITE
from data.clock import local_text
from data.parameters.catalogue import SIGNOFF_COLUMNS, SIGNOFF_LABELS
from data.revisions.history import HistoryEvent, ObsidHistory, Wait

KIND_SYMBOLS = {"norm": "circle", "asis": "star", "remove": "x", "clone": "diamond"}
EVENT_STYLE = {
    "sign": ("triangle-right", "#2f4f4f"),
    "approve": ("star-triangle-up", "#198754"),
    "discard": ("x-thin-open", "#dc3545"),
    "undo": ("arrow-left", "#d63384"),
}
"""Event family → marker symbol and colour; submissions are drawn as the revision markers instead."""


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).replace(tzinfo=None).isoformat()


def _hours(wait: Wait) -> str:
    hours = (wait.end - wait.start).total_seconds() / 3600.0
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} h"


def row_labels(view: ObsidHistory) -> list[str]:
    """The timeline's rows, oldest first: every revision and every deleted one named by an event."""
    names = {r.obsidrev for r in view.revisions} | set(view.removed)
    return sorted(names, key=lambda n: int(n.split(".")[1]))


def wait_traces(waits: Sequence[Wait], zone: ZoneInfo) -> list[dict[str, Any]]:
    """One horizontal bar trace per sign-off column (legend entry), pending bars hatched."""
    traces = []
    for column in SIGNOFF_COLUMNS:
        mine = [w for w in waits if w.column == column]
        if not mine:
            continue
        traces.append(
            {
                "type": "bar",
                "name": SIGNOFF_LABELS[column],
                "orientation": "h",
                "y": [w.obsidrev for w in mine],
                "base": [_local(w.start, zone) for w in mine],
                "x": [max((w.end - w.start).total_seconds() * 1000.0, 60_000.0) for w in mine],
                "offsetgroup": column,
                "marker": {
                    "color": COLUMN_COLOURS[column],
                    "pattern": {"shape": ["/" if w.pending else "" for w in mine]},
                    "opacity": 0.85,
                },
                "customdata": [
                    [
                        SIGNOFF_LABELS[column],
                        w.status,
                        w.user or "—",
                        local_text(w.start, zone),
                        "still pending (now)" if w.pending else local_text(w.end, zone),
                        _hours(w),
                    ]
                    for w in mine
                ],
                "hovertemplate": "%{y} · %{customdata[0]}<br>%{customdata[1]} by %{customdata[2]}"
                "<br>submitted %{customdata[3]}<br>until %{customdata[4]} (%{customdata[5]})<extra></extra>",
            }
        )
    return traces


def submission_trace(view: ObsidHistory, zone: ZoneInfo) -> dict[str, Any]:
    revs = view.revisions
    return {
        "type": "scatter",
        "name": "Submitted",
        "mode": "markers",
        "x": [_local(r.time, zone) for r in revs],
        "y": [r.obsidrev for r in revs],
        "marker": {
            "symbol": [KIND_SYMBOLS.get(r.kind, "circle") for r in revs],
            "size": 12,
            "color": "#212529",
            "line": {"width": 1, "color": "white"},
        },
        "customdata": [[r.kind, r.user, local_text(r.time, zone), len(r.requests)] for r in revs],
        "hovertemplate": "%{y} submitted as %{customdata[0]} by %{customdata[1]}<br>%{customdata[2]}"
        "<br>%{customdata[3]} parameter(s) requested<extra></extra>",
    }


def event_traces(events: Sequence[HistoryEvent], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Markers for the audit events other than submissions, one trace per family."""
    traces = []
    for family, (symbol, colour) in EVENT_STYLE.items():
        mine = [e for e in events if e.action.split(".")[0] == family]
        if not mine:
            continue
        traces.append(
            {
                "type": "scatter",
                "name": {"sign": "Signed", "approve": "Approved", "discard": "Discarded", "undo": "Undone"}[family],
                "mode": "markers",
                "x": [_local(e.time, zone) for e in mine],
                "y": [e.target for e in mine],
                "marker": {"symbol": symbol, "size": 11, "color": colour},
                "customdata": [[e.action, e.user or "—", local_text(e.time, zone)] for e in mine],
                "hovertemplate": "%{y} · %{customdata[0]} by %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
            }
        )
    return traces


def timeline_figure(view: ObsidHistory, zone_name: str) -> dict[str, Any]:
    """The whole timeline of one obsid."""
    zone = ZoneInfo(zone_name)
    rows = row_labels(view)
    now = _local(view.now, zone)
    layout = {
        "template": WHITE,  # the bar/scatter part of plotly_white
        "title": {"text": f"Revisions of {view.obsid}: sign-off waits and events", "x": 0},
        "barmode": "group",
        "bargap": 0.25,
        "height": max(260, 70 + 42 * len(rows)),
        "margin": {"l": 90, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
        "xaxis": {"type": "date", "title": {"text": f"Time ({zone_name})"}},
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows,
            "title": {"text": "obsid.rev"},
            "autorange": "reversed",
        },
        "shapes": [
            {
                "type": "line",
                "x0": now,
                "x1": now,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",
                "line": {"dash": "dot", "color": "#6c757d"},
            }
        ],
    }
    data = [*wait_traces(view.waits, zone), submission_trace(view, zone), *event_traces(view.events, zone)]
    return {"data": data, "layout": layout}


__all__ = [
    "COLUMN_COLOURS",
    "KIND_SYMBOLS",
    "event_traces",
    "row_labels",
    "submission_trace",
    "timeline_figure",
    "wait_traces",
]
