"""SMTP down for an hour (D21): revisions and sign-offs go on, mails wait in the outbox with their error, and
`usint mail retry` sends them once the server is back. A real aiosmtpd server on loopback is stopped and started;
the worker's background sender tries each request's mails after the response (the test waits for it, bounded); the
cron job's retries during that hour run `send_pending` with no back-off (the ticks would be 10 minutes apart).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dashboard import create_app
from data import clock
from data.mail.outbox import outbox_status
from data.mail.sender import send_pending
from data.models import Outbox
from tests.faults.conftest import assert_consistent

OBSID = 12345


def _outbox_after(app: Any, first_id: int) -> list[Outbox]:
    res = app.server.extensions["usint"]
    with res.sessions() as session:
        return list(session.scalars(select(Outbox).where(Outbox.id > first_id).order_by(Outbox.id)))


def test_smtp_down_for_an_hour_then_mail_retry_sends_everything(settings: dict[str, Any], smtp_server: Any) -> None:
    settings.update(mail_suppress=False, mail_test_mode=False, mail_server=smtp_server.host, mail_port=smtp_server.port)
    app = create_app(settings)
    res = app.server.extensions["usint"]
    client = app.server.test_client()
    with res.sessions() as session:
        first_id = session.scalar(select(func.coalesce(func.max(Outbox.id), 0)))

    smtp_server.stop()
    written = []
    for offset in (2.5, 3.5):
        response = client.post("/api/v1/revisions", json={"obsid": OBSID, "changes": {"y_det_offset": offset}})
        assert response.status_code == 201, response.get_json()
        written += response.get_json()["revisions"]
    signed = client.post("/api/v1/signoffs", json={"obsidrev": written[0], "column": "general"})
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["signoff"]["general"]["status"] == "Signed"
    assert res.mail.wait_idle(30), "the worker's sender tried the mails after the responses"

    queued = _outbox_after(app, first_id)
    assert queued, "the submissions queued their mails"
    assert {r.status for r in queued} == {"queued"}
    assert all(r.last_error and r.attempts == 1 for r in queued), [(r.attempts, r.last_error) for r in queued]
    assert {w for w in written} <= {r.obsidrevs for r in queued}

    # Right after a failure the back-off holds the rows; the cron ticks of the hour the server is down retry them
    # and they stay queued (attempts below the limit), visible to admins.
    assert not send_pending(res.sessions, res.settings, now=clock.now()).retrying
    for _tick in range(2):
        report = send_pending(res.sessions, res.settings, now=clock.now(), retry_after_s=0)
        assert not report.sent and not report.failed and len(report.retrying) == len(queued), str(report)
    with res.sessions() as session:
        problems = {p.id for p in outbox_status(session).problems}
    assert {r.id for r in queued} <= problems
    for obsidrev in written:
        assert client.get(f"/api/v1/revisions/{obsidrev}").status_code == 200

    smtp_server.start()
    result = app.server.test_cli_runner().invoke(args=["usint", "mail", "retry"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = _outbox_after(app, first_id)
    assert {r.status for r in after} == {"sent"}, (
        result.output,
        [(r.id, r.status, r.attempts, r.last_error) for r in after],
    )
    assert len(smtp_server.received) == len(after)
    assert {r.subject for r in after} == set(smtp_server.subjects)
    assert sum(any(w in (s or "") for w in written) for s in smtp_server.subjects) >= len(written)
    assert_consistent(res.engine)
