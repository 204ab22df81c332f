"""Sending the outbox after commit (D21): SMTP with retries, test mode and suppress mode (data-layer §6.0).

A message is claimed with a compare-and-set UPDATE (its attempt count), so two senders never send the same
row at once. A failure keeps the row `queued` with `last_error` until `max_attempts`, then marks it `failed`.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from data.db import session_scope
from data.models import Outbox
from data.settings import Settings

log = logging.getLogger("usint.mail")

TEST_PREFIX = "TEST!!! "


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    suppressed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"sent {len(self.sent)}, suppressed {len(self.suppressed)}, "
            f"will retry {len(self.retrying)}, failed {len(self.failed)}"
        )


@dataclass(frozen=True)
class Envelope:
    """What actually goes out for one row, after the CUS copy and test mode are applied."""

    subject: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    body: str
    message_id: str | None = None
    """The same for every attempt of one outbox row: a message sent twice (the sender died between sending
    and marking it sent) is one message to the mail clients that drop repeated Message-IDs."""


def message_id(row: Outbox, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "usint.invalid"
    return f"<usint-outbox.{row.id}.{row.created}@{domain}>"


def envelope(row: Outbox, settings: Settings) -> Envelope:
    """Apply v2.1's rules: CUS first in cc; in test mode prefix the subject, send to the acting user only."""
    sender = row.sender or settings.mail_sender
    if settings.mail_test_mode:
        to = (row.acting_email,) if row.acting_email else ()
        return Envelope(TEST_PREFIX + row.subject, sender, to, (), row.body, message_id(row, sender))
    cc = [settings.cus_email] + [a for a in row.cc if a != settings.cus_email]
    return Envelope(row.subject, sender, tuple(row.recipients), tuple(cc), row.body, message_id(row, sender))


def _message(env: Envelope) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = env.subject
    msg["From"] = env.sender
    msg["To"] = ", ".join(env.to)
    if env.cc:
        msg["Cc"] = ", ".join(env.cc)
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = env.message_id or make_msgid(domain="usint")
    msg.set_content(env.body)
    return msg


class _Connection:
    """One SMTP connection opened on first use and re-opened after a disconnect."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def send(self, env: Envelope) -> None:
        if self.smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(s.mail_server, s.mail_port, timeout=self.timeout)
            if s.mail_use_tls:
                smtp.starttls()
            if s.mail_username:
                smtp.login(s.mail_username, s.mail_password or "")
            self.smtp = smtp
        try:
            self.smtp.send_message(_message(env), from_addr=env.sender, to_addrs=list(env.to + env.cc))
        except smtplib.SMTPServerDisconnected:
            self.smtp = None
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            except OSError:
                pass
            self.smtp = None


def _claim(session: Session, row_id: int, attempts: int, now_s: int) -> bool:
    result = session.execute(
        update(Outbox)
        .where(Outbox.id == row_id, Outbox.status == "queued", Outbox.attempts == attempts)
        .values(attempts=attempts + 1, last_attempt_at=now_s)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _finish(sessions: sessionmaker[Session], row_id: int, **values: object) -> None:
    with session_scope(sessions) as session:
        session.execute(
            update(Outbox).where(Outbox.id == row_id).values(**values).execution_options(synchronize_session=False)
        )


def send_pending(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime,
    limit: int = 100,
    max_attempts: int = 5,
    retry_after_s: int = 60,
    timeout_s: float = 10.0,
) -> SendReport:
    """Send up to `limit` queued messages; call after the change's transaction has committed."""
    report = SendReport()
    now_s = int(now.timestamp())
    with session_scope(sessions, readonly=True) as session:
        pending = session.execute(
            select(Outbox.id, Outbox.attempts)
            .where(
                Outbox.status == "queued",
                or_(Outbox.last_attempt_at.is_(None), Outbox.last_attempt_at <= now_s - retry_after_s),
            )
            .order_by(Outbox.id)
            .limit(limit)
        ).all()
    conn = _Connection(settings, timeout_s)
    try:
        for row_id, attempts in pending:
            with session_scope(sessions) as session:
                if not _claim(session, row_id, attempts, now_s):
                    continue
                row = session.get(Outbox, row_id)
                assert row is not None
                env = envelope(row, settings)
            if settings.mail_suppress:
                log.info("mail suppressed #%s to %s cc %s: %s\n%s", row_id, env.to, env.cc, env.subject, env.body)
                _finish(sessions, row_id, status="suppressed", last_error=None)
                report.suppressed.append(row_id)
                continue
            if not env.to:
                error = "no recipient (test mode needs the acting user's e-mail)"
            else:
                try:
                    conn.send(env)
                    error = None
                except (smtplib.SMTPException, OSError) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:2000]
                    conn.close()
            if error is None:
                _finish(sessions, row_id, status="sent", sent_at=now_s, last_error=None)
                report.sent.append(row_id)
                continue
            gave_up = attempts + 1 >= max_attempts
            _finish(sessions, row_id, status="failed" if gave_up else "queued", last_error=error)
            (report.failed if gave_up else report.retrying).append(row_id)
            log.warning(
                "mail #%s %s (attempt %s): %s", row_id, "failed" if gave_up else "deferred", attempts + 1, error
            )
    finally:
        conn.close()
    return report
