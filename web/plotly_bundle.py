"""The plotly.js that our graphs load: the "basic" partial bundle (scatter, bar and pie traces), not the full one.

`dcc.Graph` loads plotly.js when the first graph mounts, from the URL that dash-renderer gives it
(`<prefix>_dash-component-suites/plotly/package_data/plotly.min.js`, the 4.8 MB full bundle of the plotly
package). Every figure of ours is made of `scatter` and `bar` traces, so that URL answers with the basic bundle of
the same plotly.js version instead (1.2 MB, 0.4 MB gzipped; web/vendor/README.md says where it comes from): a quarter
of the script to fetch, parse and run before a graph draws. Like Dash's own unfingerprinted files it is revalidated
(`no-cache` with an ETag, the file's sha256; a 304 costs no file read), so a new bundle reaches browsers at once;
gzip is made once per process, when the app is made, and kept (flask-compress would compress it again on every
request).
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from dash import Dash
from flask import Response, request

VERSION = "4.1.1"
"""plotly.js version of the vendored bundle: the one the pinned plotly package ships (tests check it)."""
SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
BUNDLE = Path(__file__).parent / "vendor" / f"plotly-basic-{VERSION}.min.js"
PLOTLY_JS = "_dash-component-suites/plotly/package_data/plotly.min.js"
"""Where dash-renderer tells `dcc.Graph` to load plotly.js from, below the app's routes prefix."""


@cache
def _body(gzipped: bool) -> bytes:
    data = BUNDLE.read_bytes()
    return gzip.compress(data, 9, mtime=0) if gzipped else data


def init_app(app: Dash) -> None:
    """Answer the plotly.js URL of `app` with the vendored basic bundle (before Dash's component-suite route)."""
    path = app.config.routes_pathname_prefix + PLOTLY_JS
    _body(True)  # gzip it now (~0.1 s, once per process), not in a browser's first request to a worker

    @app.server.before_request
    def _plotly_basic() -> Response | None:
        return serve() if request.path == path and request.method in ("GET", "HEAD") else None


def serve() -> Response:
    """The bundle, gzipped when the browser accepts it, or 304 when the browser holds it already."""
    if SHA256 in request.if_none_match:
        response = Response(status=304)
    else:
        gzipped = request.accept_encodings["gzip"] > 0
        response = Response(_body(gzipped), mimetype="application/javascript")
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"  # flask-compress leaves an encoded answer alone
    response.set_etag(SHA256)
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.vary.add("Accept-Encoding")
    return response
