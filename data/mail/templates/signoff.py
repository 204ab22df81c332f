"""Messages of the status board (other-pages §9.1–§9.2, data-layer §6.2 and §6.7).

`routing_mails`: after every sign-off action on a TOO/DDT observation, who must act next.
`approval_mail`: the "Approved" message of "Signoff & Approve" when it creates an asis revision.
Both return `data.mail.outbox.Mail`; the caller queues them in the sign-off's transaction (D21). CUS is added to
cc by the outbox when a message is sent, as every v2.1 message copies CUS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from data.mail.outbox import Mail
from data.mail.templates.common import header_lines, links
from data.models import PENDING
from data.settings import Settings

ROUTED_TYPES = frozenset({"TOO", "DDT"})
HRC_INSTRUMENTS = frozenset({"HRC-I", "HRC-S"})


def _status(statuses: Mapping[str, Any], column: str) -> str:
    value = statuses[column]
    return value["status"] if isinstance(value, Mapping) else value


def routing_stage(statuses: Mapping[str, Any]) -> str | None:
    """Which team must act next: "instrument", "arcops", "usint" or None (the other-pages §9.2 table).

    `statuses` maps each column to its status (or to a dict with a "status" key).
    """
    arcops_done = _status(statuses, "general") != PENDING and _status(statuses, "acis") != PENDING
    instrument_done = _status(statuses, "acis_si") != PENDING and _status(statuses, "hrc_si") != PENDING
    usint_done = _status(statuses, "usint") != PENDING
    if arcops_done and not instrument_done:
        return "instrument"
    if instrument_done and not arcops_done:
        return "arcops"
    if arcops_done and instrument_done and not usint_done:
        return "usint"
    return None


def routing_mails(
    *,
    obsid: int,
    obsidrev: str,
    obs_type: str | None,
    instrument: str | None,
    statuses: Mapping[str, Any],
    submitter_email: str | None,
    acting_email: str | None,
    settings: Settings,
) -> list[Mail]:
    """The TOO/DDT routing message for the revision's state after a sign-off, or none (other-pages §9.2).

    Only for Ocat `obs_type` TOO or DDT; they repeat on every sign-off while the situation holds.
    """
    kind = (obs_type or "").strip().upper()
    if kind not in ROUTED_TYPES:
        return []
    stage = routing_stage(statuses)
    if stage is None:
        return []
    base = settings.base_url
    foot = links(base, obsidrev)
    if stage == "instrument":
        hrc = (instrument or "").strip().upper() in HRC_INSTRUMENTS
        to = settings.hrc_email if hrc else settings.acis_email
        subject = f"{kind} SI Mode Sign Off Request: (Obsid: {obsid})"
        text = [
            f"The General and ACIS edits of {obsidrev} ({kind} observation) are finished.",
            "Please update the SI mode in the Ocat and then sign off the SI Mode column on the status page.",
        ]
        recipients: tuple[str, ...] = (to,)
    elif stage == "arcops":
        subject = f"{kind} General/ACIS Sign Off Request: (Obsid: {obsid})"
        text = [
            f"The SI mode edits of {obsidrev} ({kind} observation) are finished.",
            "Please make the General and ACIS edits in the Ocat and then sign off those columns on the status page.",
        ]
        recipients = (settings.arcops_email,)
    else:
        subject = f"{kind} Usint Sign Off Request: (Obsid: {obsid})"
        text = [
            f"All edits of {obsidrev} ({kind} observation) are finished.",
            "Please verify the changes on the Parameter Check Page and sign off the USINT Verification column.",
        ]
        recipients = tuple(a for a in (submitter_email, acting_email) if a)
    if not recipients:
        return []
    return [Mail(subject=subject, to=recipients, body="\n".join([*text, *foot]) + "\n", sender=settings.mail_sender)]


def approval_mail(
    *,
    obsid: int,
    new_obsidrev: str,
    sequence_number: Any,
    target_name: Any,
    username: str,
    to: str | None,
    settings: Settings,
    comments: Any = None,
    remarks: Any = None,
) -> Mail | None:
    """`Parameter Change Log: <obsid>.<rev> (Approved)` to the approving user (other-pages §9.1);
    `new_obsidrev` is the asis one."""
    if not to:
        return None
    body = [
        *header_lines(obsid, sequence_number, target_name, username),
        "",
        "VERIFIED OK AS IS",
        "",
        f"PAST COMMENTS = {'' if comments is None else comments}",
        "",
        f"PAST REMARKS = {'' if remarks is None else remarks}",
        *links(settings.base_url, new_obsidrev),
    ]
    return Mail(
        subject=f"Parameter Change Log: {new_obsidrev} (Approved)",
        to=(to,),
        body="\n".join(body) + "\n",
        sender=settings.mail_sender,
    )
