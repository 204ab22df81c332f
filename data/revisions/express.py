"""Express approval (other-pages §5, D16): approve a list of observations "as is" in one go.

`parse_obsids` reads the pasted text, `preview` splits the obsids into approvable and skipped (with the reason),
`finalize` checks everything again and writes one `asis` revision and one approval e-mail per approvable obsid.
No Dash here: the page's callbacks call these three functions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from data.errors import ValidationFailed
from data.ids import OBSID_DIGITS
from data.mail.outbox import OBSIDREV_PLACEHOLDER
from data.mail.templates.signoff import approval_mail
from data.models import User
from data.ocat.read import read_basic, read_observations
from data.ocat.sources import OcatSource
from data.parameters.catalogue import CLOSED_STATUSES
from data.revisions.store import create_revision, is_approved, open_revisions
from data.settings import Settings
from data.users import require

MAX_OBSIDS = 500
"""At most this many obsids in one express approval (other-pages §12 #11)."""

MAX_OBSID = 10**OBSID_DIGITS - 1
"""Larger numbers are not obsids (and would overflow the databases' INTEGER)."""

FIELD = "obsids"
"""The key of parse errors in `ValidationFailed.errors`."""

_SEPARATORS = re.compile(r"[\s,:;]+")
_NUMBER = re.compile(r"[0-9]+")
_RANGE = re.compile(r"([0-9]+)-([0-9]+)")


def parse_obsids(text: str | None, *, cap: int = MAX_OBSIDS) -> list[int]:
    """The obsids named in `text`, de-duplicated and sorted ascending.

    Obsids are separated by whitespace, `,`, `:` or `;`; `a-b` is the inclusive range (spaces around the dash are
    allowed, and `b-a` means the same range). Empty text gives `[]`. Anything else, or more than `cap` distinct
    obsids, raises `ValidationFailed({"obsids": message})` with a message that names the offending piece.
    """
    if text is None or not text.strip():
        return []
    tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    if not tokens:
        return []
    # v2.1 re-joins with commas and folds `,-,`, `-,`, `,-` into `-`, so `12345 - 12349` is one range.
    joined = ",".join(tokens)
    for spaced in (",-,", "-,", ",-"):
        joined = joined.replace(spaced, "-")
    found: set[int] = set()
    for item in joined.split(","):
        if _NUMBER.fullmatch(item):
            number = int(item)
            _check_positive(number, item)
            found.add(number)
        elif match := _RANGE.fullmatch(item):
            low, high = sorted((int(match.group(1)), int(match.group(2))))
            _check_positive(low, item)
            _check_positive(high, item)
            if high - low + 1 > cap:
                raise ValidationFailed({FIELD: _too_many(high - low + 1, cap)})
            found.update(range(low, high + 1))
        else:
            raise ValidationFailed(
                {
                    FIELD: f"Cannot read {item!r}: write obsids like 12345 or ranges like 12345-12349, "
                    "separated by spaces, commas, colons or semicolons."
                }
            )
        if len(found) > cap:
            raise ValidationFailed({FIELD: _too_many(len(found), cap, at_least=True)})
    return sorted(found)


def _check_positive(number: int, item: str) -> None:
    if number <= 0:
        raise ValidationFailed({FIELD: f"Cannot read {item!r}: an obsid is a positive number."})
    if number > MAX_OBSID:
        raise ValidationFailed({FIELD: f"Cannot read {item[:40]!r}: an obsid has at most 9 digits."})


def _too_many(count: int, cap: int, *, at_least: bool = False) -> str:
    many = f"at least {count}" if at_least else str(count)
    return f"Too many obsids: the list names {many}, the limit is {cap} at a time. Split it into smaller lists."


# ------------------------------------------------------------------------------------------------ preview

ALREADY_APPROVED = "Already approved"
NOT_IN_OCAT = "Not in the Ocat"
SEVERAL_ROWS = "Several Ocat rows for this obsid"


@dataclass(frozen=True)
class ExpressItem:
    """One obsid of the list: its basic Ocat data, whether it can be approved and, if not, why."""

    obsid: int
    approvable: bool
    reason: str | None = None
    open_revisions: tuple[str, ...] = ()
    sequence_number: int | None = None
    status: str | None = None
    target_name: str | None = None
    title: str | None = None
    pi_name: str | None = None
    proposal_id: int | None = None
    basic: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def note(self) -> str:
        """The Note column (other-pages §5.2): the reason it is skipped, else a warning about open revisions."""
        if self.reason:
            return self.reason
        if self.open_revisions:
            return "Open revision: " + ", ".join(self.open_revisions)
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "obsid": self.obsid,
            "approvable": self.approvable,
            "reason": self.reason,
            "note": self.note,
            "open_revisions": list(self.open_revisions),
            "sequence_number": self.sequence_number,
            "status": self.status,
            "target_name": self.target_name,
            "title": self.title,
            "pi_name": self.pi_name,
            "proposal_id": self.proposal_id,
        }


@dataclass(frozen=True)
class ExpressPreview:
    """The confirm step: approvable obsids first, then the skipped ones with their reasons (list order kept)."""

    approvable: list[ExpressItem]
    skipped: list[ExpressItem]

    @property
    def approvable_obsids(self) -> list[int]:
        return [i.obsid for i in self.approvable]


@dataclass(frozen=True)
class ExpressResult:
    """What finalize did: the new `asis` revisions (obsid → obsid.rev) and what it skipped after re-checking."""

    approved: dict[int, str]
    skipped: list[ExpressItem]


def _basic_records(source: OcatSource, obsids: Sequence[int]) -> dict[int, list[Mapping[str, Any]]]:
    """obsid → its basic Ocat rows (Q1), read in one batched call (D5). No rows = not in the Ocat."""
    found = read_basic(source, list(obsids))
    return {o: [found[o]] if o in found else [] for o in obsids}


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def preview(session: Session, source: OcatSource, obsids: Sequence[int]) -> ExpressPreview:
    """Split `obsids` into approvable and skipped (other-pages §5.2, D16).

    Skipped, first reason wins: not in the Ocat, several Ocat rows, status observed/archived/canceled/discarded,
    already approved. An open revision does not block approval; it is listed so the page can warn about it.
    """
    wanted = sorted({int(o) for o in obsids})
    return _classify(session, wanted, _basic_records(source, wanted) if wanted else {})


def _closed(row: Mapping[str, Any]) -> bool:
    return str(row.get("status") or "").strip().lower() in CLOSED_STATUSES


def _classify(session: Session, wanted: list[int], basic: Mapping[int, list[Mapping[str, Any]]]) -> ExpressPreview:
    """The preview's rules over basic Ocat rows already read (so no DB transaction waits on the Ocat)."""
    open_by_obsid: dict[int, list[str]] = {}
    for view in open_revisions(session, wanted):
        open_by_obsid.setdefault(view.obsid, []).append(view.obsidrev)
    approvable: list[ExpressItem] = []
    skipped: list[ExpressItem] = []
    for obsid in wanted:
        rows = basic.get(obsid) or []
        row: Mapping[str, Any] = rows[0] if len(rows) == 1 else {}
        status = _text(row.get("status"))
        if not rows:
            reason = NOT_IN_OCAT
        elif len(rows) > 1:
            reason = SEVERAL_ROWS
        elif _closed(row):
            reason = f"Status: {status}"
        elif is_approved(session, obsid):
            reason = ALREADY_APPROVED
        else:
            reason = None
        item = ExpressItem(
            obsid=obsid,
            approvable=reason is None,
            reason=reason,
            open_revisions=tuple(open_by_obsid.get(obsid, ())),
            sequence_number=_int(row.get("seq_nbr")),
            status=status,
            target_name=_text(row.get("targname")),
            title=_text(row.get("title")),
            pi_name=_text(row.get("last")),
            proposal_id=_int(row.get("ocat_propid")),
            basic=dict(row),
        )
        (approvable if item.approvable else skipped).append(item)
    return ExpressPreview(approvable, skipped)


# ------------------------------------------------------------------------------------------------ finalize


def _full_records(source: OcatSource, obsids: Sequence[int], settings: Settings) -> dict[int, Mapping[str, Any]]:
    """Full Ocat records (batched) for the approval e-mails' PAST COMMENTS / PAST REMARKS, as the asis path has."""
    if not obsids:
        return {}

    return read_observations(source, list(obsids), obs_ss=settings.obs_ss)


def finalize(
    session: Session,
    source: OcatSource,
    obsids: Sequence[int],
    *,
    user: User,
    now: datetime,
    settings: Settings,
) -> ExpressResult:
    """Approve `obsids` as is: everything is checked again first (D16), so an obsid approved, closed or removed from
    the Ocat since the preview is skipped with its reason. Each approvable obsid gets one `asis` revision (usint
    signed by `user`, the rest Not Required) and one approval e-mail, all in the caller's transaction. The user
    must be allowed to `approve` (D14).
    """
    require(user, "approve", settings.permissions)
    wanted = sorted({int(o) for o in obsids})
    if len(wanted) > MAX_OBSIDS:
        raise ValidationFailed({FIELD: _too_many(len(wanted), MAX_OBSIDS)})
    for obsid in wanted:
        _check_positive(obsid, str(obsid))
    # The Ocat is read first, so the revision DB's write transaction never waits on it.
    basic = _basic_records(source, wanted) if wanted else {}
    candidates = [o for o in wanted if len(basic[o]) == 1 and not _closed(basic[o][0])]
    full = _full_records(source, candidates, settings)
    checked = _classify(session, wanted, basic)
    approved: dict[int, str] = {}
    for item in checked.approvable:
        record = full.get(item.obsid, {})
        mail = approval_mail(
            obsid=item.obsid,
            new_obsidrev=OBSIDREV_PLACEHOLDER,
            sequence_number=item.sequence_number,
            target_name=item.target_name,
            username=user.username,
            to=user.email,
            settings=settings,
            comments=record.get("comments"),
            remarks=record.get("remarks"),
        )
        revision = create_revision(
            session,
            item.obsid,
            kind="asis",
            sequence_number=item.sequence_number or 0,
            originals={},
            requests={},
            notes=None,
            user=user,
            now=now,
            mails=[mail] if mail else [],
        )
        approved[item.obsid] = revision.obsidrev
    return ExpressResult(approved, checked.skipped)
