"""The daily reminder jobs of older USINT, now CLI commands (D20): pending sign-off digests and duty reminders.

Both functions only build `data.mail.outbox.Mail` objects; the caller queues them in a transaction and sends them
after commit (`data.mail.sender.send_pending`), as every other message of the app (D21).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from data import schedule
from data.mail.outbox import Mail
from data.mail.templates.common import check_page_link, status_page_link
from data.mail.templates.schedule import duty_reminder_mail, unfilled_mail
from data.models import EDIT_COLUMNS, PENDING
from data.parameters.catalogue import SIGNOFF_LABELS
from data.revisions.store import RevisionView, open_revisions
from data.settings import Settings

TEAMS: dict[str, tuple[str, ...]] = {
    "arcops": ("general",),
    "acis": ("acis", "acis_si"),
    "hrc": ("hrc_si",),
    "cus": ("usint",),
}
"""Which sign-off columns each team's digest lists (general → ArcOps, ACIS and ACIS SI → ACIS, …)."""
TEAM_NAMES = {"arcops": "ArcOps", "acis": "ACIS", "hrc": "HRC", "cus": "USINT"}
DUTY_NOTICE_DAYS = 2
"""The POC on duty from today + 2 days gets a reminder."""
UNFILLED_WARNING_DAYS = 14
"""Open periods within the next 14 days raise a warning to CUS and the admin."""


def team_address(team: str, settings: Settings) -> str:
    return getattr(settings, f"{team}_email")


def age(delta: timedelta) -> str:
    """`3 d 4 h`, `5 h 12 min`, `7 min`: how long something has waited."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


@dataclass(frozen=True)
class PendingItem:
    """One pending sign-off of a team: which revision, which column, since when."""

    obsidrev: str
    column: str
    user: str
    since: datetime
    waited: timedelta


def waiting_since(view: RevisionView, column: str) -> datetime:
    """Edit columns wait from submission; the usint verification waits from the last edit sign-off."""
    if column == "usint":
        times = [view.signoff[c]["time"] for c in EDIT_COLUMNS if view.signoff[c]["time"] is not None]
        return max([view.time, *times])
    return view.time


def pending_items(session: Session, *, now: datetime) -> dict[str, list[PendingItem]]:
    """Per team, the Pending columns it can act on, oldest first.

    A usint verification is listed only once the edit columns are done (D13: it cannot be signed before).
    """
    out: dict[str, list[PendingItem]] = {team: [] for team in TEAMS}
    for view in open_revisions(session):
        for team, columns in TEAMS.items():
            for column in columns:
                if view.signoff[column]["status"] != PENDING:
                    continue
                if column == "usint" and any(view.signoff[c]["status"] == PENDING for c in EDIT_COLUMNS):
                    continue
                since = waiting_since(view, column)
                out[team].append(PendingItem(view.obsidrev, column, view.user, since, now - since))
    for items in out.values():
        items.sort(key=lambda i: (i.since, i.obsidrev, i.column))
    return out


def pending_digests(session: Session, *, now: datetime, settings: Settings) -> list[Mail]:
    """One mail per team with something pending, listing each sign-off and how long it has waited."""
    mails: list[Mail] = []
    for team, items in pending_items(session, now=now).items():
        if not items:
            continue
        name = TEAM_NAMES[team]
        count = len(items)
        lines = [
            f"{count} sign-off{'s' if count != 1 else ''} waiting for {name} on {now.date().isoformat()} "
            "(oldest first):",
            "",
        ]
        width = max(len(i.obsidrev) for i in items)
        for item in items:
            lines.append(
                f"  {item.obsidrev.ljust(width)}  {SIGNOFF_LABELS[item.column]:<20}  waiting {age(item.waited):>12}"
                f"  (submitted by {item.user})"
            )
        lines += ["", status_page_link(settings.base_url)]
        obsidrevs = list(dict.fromkeys(item.obsidrev for item in items))
        lines += [check_page_link(settings.base_url, obsidrev) for obsidrev in obsidrevs[:50]]
        oldest = age(items[0].waited)
        mails.append(
            Mail(
                subject=f"USINT: {count} pending sign-off{'s' if count != 1 else ''} for {name} (oldest {oldest})",
                to=(team_address(team, settings),),
                body="\n".join(lines) + "\n",
            )
        )
    return mails


def duty_reminders(session: Session, *, today: date | datetime, settings: Settings) -> list[Mail]:
    """A reminder to the POC whose duty starts in 2 days, and a warning when a period within 14 days is TBD."""
    day = schedule.as_date(today)
    mails: list[Mail] = []
    soon = day + timedelta(days=DUTY_NOTICE_DAYS)
    for period in schedule.list_periods(session, start=soon, stop=soon):
        if period.start == soon and period.user is not None and period.email:
            mails.append(
                duty_reminder_mail(
                    email=period.email,
                    name=period.display_name,
                    start=period.start,
                    stop=period.stop,
                    base_url=settings.base_url,
                )
            )
    unfilled = schedule.unfilled_within(session, UNFILLED_WARNING_DAYS, day)
    if unfilled:
        mails.append(
            unfilled_mail(
                to=(settings.cus_email, settings.admin_email),
                periods=[(p.start, p.stop) for p in unfilled],
                days=UNFILLED_WARNING_DAYS,
                base_url=settings.base_url,
            )
        )
    return mails
