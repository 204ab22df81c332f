"""`usint reminders` commands: the daily pending sign-off digests and the TOO duty reminders (D20).

Each command builds its messages, queues them in the outbox in one transaction, then sends the queue itself,
synchronously (`data.mail.sender.send_pending`; only requests leave it to the worker's background sender): a
failed send stays queued for `usint mail retry`. A run that queued messages is
recorded as an event for its day (in the display zone): a second run that day (a cron line twice, a manual
run after cron) sends nothing unless `--again` says so. Write transactions take turns, so two runs at once
cannot both send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from cli._common import command
from data import clock, oplog
from data.events import record
from data.mail.outbox import Mail, queue
from data.mail.reminders import duty_reminders, pending_digests
from data.mail.sender import send_pending
from data.models import Event
from data.schedule import local_today
from web.db import resources, session_scope

group = click.Group("reminders", help="Daily reminder e-mails: pending sign-offs per team, TOO duty.")


def _run(name: str, build: Callable[[Session], Sequence[Mail]], dry_run: bool, again: bool = False) -> None:
    settings = resources().settings
    now = clock.now()
    target = f"reminders.{name}:{local_today(now, settings.timezone).isoformat()}"
    with session_scope() as session:
        done = session.scalar(select(Event).where(Event.target == target).order_by(Event.id.desc()).limit(1))
        if done is not None and not again and not dry_run:
            at = datetime.fromtimestamp(done.time, ZoneInfo(settings.timezone)).strftime("%H:%M %Z")
            click.echo(
                f"already sent today at {at} ({(done.after or {}).get('queued', '?')} message(s)); "
                "nothing sent (--again sends them again)"
            )
            return
        mails = list(build(session))
        if dry_run:
            for mail in mails:
                click.echo(f"--- To: {', '.join(mail.to)}\n    Subject: {mail.subject}\n{mail.body}")
            click.echo(f"dry run: {len(mails)} message(s) would be queued, nothing sent")
            return
        queue(session, mails, acting_user_email=settings.admin_email, now=now)
        if mails:
            record(
                session,
                user=None,
                action=f"reminders.{name}",
                target=target,
                before=None,
                after={"queued": len(mails)},
                now=now,
            )
        oplog.after_commit(session, "cli", f"reminders.{name}", "outbox", queued=len(mails))
    for mail in mails:
        click.echo(f"queued: {mail.subject} -> {', '.join(mail.to)}")
    if not mails:
        click.echo("nothing to send")
        return
    report = send_pending(resources().sessions, settings, now=now)
    click.echo(f"queued {len(mails)} message(s); outbox: {report}")


@command(group, "pending")
@click.option("--dry-run", is_flag=True, help="Print the digests instead of queueing and sending them.")
@click.option("--again", is_flag=True, help="Send even if today's digests were already sent.")
def pending(dry_run: bool, again: bool) -> None:
    """Mail each team (ArcOps, ACIS, HRC, USINT) its pending sign-offs with their ages (cron: weekdays 07:30)."""
    _run("pending", lambda s: pending_digests(s, now=clock.now(), settings=resources().settings), dry_run, again)


@command(group, "duty")
@click.option("--dry-run", is_flag=True, help="Print the reminders instead of queueing and sending them.")
@click.option("--again", is_flag=True, help="Send even if today's reminders were already sent.")
def duty(dry_run: bool, again: bool) -> None:
    """Remind the POC whose duty starts in 2 days; warn CUS and the admin of TBD periods within 14 days."""
    settings = resources().settings
    today = local_today(clock.now(), settings.timezone)
    _run("duty", lambda s: duty_reminders(s, today=today, settings=settings), dry_run, again)
