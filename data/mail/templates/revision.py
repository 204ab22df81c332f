"""The e-mails of an editor submission (ocat-data-page §10, data-layer §6.1–§6.6).

Pure builders returning `data.mail.outbox.Mail`; CUS is copied by the sender (data.mail.sender). Change-log builders run
before the revision number exists and use the `{obsidrev}` token that `create_revision` fills in; the messages
that list several revisions (multi-obsid summary, MP attention, fast TOO) are built after all revisions exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from data.mail.outbox import OBSIDREV_PLACEHOLDER, Mail
from data.mail.templates.common import check_page_link, header_lines, links
from data.parameters.catalogue import ACIS_WINDOW_COLUMNS, PARAMETERS, SIGNOFF_COLUMNS, signoff_names
from data.settings import Settings

MP_NOTE_ORDER = ("target_name_change", "large_coordinate_change", "obsdate_under10", "on_or_list")
MP_NOTE_HEADINGS = {
    "target_name_change": "A target name change was requested for the following obsid(s).",
    "large_coordinate_change": "A coordinate shift was requested for the following obsid(s).",
    "obsdate_under10": (
        "A parameter change was requested for the following obsid(s) which are scheduled in less than 10 days."
    ),
    "on_or_list": "The following obsid(s) have requested parameter value changes and are on the active OR List",
}
FAST_TOO_TYPES = frozenset({"FAST", "0-5", "0-4"})
MULTI_SUBJECT = "Multiple Obsids Are Submitted for Parameter Changes"
_SUFFIX = {"norm": "", "asis": " (Approved)", "remove": " (Removed)", "clone": " (Split Request)"}
_VERIFIED = {
    "norm": "VERIFIED NORM",
    "asis": "VERIFIED OK AS IS",
    "remove": "VERIFIED REMOVED",
    "clone": "VERIFIED CLONE",
}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def change_lines(requests: Mapping[str, Any], originals: Mapping[str, Any]) -> list[str]:
    """`GENERAL CHANGES:` / `ACIS CHANGES:` / `ACIS WINDOW CHANGES:` sections in parameter-list order ([REC])."""
    general = [n for n in signoff_names("general") if n in requests]
    acis = [n for n in signoff_names("acis") if n in requests and n not in ACIS_WINDOW_COLUMNS]
    window = [n for n in signoff_names("acis") if n in requests and n in ACIS_WINDOW_COLUMNS]
    out: list[str] = []
    for heading, names in (("GENERAL CHANGES:", general), ("ACIS CHANGES:", acis), ("ACIS WINDOW CHANGES:", window)):
        if not names:
            continue
        out += ["", heading]
        for n in names:
            label = PARAMETERS[n].label if n in PARAMETERS else n
            out.append(f"{n.upper()} ({label}) changed from {_text(originals.get(n))} to {_text(requests[n])}")
    return out


def change_log_cc(signoffs: Mapping[str, str], settings: Settings) -> tuple[str, ...]:
    """Extra copies of a norm change log: ArcOps if general/acis Pending, ACIS team if acis_si, HRC team if hrc_si."""
    cc: list[str] = []
    if signoffs.get("general") == "Pending" or signoffs.get("acis") == "Pending":
        cc.append(settings.arcops_email)
    if signoffs.get("acis_si") == "Pending":
        cc.append(settings.acis_email)
    if signoffs.get("hrc_si") == "Pending":
        cc.append(settings.hrc_email)
    return tuple(cc)


def change_log_mail(
    kind: str,
    *,
    obsid: int,
    sequence_number: Any,
    target_name: Any,
    username: str,
    to: Sequence[str | None],
    settings: Settings,
    originals: Mapping[str, Any],
    requests: Mapping[str, Any],
    signoffs: Mapping[str, str],
    remarks: Any = None,
    obsidrev: str = OBSIDREV_PLACEHOLDER,
) -> Mail:
    """Message #1/#2 of ocat-data-page §10.2: `Parameter Change Log: <obsidrev>[ (Approved|Removed|Split Request)]`."""
    body = [*header_lines(obsid, sequence_number, target_name, username), "", _VERIFIED[kind], ""]
    body.append(f"PAST COMMENTS = {_text(originals.get('comments'))}")
    if kind in ("norm", "clone") and requests.get("comments") is not None:
        body.append(f"NEW COMMENTS = {_text(requests['comments'])}")
    body.append(f"PAST REMARKS = {_text(remarks)}")
    if kind == "norm" and requests.get("remarks") is not None:
        body.append(f"NEW REMARKS = {_text(requests['remarks'])}")
    if kind == "norm":
        body += change_lines(requests, originals)
    body += links(settings.base_url, obsidrev)
    cc: tuple[str, ...] = ()
    if kind == "norm":
        cc = change_log_cc(signoffs, settings)
    elif kind == "clone":
        cc = (settings.arcops_email,)
    return Mail(
        subject=f"Parameter Change Log: {obsidrev}{_SUFFIX[kind]}",
        to=tuple(t for t in to if t),
        cc=cc,
        body="\n".join(body) + "\n",
        sender=settings.mail_sender,
    )


def multi_obsid_mail(
    *,
    username: str,
    settings: Settings,
    obsidrevs: Sequence[str],
    main_obsid: int,
    main_body: str,
    skipped: Sequence[tuple[int, str]] = (),
) -> Mail:
    """Message #3: to ArcOps, one line per revision, then the main change sections ([REC]: only real revisions)."""
    body = [f"USINT user {username} submitted changes to multiple obsids:", ""]
    body += [f"{r.split('.')[0]} : {settings.base_url.rstrip('/')}/chkupdata/{r}" for r in obsidrevs]
    if skipped:
        body += ["", "Not processed:"] + [f"{o} : {reason}" for o, reason in skipped]
    sections = _sections_of(main_body)
    if sections:
        body += ["", f"Updated parameters for {main_obsid} are:", *sections]
    return Mail(
        subject=MULTI_SUBJECT, to=(settings.arcops_email,), body="\n".join(body) + "\n", sender=settings.mail_sender
    )


def _sections_of(body: str) -> list[str]:
    """The main change log from its first CHANGES header up to the Parameter Check Page line, blank lines removed."""
    lines = body.splitlines()
    start = next((i for i, line in enumerate(lines) if line.endswith("CHANGES:")), None)
    if start is None:
        return []
    out = []
    for line in lines[start:]:
        if line.startswith("Parameter Check Page") or line.startswith("Parameter Status Page"):
            break
        if line.strip():
            out.append(line)
    return out


def mp_attention_mail(
    *, username: str, user_email: str | None, settings: Settings, notes_by_obsidrev: Mapping[str, Mapping[str, Any]]
) -> Mail | None:
    """Message #4: to MP (cc submitter) when a revision carries an MP-relevant note; None when none does."""
    body: list[str] = []
    for key in MP_NOTE_ORDER:
        hits = [r for r, notes in notes_by_obsidrev.items() if notes and notes.get(key)]
        if not hits:
            continue
        body += [MP_NOTE_HEADINGS[key], ""]
        body += [f"{r.split('.')[0]}: {check_page_link(settings.base_url, r).split(': ', 1)[1]}" for r in hits]
        body.append("")
    if not body:
        return None
    return Mail(
        subject=f"POC {username} submitted a request which requires MP attention",
        to=(settings.mp_email,),
        cc=(user_email,) if user_email else (),
        body="\n".join(body),
        sender=settings.mail_sender,
    )


def fast_too_mail(*, record: Mapping[str, Any], obsidrev: str, settings: Settings) -> Mail | None:
    """Message #5: a norm revision of a fast TOO (too_type FAST, 0-5, 0-4) → ArcOps; None otherwise."""
    if str(record.get("too_type") or "").upper() not in FAST_TOO_TYPES:
        return None
    obs_type = str(record.get("obs_type") or "").upper()
    obsid = record.get("obsid")
    body = [
        f"Parameter changes were submitted for {obs_type} observation {obsid}.",
        "",
        f"{'TOO ID:':<12}{_text(record.get('tooid'))}",
        f"{'TOO Type:':<12}{_text(record.get('too_type'))}",
        f"{'TOO Trigger:':<12}{_text(record.get('too_trig'))}",
        f"{'TOO Remarks:':<12}{_text(record.get('too_remarks'))}",
        *links(settings.base_url, obsidrev),
    ]
    return Mail(
        subject=f"{obs_type} observation {obsid} Parameter Change ({obsidrev})",
        to=(settings.arcops_email,),
        body="\n".join(body) + "\n",
        sender=settings.mail_sender,
    )


__all__ = [
    "SIGNOFF_COLUMNS",
    "change_lines",
    "change_log_cc",
    "change_log_mail",
    "fast_too_mail",
    "mp_attention_mail",
    "multi_obsid_mail",
]
