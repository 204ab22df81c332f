"""`usint user` commands: add, list, deactivate, change groups."""

from __future__ import annotations

import click

from cli._common import command
from data.users import add_user, change_groups, deactivate_user, list_users
from web.db import session_scope

group = click.Group("user", help="USINT users and their groups.")


def _line(user) -> str:  # noqa: ANN001 - data.models.User
    state = "active" if user.is_active else "inactive"
    return f"{user.username:<16} {state:<8} {user.groups or '-':<24} {user.full_name or ''} <{user.email or ''}>"


@command(group, "add")
@click.argument("username")
@click.option("--email", required=True, help="E-mail address.")
@click.option("--full-name", required=True, help="Full name as shown on pages and e-mails.")
@click.option("--groups", default="usint", show_default=True, help="Colon-separated groups, e.g. usint:too.")
@click.option("--inactive", is_flag=True, help="Register the user as inactive (read only).")
def add(username: str, email: str, full_name: str, groups: str, inactive: bool) -> None:
    """Register USERNAME (the login name the front web server passes)."""
    if "@" not in email:
        raise click.BadParameter("expected an e-mail address", param_hint="--email")
    with session_scope() as session:
        user = add_user(session, username, email=email, full_name=full_name, groups=groups, is_active=not inactive)
        click.echo(f"added {_line(user)}")


@command(group, "list")
@click.option("--group", "only_group", default=None, help="Only members of this group.")
def list_command(only_group: str | None) -> None:
    """List users with their state and groups."""
    with session_scope() as session:
        users = list_users(session, group=only_group)
        for user in users:
            click.echo(_line(user))
        click.echo(f"{len(users)} user(s)")


@command(group, "deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Make USERNAME read only (kept for the history of revisions and sign-offs)."""
    with session_scope() as session:
        click.echo(f"deactivated {_line(deactivate_user(session, username))}")


@command(group, "groups")
@click.argument("username")
@click.option("--add", "add_groups", multiple=True, help="Group to add (repeatable).")
@click.option("--remove", "remove_groups", multiple=True, help="Group to remove (repeatable).")
def groups(username: str, add_groups: tuple[str, ...], remove_groups: tuple[str, ...]) -> None:
    """Show USERNAME's groups, adding and removing some."""
    with session_scope() as session:
        user = change_groups(session, username, add=add_groups, remove=remove_groups)
        click.echo(_line(user))
