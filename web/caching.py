"""Bytes on the wire: compressed answers (flask-compress, started by `Dash(compress=True)`) and cache lifetimes.

Dash compresses with gzip what its Flask server answers: the page, `/_dash-layout`, callback answers, the API's
JSON. Files served by Flask (`/assets/`) go out as a stream, compressed with zstd, br or deflate when the browser
accepts one. Component bundles (`/_dash-component-suites/`) carry a fingerprint and Dash gives them a year;
`/assets/` links that Dash writes carry `?m=<modified>`, so those get a year too, and the rest revalidate.
"""

from __future__ import annotations

from flask import Flask, Response, request

YEAR_S = 365 * 24 * 3600

# Read by flask-compress when `Dash(compress=True)` starts it, so set before the Dash app is made.
SETTINGS = {
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "text/csv",  # /api/v1/status.csv
        "text/calendar",  # /api/v1/schedule.ics
    ],
    "COMPRESS_MIN_SIZE": 500,
}


def configure(server: Flask) -> None:
    """The compression settings, before `Dash(compress=True)` reads them."""
    for key, value in SETTINGS.items():
        server.config.setdefault(key, value)


def init_app(server: Flask) -> None:
    """A year of browser cache for `/assets/` files requested with Dash's `?m=` cache buster."""
    server.after_request(_cache_busted_assets)


def _cache_busted_assets(response: Response) -> Response:
    if request.path.startswith("/assets/") and "m" in request.args and response.status_code in (200, 304):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR_S
    return response
