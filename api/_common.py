"""What every API handler shares: the JSON body (refusing non-JSON writes), the acting user.

Writes from other sites are refused before any handler runs, by the one same-origin rule of the API and the Dash
callbacks (`web.routing.foreign_origin`: the request's host, `USINT_BASE_URL`, a forwarded host); JSON bodies are
read strictly by `web.json_input`. Permissions are `data.users.require`, the one check of the whole app.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from data.errors import Forbidden, UsintError
from data.users import require
from web.identity import Identity, current_identity


def json_body() -> dict[str, Any]:
    """The request's JSON object; refuse other content types (415) and anything but a JSON object (400)."""
    if request.mimetype != "application/json":
        raise UsintError("Send the request body as JSON (Content-Type: application/json)", 415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise UsintError("The request body must be a JSON object")
    return body


def acting_user(action: str | None = None) -> Identity:
    """The identity of the request; with `action`, refuse (403) unless the user may do it (D14)."""
    who = current_identity()
    if action is not None:
        if who.anonymous:
            raise Forbidden("Sign in to do this: the request carried no identity")
        require(who, action, current_app.config["USINT"].permissions)
    return who


def _iso(moment: Any) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def revision_json(view: Any, *, with_values: bool = False) -> dict[str, Any]:
    """A `data.revisions.store.RevisionView` as the API shows it (INTERFACE.md): times ISO 8601 UTC."""
    out = {
        "obsidrev": view.obsidrev,
        "obsid": view.obsid,
        "revision_number": view.revision_number,
        "kind": view.kind,
        "time": _iso(view.time),
        "user": view.user,
        "notes": view.notes,
        "signoff": {
            c: {"status": s["status"], "user": s["user"], "time": _iso(s["time"])} for c, s in view.signoff.items()
        },
    }
    if with_values:
        out["originals"] = view.originals
        out["requests"] = view.requests
    return out
