"""`usint db` commands."""

from __future__ import annotations

import click

group = click.Group("db", help="db commands.")
