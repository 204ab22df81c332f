"""Pure builders of the duty calendar (E12): periods in, components out; no database, no request.

The calendar has one row pair per week (Monday to Sunday): a row of dates (today marked) and a row of
segments, each the part of one duty period inside that week, coloured per person, with the contact's name.
Open (TBD) periods are striped amber; a span that is not 7 days gets a magenta frame and a "n days" badge;
days nobody covers (a gap) or two periods cover (an overlap) are red, as the usage note describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dash import html

from data.schedule import Period, fmt_range
from pages._ids import scheduler_period

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
PROBLEM_BG = "#f8d7da"
MAGENTA = "#d63384"
TODAY = "#0d6efd"
SELECTED = "#212529"
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


def _segment_cell(seg: Segment, week: date, *, today: date, palette: dict[str, str], selected: int | None) -> html.Td:
    base = {
        "padding": "4px 6px",
        "fontSize": "0.85rem",
        "lineHeight": 1.2,
        "verticalAlign": "middle",
        "height": "2.6rem",
        "borderRadius": "6px",
        "border": "1px solid #ffffff",
        "overflow": "hidden",
        "whiteSpace": "nowrap",
        "textOverflow": "ellipsis",
        "maxWidth": "1px",  # lets the ellipsis work inside a fixed table layout
    }
    if seg.last < today:
        base["opacity"] = 0.55
    if seg.kind == "none":
        return html.Td("", colSpan=seg.days, style={**base, "background": "#f8f9fa"})
    if seg.kind == "gap":
        return html.Td(
            "gap: nobody on duty",
            colSpan=seg.days,
            title=f"{fmt_range(seg.first, seg.last)}: no duty period covers these days",
            className="scheduler-gap",
            style={
                **base,
                "background": PROBLEM_BG,
                "border": f"2px solid {PROBLEM}",
                "color": PROBLEM,
                "fontWeight": 700,
            },
        )
    if seg.kind == "overlap":
        names = " / ".join(label(p) for p in seg.periods)
        return html.Td(
            f"overlap: {names}",
            id=scheduler_period(seg.periods[0].id, week.isoformat()),
            n_clicks=0,
            colSpan=seg.days,
            title=f"{fmt_range(seg.first, seg.last)}: covered by {len(seg.periods)} periods ({names})",
            className="scheduler-overlap",
            style={
                **base,
                "background": PROBLEM_BG,
                "border": f"2px solid {PROBLEM}",
                "color": PROBLEM,
                "fontWeight": 700,
                "cursor": "pointer",
            },  # fmt: skip
        )
    period = seg.periods[0]
    style = {**base, "cursor": "pointer"}
    if period.tbd:
        style.update(TBD_STYLE)
    else:
        style.update({"background": palette.get(period.user or "", PALETTE[0]), "color": "#212529", "fontWeight": 600})
    shadows = []
    if period.nonstandard:
        shadows.append(f"inset 0 0 0 3px {MAGENTA}")
    if period.gap_before and seg.first == period.start:
        style["borderLeft"] = f"6px solid {PROBLEM}"
    if period.id == selected:
        style.update({"outline": f"3px solid {SELECTED}", "outlineOffset": "1px"})
    if shadows:
        style["boxShadow"] = ", ".join(shadows)
    continues = "… " if seg.first != period.start else ""
    children: list = [continues + label(period)]
    if period.nonstandard and seg.first == period.start:
        children.append(
            html.Span(f" {period.days} d", className="badge ms-1", style={"background": MAGENTA, "fontSize": "0.7rem"})
        )
    tip = [f"{fmt_range(period.start, period.stop)}: {period.display_name}"]
    if period.assigner and period.assigner != period.user:
        tip.append(f"assigned by {period.assigner}")
    tip += flag_text(period)
    classes = ["scheduler-segment", "scheduler-tbd" if period.tbd else "scheduler-taken"]
    if period.nonstandard:
        classes.append("scheduler-nonstandard")
    if period.id == selected:
        classes.append("scheduler-selected")
    return html.Td(
        children,
        id=scheduler_period(period.id, week.isoformat()),
        n_clicks=0,
        colSpan=seg.days,
        title="; ".join(tip),
        className=" ".join(classes),
        style=style,
    )


def _date_cell(day: date, today: date) -> html.Td:
    text = day.strftime("%d %b") if day.day == 1 or day.weekday() == 0 else day.strftime("%d")
    style = {"fontSize": "0.75rem", "color": "#6c757d", "padding": "2px 6px", "borderTop": "1px solid #dee2e6"}
    if day == today:
        return html.Td(
            [html.Span(text, className="badge rounded-pill", style={"background": TODAY}), " today"],
            className="scheduler-today",
            style={**style, "color": TODAY, "fontWeight": 700},
        )
    if day.weekday() >= 5:
        style["background"] = "#fafafa"
    return html.Td(text, style=style)


def calendar_table(
    periods: Sequence[Period], *, today: date, first: date, last: date, selected: int | None = None
) -> html.Table:
    """Weeks `first` (a Monday) … `last` as rows: dates with today marked, then the duty segments."""
    palette = colours(periods)
    head = html.Thead(
        html.Tr(
            [html.Th("Week", style={"width": "6.5rem"})]
            + [html.Th(d, style={"textAlign": "left", "fontWeight": 600}) for d in DAY_NAMES]
        )
    )
    rows: list[html.Tr] = []
    week = monday(first)
    while week <= last:
        current = week <= today <= week + timedelta(days=6)
        year = (
            str((week + timedelta(days=6)).year)
            if week == monday(first) or (week + timedelta(days=6)).day <= 7 and (week + timedelta(days=6)).month == 1
            else ""
        )
        head_style = {"fontSize": "0.8rem", "verticalAlign": "middle", "whiteSpace": "nowrap"}
        if current:
            head_style.update({"color": TODAY, "fontWeight": 700})
        rows.append(
            html.Tr(
                [html.Td(year, style={**head_style, "fontSize": "0.7rem", "color": "#adb5bd"})]
                + [_date_cell(week + timedelta(days=i), today) for i in range(7)]
            )
        )
        cells = [
            _segment_cell(s, week, today=today, palette=palette, selected=selected) for s in segments(periods, week)
        ]
        rows.append(
            html.Tr(
                [html.Td(("this week" if current else week.strftime("%d %b")), style=head_style)] + cells,
                className="scheduler-week" + (" scheduler-current-week" if current else ""),
                **{"data-week": week.isoformat()},
            )
        )
        week += timedelta(days=7)
    return html.Table(
        [head, html.Tbody(rows)],
        className="scheduler-calendar",
        style={"width": "100%", "tableLayout": "fixed", "borderCollapse": "separate", "borderSpacing": "2px 0"},
    )


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
        chip("gap / overlap", {"background": PROBLEM_BG, "border": f"2px solid {PROBLEM}", "color": PROBLEM}),
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
                note, className="small", style={"color": PROBLEM if "gap" in note or "overlap" in note else MAGENTA}
            )
        )
    return lines
