"""A page's first view, read while Dash Pages serves the layout, so the page arrives filled in one round trip.

Dash Pages calls a layout function in two places: in its router callback, when a browser opens the page (the
answer to that one `_dash-update-component` request is the page), and once at start-up, with no request of a user,
to build the validation layout. `first_view(read, fallback)` runs `read()` only in the first case; the page's own
callbacks then update it (refresh, filters, actions) without a second round trip at load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from dash import ctx
from dash.exceptions import MissingCallbackContextException

from callbacks._errors import report_error

T = TypeVar("T")

PAGES_CONTENT = "_pages_content"
"""The output of Dash Pages' router callback (`dash.page_container`'s content)."""


def serving_page() -> bool:
    """True inside the pages router callback (a browser opens a page); False anywhere else, e.g. while Dash
    builds its validation layout at start-up."""
    try:
        outputs = ctx.outputs_list
    except MissingCallbackContextException:
        return False
    flat = [o for group in outputs for o in (group if isinstance(group, list) else [group])]
    return any(isinstance(o, dict) and o.get("id") == PAGES_CONTENT for o in flat)


def first_view(read: Callable[[], T], fallback: T) -> T:
    """`read()` when a browser opens the page, else `fallback`. When reading fails the page still shows (with
    `fallback`), and the app's error funnel tells the user why (a toast with a log reference)."""
    if not serving_page():
        return fallback
    try:
        return read()
    except Exception as err:  # every failure goes to the one funnel (E4); the page still shows
        report_error(err)
        return fallback


__all__ = ["first_view", "serving_page"]
