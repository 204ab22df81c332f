"""`usint db` commands: create or upgrade the revision DB, seed the parameters table, check the schema."""

from __future__ import annotations

import click

from cli._common import command
from data.parameters.table import seed_parameters
from data.schema import check as run_check
from data.schema import upgrade as run_upgrade
from web.db import resources, session_scope

group = click.Group("db", help="The revision database.")


@command(group, "upgrade")
def upgrade() -> None:
    """Create the revision DB, or upgrade it (a v2.1 usint.db too) in place, then seed the parameters.

    Only that: no demo data, even with USINT_DEMO=1 (`usint demo seed` seeds it)."""
    reached = run_upgrade(resources().engine)
    with session_scope() as session:
        added = seed_parameters(session)
    click.echo(f"revision DB at {reached}; parameters seeded ({added if added is not None else 'ok'})")


@command(group, "seed-parameters")
def seed_parameters_command() -> None:
    """Add missing rows to the `parameters` table from the parameter catalogue (idempotent)."""
    with session_scope() as session:
        added = seed_parameters(session)
    click.echo(f"parameters seeded ({added if added is not None else 'ok'})")


@command(group, "check")
def check() -> None:
    """Exit 1 when the DB is not at the newest migration or differs from the models."""
    problems = run_check(resources().engine)
    for line in problems:
        click.echo(line)
    if problems:
        raise click.ClickException("the revision DB needs `usint db upgrade`")
    click.echo("revision DB is up to date")
