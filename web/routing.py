"""Unknown paths answer with HTTP 404 (Dash renders its 404 page into the same response)."""

from __future__ import annotations

import re
from functools import cache

import dash
from flask import Flask, Response, abort, request

_PASSTHROUGH = ("/_dash", "/assets/", "/_reload-hash", "/_favicon", "/api/", "/healthz", "/static/")


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


def init_app(server: Flask) -> None:
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
