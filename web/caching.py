"""Bytes on the wire: compressed answers (flask-compress, started by `Dash(compress=True)`) and cache lifetimes.

Dash compresses with gzip what its Flask server answers: the page, `/_dash-layout`, callback answers, the API's
JSON. Files served by Flask (`/assets/`) go out as a stream, compressed with zstd, br or deflate when the browser
accepts one. Component bundles (`/_dash-component-suites/`) carry a fingerprint and Dash gives them a year;
`/assets/` links that Dash writes carry `?m=<modified>`, so those get a year too, and the rest revalidate.
The chunks that components load by themselves (ag-grid's `async-community.js`, dcc's `async-graph.js`) carry no
fingerprint: the browser revalidates them on every page, and Dash reads and hashes the file each time (30 ms for
ag-grid's 871 KB). Their ETags are kept per process, so a revalidation is answered 304 without reading the file.
"""

from __future__ import annotations

from flask import Flask, Response, request

YEAR_S = 365 * 24 * 3600
SUITES = "/_dash-component-suites/"

_suite_tags: dict[str, str] = {}
"""Request path of a component-suite file → the ETag Dash gave it (files of installed packages never change
while the process runs)."""

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
    """A year of browser cache for `/assets/` files requested with Dash's `?m=` cache buster; known
    component-suite files revalidated without reading them."""
    server.before_request(_known_suite_file)
    server.after_request(_remember_suite_tag)
    server.after_request(_cache_busted_assets)


def _bare_tag(header: str) -> str:
    """An ETag as Dash computed it: without W/, quotes and the `:gzip` (or other encoding) that flask-compress
    appends when it compresses the answer."""
    return header.removeprefix("W/").strip().strip('"').split(":", 1)[0]


def _known_suite_file() -> Response | None:
    if SUITES not in request.path:
        return None
    tag = _suite_tags.get(request.path)
    sent = request.headers.get("If-None-Match", "")
    if tag and any(_bare_tag(part) == tag for part in sent.split(",")):
        return Response(status=304)
    return None


def _remember_suite_tag(response: Response) -> Response:
    # Runs before flask-compress's own after_request (Flask calls them in reverse order), so the tag is Dash's.
    if SUITES in request.path and response.status_code == 200:
        tag, _weak = response.get_etag()
        if tag:
            _suite_tags[request.path] = _bare_tag(tag)
    return response


def _cache_busted_assets(response: Response) -> Response:
    if request.path.startswith("/assets/") and "m" in request.args and response.status_code in (200, 304):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR_S
    return response
