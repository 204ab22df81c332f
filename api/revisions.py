"""API routes: revisions — submit (`POST /api/v1/revisions`, dry run or saved) and read (INTERFACE.md).

The POST runs the editor's own service (data.revisions.submission) and therefore THE validator (D6): 200 dry-run report,
400 invalid, 201 saved with "revisions", 403 not allowed, 404 unknown obsid, 409 the Ocat changed (D8).
An optional `"token"` (or `Idempotency-Key` header) makes a retried POST return the first result.
"""

from __future__ import annotations

import re
from typing import Any

from flask import jsonify, request

from api._blueprint import bp
from api._common import acting_user, json_body, revision_json
from data import clock, users
from data.errors import ValidationFailed
from data.events import jsonable
from data.ids import parse_obsid
from data.models import KINDS
from data.parameters.catalogue import PARAMETERS, RANK_SETS
from data.revisions import store as revisions
from data.revisions.submission import MAX_TOKEN_CHARS, OcatChanged, SubmitRequest, plan_submission, submit
from web.db import ocat_source, resources, session_scope


def _named(name: str) -> str:
    """`Offset Y (y_det_offset)`: the catalogue label a person knows, with the name the API uses."""
    param = PARAMETERS.get(name.split("[", 1)[0])
    return f"{param.label} ({name})" if param else name


def _loaded(body: dict[str, Any], errors: dict[str, str]) -> dict[str, Any] | None:
    """`loaded`: the record the client read (the GET /observations answer, or its flat parameters) for D8."""
    loaded = body.get("loaded")
    if loaded is None:
        return None
    if not isinstance(loaded, dict):
        errors["loaded"] = "loaded must be the object GET /api/v1/observations/<obsid> returned"
        return None
    if isinstance(loaded.get("parameters"), dict):
        record = dict(loaded["parameters"])
        ranks = loaded.get("ranks") or {}
        for key, rows in ranks.items() if isinstance(ranks, dict) else ():
            if key in RANK_SETS:
                record[RANK_SETS[key].records_key] = rows
    else:
        record = dict(loaded)
    rank_keys = {rs.records_key for rs in RANK_SETS.values()}
    for name, value in record.items():
        if not (_rows(value) if name in rank_keys else _scalar(value)):
            errors["loaded"] = f"loaded: {name} must be a plain value, or rank rows [{{...}}], as GET returns it"
            return None
    return record


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float)


def _rows(value: Any) -> bool:
    """Rank rows as the GET answer has them: a list of objects with plain values (or none)."""
    if value is None:
        return True
    return isinstance(value, list) and all(
        isinstance(row, dict) and all(_scalar(cell) for cell in row.values()) for row in value
    )


def _parse(body: dict[str, Any]) -> tuple[int, str, dict[str, Any], str | None, bool, str | None, dict | None]:
    errors: dict[str, str] = {}
    obsid = body.get("obsid")
    if isinstance(obsid, str):
        obsid = parse_obsid(obsid)
    if isinstance(obsid, bool) or not isinstance(obsid, int) or not 0 < obsid <= 999_999_999:
        errors["obsid"] = "obsid must be a positive whole number (at most 9 digits)"
    kind = body.get("kind", "norm")
    if kind not in KINDS:
        errors["kind"] = "kind must be norm, asis, remove or clone"
    changes = body.get("changes", {})
    if not isinstance(changes, dict):
        errors["changes"] = "changes must be an object {name: value}"
    extras = body.get("extra_obsids")
    if isinstance(extras, list):
        extras = " ".join(str(x) for x in extras)
    if extras is not None and not isinstance(extras, str):
        errors["extra_obsids"] = "extra_obsids must be text such as '12346, 12350-12352'"
    dry_run = body.get("dry_run", False)
    if not isinstance(dry_run, bool):
        errors["dry_run"] = "dry_run must be true or false"
    token = _key(body, errors)
    loaded = _loaded(body, errors)
    if errors:
        raise ValidationFailed(errors)
    return obsid, kind, changes, extras, dry_run, token, loaded


_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_TOKEN_CHARS}}}")


def _key(body: dict[str, Any], errors: dict[str, str]) -> str | None:
    """The idempotency key: the `Idempotency-Key` header or `"token"`, 1 to 80 visible ASCII characters, never cut."""
    token, header = body.get("token"), request.headers.get("Idempotency-Key")
    if token is not None and header is not None and token != header:
        errors["token"] = "Give the Idempotency-Key header or token, not two different keys"
        return None
    key = token if token is not None else header
    if key is not None and not (isinstance(key, str) and _KEY.fullmatch(key)):
        errors["token"] = (
            f"The Idempotency-Key (or token) must be 1 to {MAX_TOKEN_CHARS} visible ASCII characters, e.g. a UUID"
        )
        return None
    return key


def _refused(plan: Any) -> tuple[Any, int]:
    """400 with the report and one message naming the fields in error."""
    out = jsonable(plan.as_dict())
    out["error"] = "Invalid " + "; ".join(f"{_named(name)}: {message}" for name, message in plan.errors.items())
    return jsonify(out), 400


def _conflict(plan: Any) -> tuple[Any, int]:
    """409 with the three-way view (loaded / now / requested) of D8."""
    out = jsonable(plan.as_dict())
    out["error"] = str(OcatChanged(plan.conflicts).user_message)
    return jsonify(out), 409


@bp.post("/revisions")
def post_revision():  # noqa: ANN201

    body = json_body()
    who = acting_user("submit")
    obsid, kind, changes, extras, dry_run, token, loaded = _parse(body)
    settings = resources().settings
    ask = SubmitRequest(obsid, kind, changes, extras, loaded)
    with session_scope() as session:
        plan = plan_submission(session, ocat_source(), ask, now=clock.now(), settings=settings)
    if plan.conflicts:
        return _conflict(plan)
    if dry_run:
        return (jsonify(jsonable(plan.as_dict())), 200) if plan.valid else _refused(plan)
    if not plan.valid and not token:
        return _refused(plan)
    try:
        with session_scope() as session:
            user = users.acting_user(session, who)
            result = submit(session, ocat_source(), ask, user=user, now=clock.now(), settings=settings, token=token)
    except ValidationFailed:
        return _refused(plan)
    except OcatChanged as exc:
        plan.conflicts = exc.conflicts
        return _conflict(plan)
    return jsonify(jsonable(result.as_dict())), 201  # the commit woke the mail sender (D21)


@bp.get("/revisions")
def list_revisions():  # noqa: ANN201

    obsid = parse_obsid(request.args.get("obsid", ""))
    if obsid is None:
        raise ValidationFailed({"obsid": "give ?obsid=<whole number> (1 to 9 digits 0-9)"})
    with session_scope(readonly=True) as session:
        views = revisions.history(session, obsid, with_values=False)
    return jsonify([revision_json(v) for v in views])


@bp.get("/revisions/<obsidrev>")
def get_revision(obsidrev: str):  # noqa: ANN201

    obsid, rev = revisions.parse_obsidrev(obsidrev)
    with session_scope(readonly=True) as session:
        view = revisions.get_revision(session, obsid, rev)
    return jsonify(jsonable(revision_json(view, with_values=True)))
