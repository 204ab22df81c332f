"""An SMTP server that accepts connections and never answers (D21): no request waits on it.

The mail goes after the response, from the worker's background sender, which an after-commit hook wakes; its
connect and read timeouts are at most 5 s, and one failed connection defers the rest of the run instead of waiting
again for each mail. A real socket on loopback accepts and stays silent; a real aiosmtpd server that answers one
message a second checks the time cap of a sending run.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from dashboard import create_app
from data import clock
from data.db import session_scope
from data.mail.outbox import Mail, queue
from data.mail.sender import send_pending
from data.models import Outbox
from tests.fixtures.revdb import free_port

OBSID = 12345
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["silent"])
def hanging_smtp(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    """(host, port) of a server that accepts every connection and never sends a byte ("silent"), or sends its
    greeting and then nothing ("greets")."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn = listener.accept()[0]
                held.append(conn)
                if request.param == "greets":
                    conn.sendall(b"220 smtp.test ESMTP\r\n")
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def _app(settings: dict[str, Any], host: str, port: int) -> Any:
    settings.update(mail_suppress=False, mail_test_mode=False, mail_server=host, mail_port=port)
    return create_app(settings)


def _outbox(app: Any, after: int = 0) -> list[Outbox]:
    with app.server.extensions["usint"].sessions() as session:
        return list(session.scalars(select(Outbox).where(Outbox.id > after).order_by(Outbox.id)))


def _last_id(app: Any) -> int:
    with app.server.extensions["usint"].sessions() as session:
        return session.scalar(select(func.coalesce(func.max(Outbox.id), 0)))


def test_submit_answers_within_a_second_while_smtp_hangs(settings: dict[str, Any], hanging_smtp: Any) -> None:
    app = _app(settings, *hanging_smtp)
    res = app.server.extensions["usint"]
    client = app.server.test_client()
    first = _last_id(app)
    took = []
    for offset in (2.5, 3.5):
        start = time.monotonic()
        response = client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": offset}})
        took.append(time.monotonic() - start)
        assert response.status_code == 201, response.get_json()
        start = time.monotonic()
        assert client.get("/healthz").status_code == 200
        took.append(time.monotonic() - start)
    print(f"submit, /healthz, submit, /healthz with a hanging SMTP server: {', '.join(f'{t:.3f}' for t in took)} s")
    assert max(took) < 1.0, took
    assert {r.status for r in _outbox(app, first)} == {"queued"}, "committed and queued; the sender still waits"

    # The sender gives up within its timeouts (one connection of at most 5 s per run, not one per mail)
    assert res.mail.wait_idle(20), "the background sender is still busy"
    rows = _outbox(app, first)
    assert rows and {r.status for r in rows} == {"queued"}
    assert all(r.attempts == 1 and r.last_error for r in rows), [(r.attempts, r.last_error) for r in rows]
    assert any("timed out" in r.last_error for r in rows), [r.last_error for r in rows]


@pytest.mark.parametrize("hanging_smtp", ["silent", "greets"], indirect=True)
def test_one_sending_run_waits_for_a_hanging_server_once(settings: dict[str, Any], hanging_smtp: Any) -> None:
    """Ten queued mails, a hanging server: one run ends after one timeout (at most 5 s), not ten."""
    app = _app(settings, *hanging_smtp)
    res = app.server.extensions["usint"]
    first = _last_id(app)
    with app.server.app_context():
        _queue(res, 10)
    start = time.monotonic()
    report = send_pending(res.sessions, res.settings, now=clock.now())
    took = time.monotonic() - start
    assert len(report.retrying) == 10 and not report.sent, str(report)
    assert took < 6.5, f"a run with a hanging server took {took:.1f} s"
    assert {r.attempts for r in _outbox(app, first)} == {1}


def _queue(res: Any, n: int) -> None:
    with session_scope(res.sessions) as session:
        queue(
            session,
            [Mail(subject=f"Run cap {i}", to=["alice@example.org"]) for i in range(n)],
            acting_user_email=None,
            now=clock.now(),
        )


class _SlowHandler:
    """An SMTP server that answers one message a second."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        await asyncio.sleep(1.0)
        self.received.append(envelope.content.decode(errors="replace"))
        return "250 OK"


def test_a_sending_run_stops_at_its_time_cap(settings: dict[str, Any]) -> None:
    handler = _SlowHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app = _app(settings, "127.0.0.1", port)
        res = app.server.extensions["usint"]
        first = _last_id(app)
        _queue(res, 10)
        start = time.monotonic()
        report = send_pending(res.sessions, res.settings, now=clock.now(), max_run_s=2.0)
        took = time.monotonic() - start
    finally:
        controller.stop()
    assert 1 <= len(report.sent) <= 3 and took < 4.5, (str(report), took)
    rows = _outbox(app, first)
    assert sum(r.status == "sent" for r in rows) == len(report.sent)
    assert all(r.attempts == 0 for r in rows if r.status == "queued"), "rows after the cap wait untouched"


def test_the_after_commit_hook_sends_a_requests_mail(settings: dict[str, Any], smtp_server: Any) -> None:
    """No request calls the sender: the commit that queued mail wakes the worker's sender, which sends it."""
    app = _app(settings, smtp_server.host, smtp_server.port)
    res = app.server.extensions["usint"]
    client = app.server.test_client()
    first = _last_id(app)
    response = client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": 1.5}})
    assert response.status_code == 201
    (rev,) = response.get_json()["revisions"]
    assert res.mail.wait_idle(10)
    rows = _outbox(app, first)
    assert rows and {r.status for r in rows} == {"sent"}, [(r.status, r.last_error) for r in rows]
    assert f"Parameter Change Log: {rev}" in smtp_server.subjects

    signed = client.post("/api/v1/signoffs", json={"obsidrev": rev, "column": "general"})
    assert signed.status_code == 200, signed.get_json()
    assert res.mail.wait_idle(10)
    assert {r.status for r in _outbox(app, first)} == {"sent"}


def test_a_rolled_back_change_wakes_no_sender(settings: dict[str, Any], smtp_server: Any) -> None:
    app = _app(settings, smtp_server.host, smtp_server.port)
    res = app.server.extensions["usint"]
    first = _last_id(app)
    with app.server.test_request_context("/"), pytest.raises(RuntimeError):
        with session_scope(res.sessions) as session:
            queue(session, [Mail(subject="never", to=["a@b"])], acting_user_email=None, now=clock.now())
            raise RuntimeError("the change fails after queueing its mail")
    assert _outbox(app, first) == []
    assert res.mail.runs == 0 and smtp_server.received == []


def test_no_api_route_or_callback_sends_the_outbox_itself() -> None:
    """One after-commit hook sends the outbox; requests never call `send_pending` (they would wait on SMTP)."""
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("api", "callbacks", "pages", "web")
        for path in (ROOT / folder).rglob("*.py")
        if "send_pending" in path.read_text()
    ]
    assert callers == []
