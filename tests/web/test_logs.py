"""The error log (D22) holds the warnings of every part of the app, not only the web layer's."""

from __future__ import annotations

import logging
from typing import Any


def test_a_mail_or_ocat_warning_lands_in_the_error_log(app: Any) -> None:
    log_dir = app.server.config["USINT"].log_dir
    logging.getLogger("usint.mail").warning("SMTP 127.0.0.1:2525 did not answer")
    logging.getLogger("usint.ocat").warning("Ocat read timed out")
    logging.getLogger("usint.mail").info("sent 3 mails")
    text = (log_dir / "error.log").read_text()
    assert "SMTP 127.0.0.1:2525 did not answer" in text and "Ocat read timed out" in text
    assert "sent 3 mails" not in text
    assert "did not answer" not in (log_dir / "operation.log").read_text()
