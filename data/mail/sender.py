"""Sending the outbox after commit (D21): SMTP with retries, test mode and suppress mode (data-layer §6.0).

A message is claimed with a compare-and-set UPDATE (its attempt count), so two senders never send the same
row at once. A failure keeps the row `queued` with `last_error` until `max_attempts`, then marks it `failed`.
SMTP connect and reads time out after `SMTP_TIMEOUT_S`; a server that cannot be reached (refused, silent,
disconnecting) defers the rest of the run at once, and a run stops claiming rows after `max_run_s`.

Requests never send: the commit that queued mail wakes the worker's `BackgroundSender` (a daemon thread,
`data.db.on_outbox_commit`), which mails after the response. The CLI sends synchronously (`send_pending`).
"""

from __future__ import annotations

import logging
import os
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from data import clock
from data.db import session_scope
from data.models import Outbox
from data.settings import Settings

log = logging.getLogger("usint.mail")

TEST_PREFIX = "TEST!!! "
SMTP_TIMEOUT_S = 5.0
"""Connect and read timeout of one SMTP conversation step."""
MAX_RUN_S = 30.0
"""A sending run claims no more rows after this long; the rest waits for the next run."""


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


class _ServerTrouble(Exception):
    """The SMTP server cannot take mail now (unreachable, silent, refusing the session): the run stops."""


class _Connection:
    """One SMTP connection opened on first use and re-opened after a disconnect."""

    def __init__(self, settings: Settings, timeout: float) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(timeout=self.timeout)  # connect and every read below time out
        try:
            smtp.connect(s.mail_server, s.mail_port)
            if s.mail_use_tls:
                smtp.starttls()
            if s.mail_username:
                smtp.login(s.mail_username, s.mail_password or "")
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise _ServerTrouble(f"{type(exc).__name__}: {exc}") from exc
        return smtp

    def send(self, env: Envelope) -> None:
        """Send one message; SMTPException for this message only, _ServerTrouble when the server fails us."""
        kept = self.smtp is not None
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = self._open()
            try:
                self.smtp.send_message(_message(env), from_addr=env.sender, to_addrs=list(env.to + env.cc))
                return
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self.smtp.close()  # no QUIT: a silent server would make us wait once more
                self.smtp = None
                if not (kept and attempt == 1 and isinstance(exc, smtplib.SMTPServerDisconnected)):
                    raise _ServerTrouble(f"{type(exc).__name__}: {exc}") from exc
                # the server closed a connection kept from an earlier message: once more on a new one

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
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
    timeout_s: float = SMTP_TIMEOUT_S,
    max_run_s: float | None = MAX_RUN_S,
) -> SendReport:
    """Send up to `limit` queued messages; call after the change's transaction has committed.

    When the server cannot be reached, the message tried and the rest of the run are deferred with that error
    (one attempt each) without another connection; after `max_run_s` no more rows are claimed."""
    report = SendReport()
    now_s = int(now.timestamp())
    deadline = time.monotonic() + max_run_s if max_run_s is not None else None
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
    conn = _Connection(settings, min(timeout_s, SMTP_TIMEOUT_S))
    server_trouble: str | None = None
    try:
        for done, (row_id, attempts) in enumerate(pending):
            if deadline is not None and time.monotonic() > deadline:
                log.warning("mail: run stopped after %.0f s; %d message(s) wait", max_run_s, len(pending) - done)
                break
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
            if server_trouble is not None:
                error: str | None = server_trouble
            elif not env.to:
                error = "no recipient (test mode needs the acting user's e-mail)"
            else:
                try:
                    conn.send(env)
                    error = None
                except _ServerTrouble as exc:
                    error = server_trouble = str(exc)[:2000]
                except smtplib.SMTPException as exc:  # this message refused; the next may go
                    error = f"{type(exc).__name__}: {exc}"[:2000]
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


class BackgroundSender:
    """One per worker process: a daemon thread that runs `send_pending` when woken (after a commit that queued
    mail), so no request waits on SMTP. Wakes during a run make one more run; the thread starts on the first wake
    in each process (a forked worker starts its own)."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session] | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        max_run_s: float = MAX_RUN_S,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.max_run_s = max_run_s
        self._now = now
        self._cond = threading.Condition()
        self._woken = False
        self._running = False
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self.runs = 0
        """Sending runs done by this process's thread (for tests and logs)."""

    def wake(self) -> None:
        """Ask for a sending run soon; returns at once."""
        with self._cond:
            if self._pid != os.getpid():  # a forked child: the parent's thread does not exist here
                self._pid, self._thread, self._running = os.getpid(), None, False
            self._woken = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="usint-mail-sender", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no run is asked for or going on; False if still busy after `timeout_s`."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._woken and not self._running, timeout_s)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._woken)
                self._woken, self._running = False, True
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the thread must live on; rows stay queued for the next run
                log.exception("mail: the background sending run failed; the outbox keeps the messages")
            finally:
                with self._cond:
                    self._running = False
                    self.runs += 1
                    self._cond.notify_all()

    def run_once(self) -> SendReport:
        """One sending run now, in the calling thread."""
        assert self.sessions is not None, "BackgroundSender.sessions is not set"
        now = self._now() if self._now else clock.now()
        report = send_pending(self.sessions, self.settings, now=now, max_run_s=self.max_run_s)
        if report.retrying or report.failed:
            log.warning("mail: background run: %s", report)
        return report
