"""`usint user` commands."""

from __future__ import annotations

import click

group = click.Group("user", help="Users and their groups.")
