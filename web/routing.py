"""Unknown paths answer with HTTP 404 (Dash renders its 404 page into the same response)."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlparse

import dash
from flask import Flask, Response, abort, current_app, request

from data.errors import Forbidden

_PASSTHROUGH = ("/_dash", "/assets/", "/_reload-hash", "/_favicon", "/api/", "/healthz", "/static/", "/help/")


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    out = []
    for page in dash.page_registry.values():
        for path in filter(None, (page.get("path"), page.get("path_template"))):
            if path == "/404":
                continue
            regex = re.sub(r"<[^>]+>", r"[^/]+", re.escape(path).replace(r"\<", "<").replace(r"\>", ">"))
            out.append(re.compile(f"^{regex}/?$"))
    return tuple(out)


def is_known_path(path: str) -> bool:
    return path == "/" or any(p.match(path) for p in _patterns())


MAX_BODY_BYTES = 4 * 1024 * 1024
"""Request bodies above this answer 413 (the largest real one, an editor finalize, is a few hundred kB)."""

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def foreign_origin() -> str | None:
    """The Origin (or, without one, the Referer) of a write when it names another host, else None (CSRF guard).

    The one same-origin rule of the Dash callbacks and the API (a `before_request` of every write): the site is
    the request's Host, the host of `USINT_BASE_URL` (behind a proxy that rewrites Host) and the proxy's
    `X-Forwarded-Host`. A page of another site cannot set that header: a cross-site request carrying it needs a
    CORS preflight, which this app never grants. Requests with neither Origin nor Referer (scripts, curl) pass; a
    browser always sends Origin on a cross-site POST.
    """

    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return None
    hosts = {request.host, urlparse(current_app.config["USINT"].base_url).netloc}
    forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
    if forwarded:
        hosts.add(forwarded)
    return None if urlparse(source).netloc in hosts else source


def init_app(server: Flask) -> None:
    if not server.config.get("MAX_CONTENT_LENGTH"):  # Flask's default is None: no limit
        server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @server.errorhandler(dash.exceptions.DependencyException)
    def unknown_component_file(err: Exception) -> Response:
        """`/_dash-component-suites/<unknown>/...` is a bad address (404), not a server error."""
        return Response("No such component file.", status=404, mimetype="text/plain")

    @server.before_request
    def refuse_cross_site_writes() -> None:
        """No page of another site may POST here with the user's identity (Dash callbacks and the API)."""
        if request.method in _WRITES and (source := foreign_origin()) is not None:
            raise Forbidden(f"Cross-origin requests from {source[:200]} are not accepted")

    @server.before_request
    def api_not_found() -> None:
        """Dash's catch-all route would answer an unknown /api/ path with the HTML shell."""
        rule = request.url_rule
        if request.path.startswith("/api/") and (rule is None or not rule.endpoint.startswith("api.")):
            abort(404, description=f"No API endpoint {request.method} {request.path}")

    @server.after_request
    def mark_not_found(response: Response) -> Response:
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.mimetype == "text/html"
            and not request.path.startswith(_PASSTHROUGH)
            and not is_known_path(request.path)
        ):
            response.status_code = 404
        return response
