"""`GET /healthz`: does the revision DB take writes, is the Ocat reachable.

Everyone gets statuses only: `{"status": ok|degraded|error, "revision_db": ..., "ocat": ...}`, 200 when all are ok,
else 503. "degraded" means the revision DB reads but refuses writes (read-only, full, disk almost full). What went
wrong (driver text, which may name hosts, ports, roles and paths) goes to the error log when a part changes state,
and to admins (users in the `admin` group) as `details`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify

from data.db import write_check
from data.users import ADMIN
from web.db import resources
from web.identity import current_identity
from web.logs import ERROR_LOGGER

bp = Blueprint("health", __name__)
log = logging.getLogger(f"{ERROR_LOGGER}.health")


@dataclass(frozen=True)
class Check:
    status: str
    """"ok", "degraded" or "error"."""
    detail: str | None = None


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "detail", None) or getattr(err, "orig", None) or err).strip()
    return f"{type(err).__name__}: {text.splitlines()[0][:300] if text else ''}"


def _check_revision_db() -> Check:
    try:
        problem = write_check(resources().engine)
    except Exception as err:  # report, don't raise: this is the health probe
        return Check("error", _first_line(err))
    return Check("degraded", problem) if problem else Check("ok")


def _check_ocat() -> Check:
    try:
        resources().ocat.fetch("select count(*) as n from target where obsid = :obsid", {"obsid": 0})
        return Check("ok")
    except Exception as err:
        message = getattr(err, "user_message", type(err).__name__)
        detail = getattr(err, "detail", None)
        return Check("error", f"{message} ({detail})" if detail else message)


_last: dict[str, Check] = {}
_last_lock = threading.Lock()


def _log_changes(checks: dict[str, Check]) -> None:
    """One error-log line per part whose state changed (a probe every few seconds must not flood the log)."""
    with _last_lock:
        changed = {name: c for name, c in checks.items() if _last.get(name, Check("ok")) != c}
        _last.update(changed)
    for name, check in changed.items():
        if check.status == "ok":
            log.warning("healthz: %s is ok again", name)
        else:
            log.warning("healthz: %s %s: %s", name, check.status, check.detail)


def _is_admin() -> bool:
    who = current_identity()
    return who.registered and who.active and ADMIN in who.groups


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    checks = {"revision_db": _check_revision_db(), "ocat": _check_ocat()}
    _log_changes(checks)
    statuses = {name: c.status for name, c in checks.items()}
    if all(s == "ok" for s in statuses.values()):
        overall = "ok"
    else:
        overall = "error" if "error" in statuses.values() else "degraded"
    body: dict[str, object] = {"status": overall, **statuses}
    if overall != "ok" and _is_admin():
        body["details"] = {name: c.detail for name, c in checks.items() if c.detail}
    return jsonify(body), 200 if overall == "ok" else 503
