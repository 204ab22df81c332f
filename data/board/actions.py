"""The status board's actions (Sign, Signoff & Approve, Discard) around `data.revisions.signoffs`, with their e-mails.

`perform` is the one entry for the board callbacks and `POST /api/v1/signoffs`: it resolves the acting user,
reads the Ocat basics once (type and instrument for the TOO/DDT routing, target for the approval message),
calls the sign-off service with the e-mail builders so the messages are queued in the same transaction
(D21), and checks the state the user saw for Discard too (`data.revisions.signoffs.discard` takes no `expected`).
The caller commits; the after-commit hook (`data.db`) wakes this worker's mail sender.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.errors import Conflict, ValidationFailed
from data.mail.templates.signoff import approval_mail, routing_mails
from data.models import DISCARD, SIGNOFF_PREFIXES, Revision, Signoff, User
from data.ocat.read import read_basic
from data.parameters.catalogue import SIGNOFF_LABELS
from data.revisions import signoffs
from data.revisions.store import RevisionView, parse_obsidrev
from data.users import acting_user

log = logging.getLogger("usint.board")

ACTIONS = ("sign", "approve", "discard")


@dataclass(frozen=True)
class ActionResult:
    """What happened: the revision after the action, the asis revision of an approval, a message, the mails."""

    view: RevisionView
    action: str
    column: str
    message: str
    approval: RevisionView | None = None
    mails: list[str] = field(default_factory=list)
    ocat_ok: bool = True


def _basic(ocat: Any, obsid: int) -> tuple[dict[str, Any], bool]:
    if ocat is None:
        return {}, False
    try:
        return read_basic(ocat, [obsid]).get(obsid, {}), True
    except Exception:  # the sign-off still goes through; only the TOO/DDT routing needs the Ocat
        log.warning("Ocat unavailable while signing off obsid %s: no TOO/DDT routing e-mail", obsid, exc_info=True)
        return {}, False


def _stale_discard(session: Session, obsid: int, rev: int, expected: str | None) -> None:
    """Refuse a Discard when the verify column is no longer what the user saw."""
    if expected is None:
        return
    row = session.execute(
        select(Signoff.usint_status, Signoff.usint_time, User.username)
        .join(Revision, Revision.id == Signoff.revision_id)
        .outerjoin(User, User.id == Signoff.usint_signoff_id)
        .where(Revision.obsid == obsid, Revision.revision_number == rev)
    ).first()
    if row is None or row[0] == expected:
        return
    status, at, name = row
    verb = "discarded" if status == DISCARD else "signed"
    when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC") if at else "an unknown time"
    raise Conflict(f"{obsid}.{rev:03} usint: already {verb} by {name or '?'} at {when}")


def perform(
    session: Session,
    obsidrev: str,
    column: str,
    action: str,
    *,
    identity: Any,
    expected: str | None,
    now: datetime,
    settings: Any,
    ocat: Any = None,
) -> ActionResult:
    """Do one board action in the caller's transaction. Raises Conflict (409, "already signed by X at T"),
    Forbidden (403), InvalidTransition (409, D13 gating), NotFound (404) or ValidationFailed (400)."""
    if action not in ACTIONS:
        raise ValidationFailed({"action": f"unknown action {action!r}; one of {', '.join(ACTIONS)}"})
    if action in ("approve", "discard"):
        column = "usint"
    if column not in SIGNOFF_PREFIXES:
        raise ValidationFailed({"column": f"unknown sign-off column {column!r}; one of {', '.join(SIGNOFF_PREFIXES)}"})
    if expected is not None and not isinstance(expected, str):
        raise ValidationFailed({"expected": "expected must be a sign-off status such as 'Pending'"})
    obsid, rev = parse_obsidrev(obsidrev)
    user = acting_user(session, identity)
    permissions: Mapping[str, Sequence[str]] = settings.permissions
    basic, ocat_ok = _basic(ocat, obsid)
    queued: list[str] = []

    submitter_email = session.scalar(
        select(User.email)
        .join(Revision, Revision.user_id == User.id)
        .where(Revision.obsid == obsid, Revision.revision_number == rev)
    )

    def routing(view: RevisionView) -> list[Any]:
        mails = routing_mails(
            obsid=view.obsid,
            obsidrev=view.obsidrev,
            obs_type=basic.get("obs_type"),
            instrument=basic.get("instrument"),
            statuses=view.signoff,
            submitter_email=submitter_email,
            acting_email=user.email,
            settings=settings,
        )
        queued.extend(m.subject for m in mails)
        return mails

    def approval(asis: Any) -> list[Any]:
        mail = approval_mail(
            obsid=obsid,
            new_obsidrev=asis.obsidrev,
            sequence_number=asis.sequence_number,
            target_name=basic.get("targname"),
            username=user.username,
            to=user.email,
            settings=settings,
        )
        if mail is None:
            return []
        queued.append(mail.subject)
        return [mail]

    kwargs: dict[str, Any] = {"user": user, "now": now, "permissions": permissions}
    if action == "sign":
        view = signoffs.sign(session, obsid, rev, column, expected=expected or "Pending", mails=routing, **kwargs)
        message = f"Signed {SIGNOFF_LABELS.get(column, column)} on {view.obsidrev}."
        return ActionResult(view, action, column, message, mails=queued, ocat_ok=ocat_ok)
    if action == "approve":
        result = signoffs.approve(
            session, obsid, rev, expected=expected or "Pending", mails=routing, approval_mails=approval, **kwargs
        )
        return ActionResult(
            result.signed, action, column, result.message, approval=result.approval, mails=queued, ocat_ok=ocat_ok
        )
    _stale_discard(session, obsid, rev, expected)
    view = signoffs.discard(session, obsid, rev, **kwargs)
    return ActionResult(view, action, column, f"Discarded {view.obsidrev}.", mails=queued, ocat_ok=ocat_ok)
