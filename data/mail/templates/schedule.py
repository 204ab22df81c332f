"""Duty calendar messages: the sign-up/assignment mail (data-layer §6.9, other-pages §9.3) and the reminders (D20)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from data.mail.outbox import Mail
from data.models import User

SIGNUP_SUBJECT = "Update in TOO POC Duty Signup"


def _who(user: User) -> str:
    return f"{user.full_name or user.username} ({user.username})"


def _fmt(day: date) -> str:
    return day.strftime("%B %d %Y")


def scheduler_link(base_url: str | None) -> str | None:
    return f"{base_url.rstrip('/')}/scheduler" if base_url else None


def duty_mail(*, assignee: User, assigner: User, start: date, stop: date, base_url: str | None = None) -> Mail:
    """To the assignee and the assigner (one person for a self sign-up); CUS is copied when sent."""
    if assignee.id == assigner.id:
        lines = [f"{_who(assignee)} has signed up for POC duty on the following period(s):"]
    else:
        lines = [
            f"{_who(assignee)} has been assigned POC duty by {_who(assigner)} on the following period(s):",
            f"If this is unexpected, please contact {assigner.full_name or assigner.username}"
            + (f" <{assigner.email}>" if assigner.email else "")
            + ".",
        ]
    lines += ["", f"Start: {_fmt(start)}", f"Stop:  {_fmt(stop)}"]
    link = scheduler_link(base_url)
    if link:
        lines += ["", f"TOO POC Duty Scheduler: {link}"]
    return Mail(subject=SIGNUP_SUBJECT, to=(assignee.email, assigner.email), body="\n".join(lines) + "\n")


def duty_reminder_mail(
    *, email: str, name: str, start: date, stop: date, cc: Sequence[str] = (), base_url: str | None = None
) -> Mail:
    """To the POC whose duty starts soon."""
    lines = [
        f"Dear {name},",
        "",
        "This is a reminder that you are the TOO point of contact for the following period:",
        "",
        f"Start: {_fmt(start)}",
        f"Stop:  {_fmt(stop)}",
        "",
        "If you cannot cover it, please arrange a replacement and update the duty calendar.",
    ]
    link = scheduler_link(base_url)
    if link:
        lines += ["", f"TOO POC Duty Scheduler: {link}"]
    return Mail(
        subject=f"TOO POC duty reminder: you are on duty from {_fmt(start)}",
        to=(email,),
        cc=tuple(cc),
        body="\n".join(lines) + "\n",
    )


def unfilled_mail(*, to: Sequence[str], periods: Sequence[tuple[date, date]], days: int, base_url: str | None) -> Mail:
    """Warning: open (TBD) periods within the next `days` days."""
    count = len(periods)
    lines = [
        f"{count} TOO POC duty period{'s' if count != 1 else ''} within the next {days} days "
        f"{'have' if count != 1 else 'has'} no point of contact (TBD):",
        "",
    ]
    lines += [f"  {_fmt(a)} – {_fmt(b)}" for a, b in periods]
    lines += ["", "Please sign up or assign someone on the duty calendar."]
    link = scheduler_link(base_url)
    if link:
        lines += ["", f"TOO POC Duty Scheduler: {link}"]
    return Mail(
        subject=f"TOO POC duty: {count} unfilled period{'s' if count != 1 else ''} within {days} days",
        to=tuple(to),
        body="\n".join(lines) + "\n",
    )
