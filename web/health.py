"""`GET /healthz`: is the revision DB reachable, is the Ocat reachable."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from web.db import resources

bp = Blueprint("health", __name__)


def _check_revision_db() -> str:
    try:
        with resources().engine.connect() as conn:
            conn.execution_options(usint_readonly=True)  # a probe must not wait for SQLite's write lock
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as err:  # report, don't raise: this is the health probe
        return f"error: {type(err).__name__}"


def _check_ocat() -> str:
    try:
        resources().ocat.fetch("select count(*) as n from target where obsid = :obsid", {"obsid": 0})
        return "ok"
    except Exception as err:
        return f"error: {getattr(err, 'user_message', type(err).__name__)}"


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    parts = {"revision_db": _check_revision_db(), "ocat": _check_ocat()}
    ok = all(v == "ok" for v in parts.values())
    return jsonify({"status": "ok" if ok else "error", **parts}), 200 if ok else 503
