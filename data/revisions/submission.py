"""The submit service of the editor and the API (ocat-data-page §8, §11; D8–D10, D21).

`plan_submission` is the dry run: it reads the Ocat (main obsid and extras in one batched read), runs THE
validator for the main obsid, parses the multi-obsid text (D10) and decides per extra obsid whether it gets a
revision, is skipped (with the reason) or is unaffected. Nothing is written.

`submit` re-plans against a fresh Ocat read (D8): when a parameter being changed changed in the Ocat since the
editor loaded it (`loaded`), the submit is refused with a three-way `OcatChanged` conflict (loaded / now /
requested); otherwise the originals come from the fresh read and the report says which other parameters moved.
It then writes every revision through `data.revisions.store.create_revision` in the caller's transaction, queues the
e-mails of ocat-data-page §10 through `data.mail.outbox`, and returns the obsid.revs.

Idempotency: a `token` (the editor's submit token, or an API client's key) is recorded as one `events` row with
`action="submit-token"`, `target="submit-token:<user id>:<token>"` and the obsid.revs in `after`, in the same
transaction as the revisions. A second submit with the same token by the same user finds that row and returns the
same obsid.revs without writing anything (double click, reload, retried POST). The row also keeps a hash of the
request (obsid, kind, changes, extra obsids, loaded record): the same token with another request is refused
(`TokenReused`, 422) and writes nothing. A token is at most `MAX_TOKEN_CHARS` long, never cut. SQLite transactions
begin with `BEGIN IMMEDIATE`, so two concurrent submits with one token are serialised before the check; on
PostgreSQL a transaction-scoped advisory lock on the token does the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data.errors import Conflict, NotFound, UsintError, ValidationFailed
from data.events import record as record_event
from data.mail.outbox import Mail, queue
from data.mail.templates import revision as emails
from data.models import Event, Revision, User
from data.ocat.obs_files import or_list
from data.ocat.read import read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import PARAMETERS, signoff_names, values_equal
from data.parameters.validator import (
    MAX_RANK_ROWS,
    Report,
    ValidationContext,
    is_blocked_status,
    stored_originals,
    validate,
)
from data.revisions import store as revs
from data.revisions.express import parse_obsids
from data.settings import Settings
from data.users import require

MAX_EXTRA_OBSIDS = 500
EXTRA_FIELD = "extra_obsids"
TOKEN_ACTION = "submit-token"
MAX_TOKEN_CHARS = 80
"""The longest submit token (Idempotency-Key) accepted; a longer one is refused, never cut."""
HRC_ONLY = ("hrc_timing_mode", "hrc_zero_block", "hrc_si_mode")
REVISION, SKIPPED, UNAFFECTED = "revision", "skipped", "unaffected"


@dataclass(frozen=True)
class SubmitRequest:
    """What one submission asks for: the main obsid, the kind (norm, asis, remove, clone), the changes (the editor
    form in display units, or the API's changed names), the extra obsids text (D10) and the Ocat record the page
    loaded (`loaded`, for D8; None to take the fresh read as it is)."""

    obsid: int
    kind: str
    changes: Mapping[str, Any]
    extra_obsids_text: str | None = None
    loaded: Mapping[str, Any] | None = None

    def digest(self) -> str:
        """A hash of what is asked, kept with a submit token: a replay must ask for the same."""
        parts = [self.obsid, self.kind, self.changes, self.extra_obsids_text, self.loaded]
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class ExtraOutcome:
    """What happens to one extra obsid: `revision`, `skipped` (with the reason) or `unaffected`."""

    obsid: int
    outcome: str
    reason: str = ""
    requests: dict[str, Any] = field(default_factory=dict)
    originals: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    signoffs: dict[str, str] = field(default_factory=dict)
    on_or_list: bool = False
    record: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"obsid": self.obsid, "outcome": self.outcome, "reason": self.reason}


@dataclass
class SubmissionReport:
    """The dry-run (and, after `submit`, the result) of one submission."""

    obsid: int
    kind: str
    report: Report
    record: dict[str, Any]
    extras: list[ExtraOutcome] = field(default_factory=list)
    extra_errors: dict[str, str] = field(default_factory=dict)
    on_or_list: bool = False
    approved: bool = False
    open_revisions: list[str] = field(default_factory=list)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    refreshed: list[str] = field(default_factory=list)
    revisions: list[str] = field(default_factory=list)
    replayed: bool = False

    @property
    def errors(self) -> dict[str, str]:
        return {**self.report.errors, **self.extra_errors}

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def requests(self) -> dict[str, Any]:
        return self.report.requests

    def as_dict(self) -> dict[str, Any]:
        """The API's report shape (INTERFACE.md), plus `changes`, `separation_arcmin`, `refreshed`."""
        out = self.report.as_dict()
        out["valid"] = self.valid
        out["errors"] = self.errors
        out["extras"] = [e.as_dict() for e in self.extras]
        out["refreshed"] = list(self.refreshed)
        if self.conflicts:
            out["conflicts"] = self.conflicts
        if self.revisions:
            out["revisions"] = list(self.revisions)
        return out


class TokenReused(UsintError):
    """The submit token was already used by this user for a different request."""

    status = 422

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key (submit token) was already used for another request: nothing was written. "
            "Use a new key for a new request."
        )


class OcatChanged(Conflict):
    """D8: parameters the user changes were changed in the Ocat since the editor loaded them."""

    def __init__(self, conflicts: Mapping[str, Mapping[str, Any]]) -> None:
        self.conflicts = {k: dict(v) for k, v in conflicts.items()}
        names = ", ".join(PARAMETERS[k].label if k in PARAMETERS else k for k in self.conflicts)
        super().__init__(
            f"The Ocat changed since you loaded this observation: {names}. Review the loaded, current and requested "
            "values, then reload the observation and submit again."
        )


# ---------------------------------------------------------------------------------------------------- helpers


def parse_extra_obsids(text: str | None, main_obsid: int) -> tuple[list[int], dict[str, str], bool]:
    """D10 parsing (lists, ranges, cap 500) through the one parser of data.revisions.express; the main obsid is dropped.

    Returns (obsids, errors, main_listed)."""
    try:
        obsids = parse_obsids(text, cap=MAX_EXTRA_OBSIDS + 1)
    except ValidationFailed as exc:
        return [], {EXTRA_FIELD: next(iter(exc.errors.values()))}, False
    main_listed = main_obsid in obsids
    obsids = [o for o in obsids if o != main_obsid]
    if len(obsids) > MAX_EXTRA_OBSIDS:
        return [], {EXTRA_FIELD: f"Too many obsids: at most {MAX_EXTRA_OBSIDS} extra obsids at a time."}, main_listed
    return obsids, {}, main_listed


def _instrument_filter(requests: Mapping[str, Any], main_instrument: Any, extra_instrument: Any) -> dict[str, Any]:
    """ocat-data-page §11.2 step 3: ACIS changes never reach an HRC obsid, HRC changes never reach an ACIS obsid."""
    main_i, extra_i = str(main_instrument or "").upper(), str(extra_instrument or "").upper()
    if main_i.startswith("ACIS") and extra_i.startswith("HRC"):
        drop = set(signoff_names("acis"))
        return {k: v for k, v in requests.items() if k not in drop}
    if main_i.startswith("HRC") and extra_i.startswith("ACIS"):
        return {k: v for k, v in requests.items() if k not in HRC_ONLY}
    return dict(requests)


def _or_list(settings: Settings) -> set[int]:
    return or_list(settings.obs_ss)


def _read(source: OcatSource, obsids: list[int], settings: Settings) -> dict[int, dict[str, Any]]:
    return read_observations(source, obsids, obs_ss=settings.obs_ss)


# ---------------------------------------------------------------------------------------------------- plan


def plan_submission(
    session: Session, source: OcatSource, ask: SubmitRequest, *, now: datetime, settings: Settings
) -> SubmissionReport:
    """The dry run: validator report for the main obsid and an outcome per extra obsid. Writes nothing.

    With `ask.loaded` (the Ocat record the editor showed), the request is what the user changed relative to it,
    and D8 conflicts are computed against the fresh read."""
    obsid, kind, changes = int(ask.obsid), ask.kind, ask.changes
    extra_ids, extra_errors, main_listed = parse_extra_obsids(ask.extra_obsids_text, obsid)
    wanted = [obsid, *extra_ids]
    fresh_all = _read(source, wanted, settings)
    if obsid not in fresh_all:
        raise NotFound(f"Obsid {obsid} is not in the Ocat")
    fresh = dict(fresh_all[obsid])
    on_or = _or_list(settings)
    approved = revs.is_approved(session, obsid)
    ctx = ValidationContext(kind=kind, now=now, on_or_list=obsid in on_or, approved=approved)

    report, conflicts, refreshed = _main_report(ask.loaded, fresh, changes, ctx)

    result = SubmissionReport(
        obsid=obsid,
        kind=kind,
        report=report,
        record=fresh,
        extra_errors=extra_errors,
        on_or_list=obsid in on_or,
        approved=approved,
        open_revisions=[r.obsidrev for r in revs.open_revisions(session, [obsid])],
        conflicts=conflicts,
        refreshed=refreshed,
    )
    if refreshed:
        labels = ", ".join(PARAMETERS[n].label if n in PARAMETERS else n for n in refreshed[:12])
        report.warnings.append(
            f"The Ocat changed since the page was loaded ({labels}); the originals are taken from the current Ocat."
        )
    if main_listed and extra_ids:
        report.warnings.append(f"Obsid {obsid} is the main obsid; it is listed once.")
    if extra_errors:
        return result

    approved_set = set(revs.approved_obsids(session)) if kind in ("asis", "remove") and extra_ids else set()
    main_instrument = report.latest.get("instrument", fresh.get("instrument"))
    request = _request_input(report)
    for extra in extra_ids:
        rec = fresh_all.get(extra)
        record = None if rec is None else dict(rec)
        result.extras.append(_extra_outcome(extra, record, kind, request, main_instrument, approved_set, on_or, now))
    return result


def _main_report(
    loaded: Mapping[str, Any] | None, fresh: dict[str, Any], changes: Mapping[str, Any], ctx: ValidationContext
) -> tuple[Report, dict[str, dict[str, Any]], list[str]]:
    """The main obsid's report, D8's conflicts (a changed parameter that also changed in the Ocat since the page
    loaded: loaded / now / requested) and the other parameters the Ocat changed meanwhile (`refreshed`)."""
    if loaded is None:
        report = validate(fresh, changes, ctx)
        if ctx.kind == "clone":
            report.changes = {k: v for k, v in report.changes.items() if k == "comments"}
        return report, {}, []
    first = validate(loaded, changes, ctx)
    if first.errors:
        return first, {}, []
    loaded_stored, fresh_stored = stored_originals(loaded), stored_originals(fresh)
    conflicts = {
        name: {"loaded": was, "now": fresh_stored.get(name), "requested": want}
        for name, (was, want) in first.changes.items()
        if not values_equal(name, was, fresh_stored.get(name))
    }
    refreshed = [
        name
        for name in sorted(set(loaded_stored) | set(fresh_stored))
        if name not in first.changes and not values_equal(name, loaded_stored.get(name), fresh_stored.get(name))
    ]
    if conflicts:
        return first, conflicts, refreshed
    report = validate(fresh, _request_input(first), ctx)
    if ctx.kind == "clone" and "comments" in first.changes:
        report = validate(fresh, {"comments": first.changes["comments"][1]}, ctx)
    if ctx.kind == "norm" and not report.changes and not report.errors:
        report = first
    return report, conflicts, refreshed


def _extra_outcome(
    extra: int,
    rec: dict[str, Any] | None,
    kind: str,
    request: Mapping[str, Any],
    main_instrument: Any,
    approved_set: set[int],
    on_or: set[int] | frozenset[int],
    now: datetime,
) -> ExtraOutcome:
    """D10: what happens to one extra obsid: a revision of its own, unaffected, or skipped with the reason."""
    if rec is None:
        return ExtraOutcome(extra, SKIPPED, "not in the Ocat")
    status = rec.get("status")
    if is_blocked_status(status):
        return ExtraOutcome(extra, SKIPPED, f"status is {status}", record=rec)
    if kind == "clone":
        return ExtraOutcome(extra, SKIPPED, "a split applies to the main obsid only", record=rec)
    if kind in ("asis", "remove"):
        if kind == "asis" and extra in approved_set:
            return ExtraOutcome(extra, SKIPPED, "already on the approved list", record=rec)
        if kind == "remove" and extra not in approved_set:
            return ExtraOutcome(extra, SKIPPED, "not on the approved list", record=rec)
        originals = stored_originals(rec)
        return ExtraOutcome(extra, REVISION, "", originals=originals, signoffs=emails_signoffs(kind), record=rec)
    filtered = _instrument_filter(request, main_instrument, rec.get("instrument"))
    if not filtered:
        return ExtraOutcome(extra, UNAFFECTED, "no change applies to its instrument", record=rec)
    sub = validate(rec, filtered, ValidationContext(kind="norm", now=now, on_or_list=extra in on_or, extra=True))
    if sub.errors:
        first_key, message = next(iter(sub.errors.items()))
        return ExtraOutcome(extra, SKIPPED, f"{first_key}: {message}", record=rec)
    if not sub.changes:
        return ExtraOutcome(extra, UNAFFECTED, "already has the requested values", record=rec)
    return ExtraOutcome(
        extra,
        REVISION,
        "",
        requests=sub.requests,
        originals=stored_originals(rec),
        notes=sub.notes,
        signoffs=sub.signoffs,
        on_or_list=extra in on_or,
        record=rec,
    )


def emails_signoffs(kind: str) -> dict[str, str]:
    return dict(revs.pending_default(kind))


def _request_input(report: Report) -> dict[str, Any]:
    """A validated request as validator input (storage units): scalars by name, ranked sets as column lists."""
    return {name: value for name, (_orig, value) in report.changes.items()}


# ---------------------------------------------------------------------------------------------------- submit


def _token_target(user_id: int, token: str) -> str:
    return f"{TOKEN_ACTION}:{user_id}:{token}"


def _replay(session: Session, user_id: int, token: str, asked: str) -> list[str] | None:
    """The obsid.revs of the first submit with this token, or None; TokenReused when it asked for another thing."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(_token_target(user_id, token).encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    row = session.scalar(
        select(Event).where(Event.target == _token_target(user_id, token), Event.action == TOKEN_ACTION).limit(1)
    )
    if row is None:
        return None
    first = (row.after or {}).get("request")
    if first is not None and first != asked:  # rows written before the hash was kept have none
        raise TokenReused()
    return list((row.after or {}).get("revisions") or [])


class _Written(NamedTuple):
    """One revision `submit` wrote, with what its follow-up mails need."""

    revision: Revision
    record: dict[str, Any]
    notes: dict[str, Any]
    body: str


def submit(
    session: Session,
    source: OcatSource,
    ask: SubmitRequest,
    *,
    user: User,
    now: datetime,
    settings: Settings,
    token: str | None = None,
) -> SubmissionReport:
    """Validate again on a fresh Ocat read and write every revision in the caller's transaction (no commit).

    Raises ValidationFailed (nothing written), OcatChanged (409, D8), NotFound, Forbidden. A repeated `token`
    returns the first submission's obsid.revs with `replayed=True` and writes nothing; the same token with another
    request raises TokenReused (422), one longer than MAX_TOKEN_CHARS ValidationFailed.
    """
    require(user, "submit", settings.permissions)
    _check_token_length(token)
    asked = ask.digest()
    if token:
        replayed = _replayed_plan(session, source, ask, user=user, token=token, asked=asked, now=now, settings=settings)
        if replayed is not None:
            return replayed
    plan = _checked_plan(session, source, ask, now=now, settings=settings)
    written = _write_revisions(session, plan, user=user, now=now, settings=settings)
    obsidrevs = [w.revision.obsidrev for w in written]
    later = _follow_up_mails(plan, written, obsidrevs, user=user, settings=settings)
    if later:
        queue(session, later, acting_user_email=user.email, now=now, obsidrevs=obsidrevs)
    if token:
        _record_token(session, plan, obsidrevs, user=user, token=token, asked=asked, now=now)
    plan.revisions = obsidrevs
    return plan


def _check_token_length(token: str | None) -> None:
    """A token longer than MAX_TOKEN_CHARS is refused, never cut."""
    if token is not None and len(token) > MAX_TOKEN_CHARS:
        raise ValidationFailed({"token": f"The submit token (Idempotency-Key) is longer than {MAX_TOKEN_CHARS}"})


def _replayed_plan(
    session: Session,
    source: OcatSource,
    ask: SubmitRequest,
    *,
    user: User,
    token: str,
    asked: str,
    now: datetime,
    settings: Settings,
) -> SubmissionReport | None:
    """The report of the first submit with this token (`replayed=True`, no errors), or None when it is new."""
    done = _replay(session, user.id, token, asked)
    if done is None:
        return None
    plan = plan_submission(session, source, replace(ask, loaded=None), now=now, settings=settings)
    plan.revisions, plan.replayed = done, True
    plan.report.errors.clear()
    plan.extra_errors.clear()
    return plan


def _checked_plan(
    session: Session, source: OcatSource, ask: SubmitRequest, *, now: datetime, settings: Settings
) -> SubmissionReport:
    """The plan against a fresh Ocat read; OcatChanged on a D8 conflict, ValidationFailed when it is not valid."""
    plan = plan_submission(session, source, ask, now=now, settings=settings)
    if plan.conflicts:
        raise OcatChanged(plan.conflicts)
    if not plan.valid:
        raise ValidationFailed(plan.errors)
    return plan


def _write_revisions(
    session: Session, plan: SubmissionReport, *, user: User, now: datetime, settings: Settings
) -> list[_Written]:
    """The main obsid's revision, then one per extra obsid whose outcome is a revision."""
    kind, report, main_rec = plan.kind, plan.report, plan.record
    main_requests = report.requests if kind in ("norm", "clone") else {}
    asks = [(main_rec, main_requests, stored_originals(main_rec), report.notes, report.signoffs)]
    asks += [(e.record, e.requests, e.originals, e.notes, e.signoffs) for e in plan.extras if e.outcome == REVISION]
    return [_write_revision(session, *one, kind=kind, user=user, now=now, settings=settings) for one in asks]


def _write_revision(
    session: Session,
    rec: Mapping[str, Any],
    requests: Mapping[str, Any],
    originals: Mapping[str, Any],
    notes: Mapping[str, Any],
    signoffs: Mapping[str, str],
    *,
    kind: str,
    user: User,
    now: datetime,
    settings: Settings,
) -> _Written:
    """One revision with its change-log mail (a remove also goes to the user of the last `asis`)."""
    to: list[str | None] = [user.email]
    if kind == "remove":
        to.append(_last_asis_email(session, int(rec["obsid"])))
    mail = emails.change_log_mail(
        kind,
        obsid=int(rec["obsid"]),
        sequence_number=rec.get("seq_nbr"),
        target_name=rec.get("targname"),
        username=user.username,
        to=to,
        settings=settings,
        originals=originals,
        requests=requests,
        signoffs=signoffs,
        remarks=rec.get("remarks"),
    )
    revision = revs.create_revision(
        session,
        int(rec["obsid"]),
        kind=kind,
        sequence_number=int(rec.get("seq_nbr") or 0),
        originals=originals,
        requests=requests if kind in ("norm", "clone") else {},
        notes=dict(notes) if kind == "norm" and notes else None,
        user=user,
        now=now,
        mails=[mail],
    )
    return _Written(revision, dict(rec), dict(notes or {}), mail.body)


def _follow_up_mails(
    plan: SubmissionReport, written: list[_Written], obsidrevs: list[str], *, user: User, settings: Settings
) -> list[Mail]:
    """The mails after the change logs: the multi-obsid summary, the MP's attention mail and fast-TOO notices."""
    later: list[Mail] = []
    if len(plan.extras) > 0:
        skipped = [(e.obsid, e.reason or e.outcome) for e in plan.extras if e.outcome != REVISION]
        later.append(
            emails.multi_obsid_mail(
                username=user.username,
                settings=settings,
                obsidrevs=obsidrevs,
                main_obsid=plan.obsid,
                main_body=written[0].body.replace("{obsidrev}", obsidrevs[0]),
                skipped=skipped,
            )
        )
    if plan.kind == "norm":
        mp = emails.mp_attention_mail(
            username=user.username,
            user_email=user.email,
            settings=settings,
            notes_by_obsidrev={w.revision.obsidrev: w.notes for w in written},
        )
        if mp is not None:
            later.append(mp)
        for w in written:
            fast = emails.fast_too_mail(record=w.record, obsidrev=w.revision.obsidrev, settings=settings)
            if fast is not None:
                later.append(fast)
    return later


def _record_token(
    session: Session,
    plan: SubmissionReport,
    obsidrevs: list[str],
    *,
    user: User,
    token: str,
    asked: str,
    now: datetime,
) -> None:
    """The submit token's event row, in the same transaction as the revisions (see the module docstring)."""
    record_event(
        session,
        user=user,
        action=TOKEN_ACTION,
        target=_token_target(user.id, token),
        before=None,
        after={"revisions": obsidrevs, "obsid": plan.obsid, "kind": plan.kind, "request": asked},
        now=now,
    )


def _last_asis_email(session: Session, obsid: int) -> str | None:
    """The e-mail of the user of the most recent `asis` revision of the obsid (a remove message goes there too)."""
    row = session.scalar(
        select(User.email)
        .join(Revision, Revision.user_id == User.id)
        .where(Revision.obsid == obsid, Revision.kind == "asis")
        .order_by(Revision.revision_number.desc())
        .limit(1)
    )
    return row


__all__ = [
    "MAX_EXTRA_OBSIDS",
    "MAX_RANK_ROWS",
    "ExtraOutcome",
    "OcatChanged",
    "SubmissionReport",
    "SubmitRequest",
    "parse_extra_obsids",
    "plan_submission",
    "submit",
]
