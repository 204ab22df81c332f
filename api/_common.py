"""What every API handler shares: the JSON body (refusing cross-origin and non-JSON writes), the acting user."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from flask import current_app, request

from data.errors import Forbidden, UsintError
from web.identity import Identity, current_identity


def json_body() -> dict[str, Any]:
    """The request's JSON object; refuse other origins (403), other content types (415) and bad JSON (400)."""
    origin = request.headers.get("Origin")
    if origin and urlparse(origin).netloc != request.host:
        raise Forbidden(f"Cross-origin requests from {origin} are not accepted")
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
        if not who.registered:
            raise Forbidden(f"{who.username} is not registered in USINT")
        if not who.active:
            raise Forbidden(f"{who.username} is inactive in USINT")
        permissions = current_app.config["USINT"].permissions
        allowed = set(permissions.get(action, ())) | {"admin"}
        if not allowed & set(who.groups):
            need = " or ".join(sorted(permissions.get(action, ())))
            raise Forbidden(f"{who.username} may not {action}: it needs the {need} group")
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
