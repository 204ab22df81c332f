"""`usint demo seed`: the demo Ocat, demo users and demo revisions, also at benchmark scale."""

from __future__ import annotations

import click

from cli._common import command
from data.demo.seeding import DEFAULT_OPEN, DemoRefused, seed_demo
from web.db import resources

group = click.Group("demo", help="Demo data.")


@command(group, "seed")
@click.option("--observations", default=300, show_default=True, type=click.IntRange(1, 2_000_000))
@click.option("--revisions", default=400, show_default=True, type=click.IntRange(0, 2_000_000))
@click.option(
    "--open",
    "open_revisions",
    default=None,
    type=click.IntRange(0, 2_000_000),
    help="How many of the revisions are open (default 40 for the demo, 2 % at scale).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed: the same seed, the same data.")
@click.option("--force", is_flag=True, help="Rebuild even when USINT_OCAT_URL is not the demo Ocat.")
def seed(observations: int, revisions: int, open_revisions: int | None, seed: int, force: bool) -> None:
    """Rebuild the demo Ocat at USINT_OCAT_URL and put demo users and revisions in the revision DB.

    Demo revisions already there (those of the demo users) are replaced, so the DB ends with exactly the
    revisions this prints. A revision DB holding anything else is refused: demo data never goes into it."""
    res = resources()
    if not res.settings.demo and not force:
        raise click.ClickException(f"{res.settings.ocat_url} is not the demo Ocat; pass --force to overwrite it")
    if open_revisions is None:
        open_revisions = DEFAULT_OPEN if revisions <= 10_000 else None
    try:
        report = seed_demo(
            res.settings,
            res.sessions,
            observations=observations,
            revisions=revisions,
            open_revisions=open_revisions,
            seed=seed,
        )
    except DemoRefused as err:
        raise click.ClickException(f"not seeding: {err}") from None
    done = f"replaced {report.replaced} demo revisions" if report.replaced else "seeded"
    click.echo(
        f"{done}: demo Ocat: {report.observations} observations; revision DB: {report.revisions} revisions "
        f"({report.open_revisions} open); {report.seconds:.1f} s"
    )
