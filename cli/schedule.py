"""`usint schedule` commands: the rolling horizon of the TOO duty calendar (D20) and a plain listing."""

from __future__ import annotations

from datetime import timedelta

import click

from cli._common import command
from data import clock, oplog
from data.schedule import HORIZON_DAYS, extend_horizon, list_periods, local_today
from web.db import resources, session_scope

group = click.Group("schedule", help="The TOO point-of-contact duty calendar.")


@command(group, "extend")
@click.option(
    "--days",
    default=HORIZON_DAYS,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="Make the calendar reach this many days ahead of today.",
)
def extend(days: int) -> None:
    """Append open Monday-to-Sunday duty periods up to the horizon (idempotent; cron: daily at 02:00)."""
    settings = resources().settings
    now = clock.now()
    today = local_today(now, settings.timezone)
    with session_scope() as session:
        added = extend_horizon(session, days=days, today=today, now=now)
        last = max(
            (p.stop for p in list_periods(session, start=today, stop=today + timedelta(days=days + 366))), default=None
        )
        if added:
            oplog.after_commit(
                session,
                "cli",
                "schedule.extend",
                "schedule",
                added=len(added),
                first=added[0].start.isoformat(),
                last=added[-1].stop.isoformat(),
            )
    horizon = today + timedelta(days=days)
    if added:
        click.echo(
            f"added {len(added)} open period(s), {added[0].start:%a %d %b %Y} – {added[-1].stop:%a %d %b %Y}; "
            f"the calendar now runs to {last:%a %d %b %Y} (horizon {horizon:%d %b %Y})"
        )
    else:
        reach = f"{last:%a %d %b %Y}" if last else "nothing"
        click.echo(f"nothing to add: the calendar already runs to {reach} (horizon {horizon:%d %b %Y})")


@command(group, "show")
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(1, 104), help="How many weeks ahead.")
@click.option("--past", default=7, show_default=True, type=click.IntRange(0, 366), help="Days back to include.")
def show(weeks: int, past: int) -> None:
    """Print the duty periods from --past days ago to --weeks ahead, with gaps, overlaps and odd spans."""
    today = local_today(clock.now(), resources().settings.timezone)
    with session_scope() as session:
        periods = list_periods(session, start=today - timedelta(days=past), stop=today + timedelta(weeks=weeks))
    for p in periods:
        flags = [
            f
            for f, on in (("gap before", p.gap_before), ("overlap", p.overlap), (f"{p.days} days", p.nonstandard))
            if on
        ]
        mark = ">" if p.covers(today) else " "
        click.echo(
            f"{mark} #{p.id:<5} {p.start:%a %d %b %Y} – {p.stop:%a %d %b %Y}  {p.display_name:<24} "
            f"{'; '.join(flags)}".rstrip()
        )
    click.echo(f"{len(periods)} period(s); {sum(p.tbd for p in periods)} open (TBD)")
