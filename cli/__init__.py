"""The `usint` command group: `flask --app dashboard:server usint <group> <command>`."""

from __future__ import annotations

from flask import Flask
from flask.cli import AppGroup

from cli import db, demo, mail, reminders, schedule, users

usint = AppGroup("usint", help="USINT Dash administration: database, demo data, users, schedule, reminders, mail.")


def init_app(server: Flask) -> None:
    """Attach every command group to `usint`, and `usint` to the Flask CLI."""
    for module in (db, demo, users, schedule, reminders, mail):
        usint.add_command(module.group)
    server.cli.add_command(usint)
