"""API routes: sign-offs (`POST /api/v1/signoffs`), the same service as the board's buttons."""

from __future__ import annotations

from flask import Response, jsonify

from api._blueprint import bp
from api._common import acting_user, json_body, revision_json
from data import clock
from data.board.actions import ACTIONS, perform
from data.errors import Forbidden, ValidationFailed
from web.db import ocat_source, resources, session_scope


@bp.post("/signoffs")
def post_signoff() -> tuple[Response, int]:
    """`{obsidrev, column, action: sign|approve|discard, expected}` → 200 with the revision's new sign-off;
    409 when the column is no longer `expected` ("already signed by X at T"); 403 not allowed; 400 bad input."""
    body = json_body()
    obsidrev = body.get("obsidrev")
    column = body.get("column")
    action = body.get("action", "sign")
    expected = body.get("expected", "Pending")
    errors = {}
    if not isinstance(obsidrev, str) or not obsidrev.strip():
        errors["obsidrev"] = "obsidrev is required, e.g. 12345.004"
    if action not in ACTIONS:
        errors["action"] = f"action must be one of {', '.join(ACTIONS)}"
    if action == "sign" and not isinstance(column, str):
        errors["column"] = "column is required: general, acis, acis_si, hrc_si or usint"
    if errors:
        raise ValidationFailed(errors)
    who = acting_user()
    if who.anonymous or not who.registered or not who.active:
        acting_user(action if action != "sign" else column)  # raises the clear 403
        raise Forbidden("Not allowed")
    res = resources()
    now = clock.now()
    try:
        ocat = ocat_source()
    except Exception:
        ocat = None
    with session_scope() as session:
        result = perform(
            session,
            obsidrev,
            column or "usint",
            action,
            identity=who,
            expected=expected,
            now=now,
            settings=res.settings,
            ocat=ocat,
        )
        payload = {
            **revision_json(result.view),
            "message": result.message,
            "mails": result.mails,
            "approval": result.approval.obsidrev if result.approval else None,
        }
    return jsonify(payload), 200  # the commit woke the mail sender (D21)
