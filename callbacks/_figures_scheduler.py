"""Pure builders of the duty calendar (E12): periods in, grid rows (data) out; no database, no request.

The calendar (a dash-ag-grid) has one row pair per week (Monday to Sunday): a row of dates (today marked) and a
row of segments, each the part of one duty period inside that week, coloured per person, with the contact's name.
Open (TBD) periods are striped amber; a span that is not 7 days gets a magenta frame and a "n days" badge;
days nobody covers (a gap) or two periods cover (an overlap) are red, as the usage note describes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dash import html

from data.schedule import Period, fmt_range

PALETTE = (
    "#a6cee3",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#8dd3c7",
    "#ffffb3",
    "#bebada",
    "#80b1d3",
    "#b3de69",
    "#ccebc5",
    "#fdd0a2",
    "#9ecae1",
    "#c7e9c0",
    "#dadaeb",
    "#ffed6f",
    "#a1d99b",
)
"""Light colours, one per person on screen; none is red or magenta (those mark problems)."""
TBD_STYLE = {
    "background": "repeating-linear-gradient(45deg, #fff3cd, #fff3cd 8px, #ffe8a1 8px, #ffe8a1 16px)",
    "border": "2px dashed #d39e00",
    "color": "#7a5a00",
    "fontWeight": 700,
}
PROBLEM = "#dc3545"
PROBLEM_TEXT = "#a52834"
"""Red text: 5.3:1 on PROBLEM_BG, 6.9:1 on white (PROBLEM itself is 3.4:1 on PROBLEM_BG)."""
PROBLEM_BG = "#f8d7da"
MAGENTA = "#d63384"
MAGENTA_TEXT = "#ab296a"
"""Magenta text: 6.4:1 on white (MAGENTA itself is 4.5:1)."""
TODAY = "#0d6efd"
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def colours(periods: Iterable[Period]) -> dict[str, str]:
    """A distinct colour for each person in view (sorted by username, so a reload keeps them)."""
    names = sorted({p.user for p in periods if p.user})
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def window(today: date, periods: Sequence[Period], *, look_back: int = 30, ahead: int = 240) -> tuple[date, date]:
    """From the Monday 30 days back to the Sunday of the last period (at least `ahead` days)."""
    first = monday(today - timedelta(days=look_back))
    last = max([today + timedelta(days=ahead), *(p.stop for p in periods)])
    return first, monday(last) + timedelta(days=6)


@dataclass(frozen=True)
class Segment:
    """Consecutive days of one week covered by the same period(s): 0 = gap, 1 = normal, 2+ = overlap."""

    first: date
    days: int
    periods: tuple[Period, ...]
    inside: bool = True
    """False for days before the first or after the last period of the table (nothing to flag there)."""

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    @property
    def kind(self) -> str:
        if not self.periods:
            return "gap" if self.inside else "none"
        return "overlap" if len(self.periods) > 1 else "period"


def segments(periods: Sequence[Period], week: date) -> list[Segment]:
    """Split the week starting on Monday `week` into runs of days with the same covering periods."""
    ordered = sorted(periods, key=lambda p: (p.start, p.id))
    first_day = ordered[0].start if ordered else None
    last_day = max((p.stop for p in ordered), default=None)
    out: list[Segment] = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        covering = tuple(p for p in ordered if p.covers(day))
        inside = first_day is not None and last_day is not None and first_day <= day <= last_day
        prev = out[-1] if out else None
        if prev and tuple(p.id for p in prev.periods) == tuple(p.id for p in covering) and prev.inside == inside:
            out[-1] = Segment(prev.first, prev.days + 1, prev.periods, inside)
        else:
            out.append(Segment(day, 1, covering, inside))
    return out


def label(period: Period) -> str:
    return period.display_name


def flag_text(period: Period) -> list[str]:
    notes = []
    if period.nonstandard:
        notes.append(f"{period.days} days (not the standard Monday–Sunday week)")
    if period.gap_before:
        notes.append("nobody covers the days before it (gap)")
    if period.overlap:
        notes.append("shares days with an adjacent period (overlap)")
    return notes


DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The grid's day columns, Monday first."""


def _segment_cell(seg: Segment, *, today: date, palette: dict[str, str]) -> tuple[int | None, dict[str, Any]]:
    """(the period id a click selects, or None; how the cell looks: span, text, classes, tooltip, colour)."""
    classes = ["scheduler-past"] if seg.last < today else []
    if seg.kind == "none":
        return None, {"span": seg.days, "text": "", "cls": " ".join(["scheduler-none", *classes])}
    if seg.kind == "gap":
        return None, {
            "span": seg.days,
            "text": "gap: nobody on duty",
            "cls": " ".join(["scheduler-gap", *classes]),
            "tip": f"{fmt_range(seg.first, seg.last)}: no duty period covers these days",
        }
    if seg.kind == "overlap":
        names = " / ".join(label(p) for p in seg.periods)
        return seg.periods[0].id, {
            "span": seg.days,
            "text": f"overlap: {names}",
            "cls": " ".join(["scheduler-overlap", *classes]),
            "tip": f"{fmt_range(seg.first, seg.last)}: covered by {len(seg.periods)} periods ({names})",
        }
    period = seg.periods[0]
    classes = ["scheduler-segment", "scheduler-tbd" if period.tbd else "scheduler-taken", *classes]
    first = seg.first == period.start
    text = ("… " if not first else "") + label(period)
    if period.nonstandard:
        classes.append("scheduler-nonstandard")
        if first:
            text += f" · {period.days} d"
    if period.gap_before and first:
        classes.append("scheduler-gap-before")
    tip = [f"{fmt_range(period.start, period.stop)}: {period.display_name}"]
    if period.assigner and period.assigner != period.user:
        tip.append(f"assigned by {period.assigner}")
    tip += flag_text(period)
    cell: dict[str, Any] = {"span": seg.days, "text": text, "cls": " ".join(classes), "tip": "; ".join(tip)}
    if not period.tbd:
        cell["bg"] = palette.get(period.user or "", PALETTE[0])
    return period.id, cell


def _date_text(day: date, today: date) -> str:
    text = day.strftime("%d %b") if day.day == 1 or day.weekday() == 0 else day.strftime("%d")
    return f"{text} today" if day == today else text


def calendar_rows(
    periods: Sequence[Period], *, today: date, first: date, last: date, selected: int | None = None
) -> list[dict[str, Any]]:
    """Weeks `first` (a Monday) … `last` as grid rows (data for dash-ag-grid, not components): per week a row of
    dates (`kind` "dates"; today's column in `today`) and a row of duty segments (`kind` "duty").

    In a duty row each day field holds the id of the period a click on it selects (None for gaps), and `cells`
    says, for the first day of each segment, how many days it spans, its text, CSS classes, tooltip and colour.
    `sel` is the selected period (outlined). A duty row's `id` ends in a digest of its cells, so a week whose
    segments change becomes a new row (ag-grid redraws it, spans and all) and an unchanged week keeps its row."""
    palette = colours(periods)
    rows: list[dict[str, Any]] = []
    week = monday(first)
    while week <= last:
        sunday = week + timedelta(days=6)
        current = week <= today <= sunday
        year = str(sunday.year) if week == monday(first) or (sunday.day <= 7 and sunday.month == 1) else ""
        days = [week + timedelta(days=i) for i in range(7)]
        dates: dict[str, Any] = {"id": f"d:{week.isoformat()}", "kind": "dates", "week": year, "current": current}
        dates.update({f: _date_text(d, today) for f, d in zip(DAY_FIELDS, days, strict=True)})
        if current:
            dates["today"] = DAY_FIELDS[today.weekday()]
        duty: dict[str, Any] = {
            "kind": "duty",
            "week": "this week" if current else week.strftime("%d %b"),
            "current": current,
            "sel": selected,
        }
        cells: dict[str, dict[str, Any]] = {}
        for seg in segments(periods, week):
            field = DAY_FIELDS[(seg.first - week).days]
            duty[field], cells[field] = _segment_cell(seg, today=today, palette=palette)
        duty["cells"] = cells
        digest = hashlib.sha1(json.dumps(cells, sort_keys=True).encode(), usedforsecurity=False).hexdigest()[:10]
        duty["id"] = f"w:{week.isoformat()}:{digest}"
        rows += [dates, duty]
        week += timedelta(days=7)
    return rows


def clicked_period(cell: dict[str, Any] | None) -> int | None:
    """The period a click on the calendar (ag-grid `cellClicked`) selects, or None (a date, a gap, the week)."""
    if not cell or not str(cell.get("rowId") or "").startswith("w:") or cell.get("colId") not in DAY_FIELDS:
        return None
    value = cell.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def legend(periods: Sequence[Period]) -> html.Div:
    """Colour key: TBD, the problems, today, and each person in view."""

    def chip(text: str, style: dict, cls: str = "") -> html.Span:
        return html.Span(
            text,
            className=f"me-2 mb-1 d-inline-block {cls}",
            style={"padding": "2px 8px", "borderRadius": "6px", "fontSize": "0.8rem", **style},
        )

    palette = colours(periods)
    names = {p.user: p.display_name for p in periods if p.user}
    chips = [
        chip("TBD: open, sign up!", dict(TBD_STYLE)),
        chip("n days: not a 7-day week", {"boxShadow": f"inset 0 0 0 3px {MAGENTA}", "background": "#fff"}),
        chip("gap / overlap", {"background": PROBLEM_BG, "border": f"2px solid {PROBLEM}", "color": PROBLEM_TEXT}),
        chip("today", {"background": TODAY, "color": "#fff"}),
    ]
    chips += [chip(names[u], {"background": c}) for u, c in palette.items()]
    return html.Div(chips, className="scheduler-legend mb-2")


def summary_line(periods: Sequence[Period], *, today: date) -> str:
    """`On duty now: X (until …). Next open period: … . N open periods in the next 14 days.`"""
    now = next((p for p in periods if p.covers(today)), None)
    parts = []
    if now is None:
        parts.append("Nobody is on duty today.")
    else:
        parts.append(f"On duty now: {now.display_name} (until {now.stop:%a %d %b}).")
    future = [p for p in periods if p.stop >= today]
    open_soon = [p for p in future if p.tbd and p.start <= today + timedelta(days=14)]
    next_open = next((p for p in future if p.tbd and p.start > today), None)
    if next_open:
        parts.append(f"Next open period: {fmt_range(next_open.start, next_open.stop)}.")
    parts.append(f"{len(open_soon)} open period{'s' if len(open_soon) != 1 else ''} in the next 14 days.")
    problems = sum(1 for p in future if p.gap_before or p.overlap)
    if problems:
        parts.append(f"{problems} period{'s' if problems != 1 else ''} with a gap or overlap.")
    return " ".join(parts)


def period_option(period: Period) -> dict[str, str | int]:
    """A choice of the period selector: `Mon 09 Mar 2026 – Sun 15 Mar 2026 · TBD`."""
    return {"label": f"{fmt_range(period.start, period.stop)} · {period.display_name}", "value": period.id}


def period_details(period: Period, *, today: date) -> list:
    """What the action panel says about the selected period."""
    state = "closed (started)" if period.start <= today else ("open (TBD)" if period.tbd else "taken")
    lines: list = [
        html.Div(html.Strong(fmt_range(period.start, period.stop)), className="mb-1"),
        html.Div(f"Contact: {period.display_name}" + (f" ({period.user})" if period.user else "")),
        html.Div(f"{period.days} days · {state}"),
    ]
    if period.assigner and period.assigner != period.user:
        lines.append(html.Div(f"Assigned by {period.assigner}", className="text-muted small"))
    for note in flag_text(period):
        lines.append(
            html.Div(
                note,
                className="small",
                style={"color": PROBLEM_TEXT if "gap" in note or "overlap" in note else MAGENTA_TEXT},
            )
        )
    return lines
