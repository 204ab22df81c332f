"""`usint mail` commands."""

from __future__ import annotations

import click

group = click.Group("mail", help="mail commands.")
