"""`usint schedule` commands."""

from __future__ import annotations

import click

group = click.Group("schedule", help="schedule commands.")
