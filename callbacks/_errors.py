"""The one funnel for callback errors (E4): the app's `on_error`, and what a page's first view calls on failure."""

from __future__ import annotations

from dash import set_props

from data.errors import UsintError
from pages._ids import ShellIds
from web.errors import database_message, log_exception


def report_error(err: Exception) -> None:
    """Show a UsintError's message in the toast, else a logged reference id."""
    if isinstance(err, UsintError):
        message = err.user_message
    elif (trouble := database_message(err)) is not None:
        message = f"{trouble} (Reference {log_exception(err, 'callback')}.)"
    else:
        message = f"Unexpected error, logged as {log_exception(err, 'callback')}. Please tell the USINT admin."
    set_props(ShellIds.NOTICE, {"children": message, "is_open": True})


__all__ = ["report_error"]
