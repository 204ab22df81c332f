"""Security headers on every response: no framing by other sites (clickjacking), no MIME sniffing, no referrer
to other sites, and a Content-Security-Policy that lets only this site's scripts run.

Dash writes a few scripts inline (the `new DashRenderer()` line and one per clientside callback); the policy
allows exactly those by their SHA-256 (`Dash.csp_hashes`), not every inline script. `_dash-config` is
`type="application/json"`, data that never runs. Styles need 'unsafe-inline' (React sets `style` attributes);
`data:` images are Bootstrap's and plotly's SVG icons. Checked in Chromium by tests/security/test_csp.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import Dash
from flask import Response

STATIC_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """The policy: this origin only, inline scripts by hash, inline styles, no plugins, no framing."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_app(app: Dash) -> None:
    """Add the headers to every response of `app.server` (pages, callbacks, API, assets, errors)."""
    policy: list[str] = []  # built on first use: Dash adds inline scripts until its first-request set-up

    @app.server.after_request
    def security_headers(response: Response) -> Response:
        if not policy:
            policy.append(content_security_policy(app.csp_hashes()))
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", policy[0])
        return response
