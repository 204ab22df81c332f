"""`usint mail` commands: retry the e-mail outbox, show what waits."""

from __future__ import annotations

import click

from cli._common import command
from data import clock
from data.mail.outbox import outbox_status, retry_failed
from data.mail.sender import send_pending
from web.db import resources, session_scope

group = click.Group("mail", help="The e-mail outbox.")


@command(group, "retry")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1, 100_000), help="At most this many.")
@click.option(
    "--max-seconds",
    default=240,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Claim no more mails after this long (the rest waits for the next run).",
)
def retry(limit: int, max_seconds: int) -> None:
    """Put failed mails back in the queue and send everything queued, here and now (cron: every 10 minutes)."""
    with session_scope() as session:
        requeued = retry_failed(session)
    report = send_pending(
        resources().sessions, resources().settings, now=clock.now(), limit=limit, retry_after_s=0, max_run_s=max_seconds
    )
    with session_scope() as session:
        status = outbox_status(session)
    click.echo(f"requeued {requeued}; {report}")
    click.echo("outbox: " + ", ".join(f"{k} {v}" for k, v in sorted(status.counts.items())))
