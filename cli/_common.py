"""What the CLI commands share: the app's settings and a transaction."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from flask.cli import with_appcontext

from data.errors import UsintError


def command(group: click.Group, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """`@group.command` inside the app context, turning a UsintError into a clear message and exit code 1."""

    def decorate(fn: Callable[..., Any]) -> click.Command:
        @wraps(fn)
        def run(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except UsintError as err:
                raise click.ClickException(err.user_message) from None

        return group.command(*args, **kwargs)(with_appcontext(run))

    return decorate
