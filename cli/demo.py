"""`usint demo` commands."""

from __future__ import annotations

import click

group = click.Group("demo", help="demo commands.")
