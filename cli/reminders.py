"""`usint reminders` commands."""

from __future__ import annotations

import click

group = click.Group("reminders", help="reminders commands.")
