"""The three logs of D22 under `instance/logs/`: access (gunicorn), error, operation; all rotating."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

FORMAT = "[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 10

ERROR_LOGGER = "usint.error"
OPERATIONS_LOGGER = "usint.operations"


def rotating_handler(path: Path, level: int = logging.INFO) -> RotatingFileHandler:
    """A size-rotating file handler with the common format, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def _attach(logger: logging.Logger, path: Path, level: int) -> None:
    """Attach one handler for `path` to `logger`, once (create_app may run more than once per process)."""
    target = str(path.resolve())
    if any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        return
    for old in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
        logger.removeHandler(old)
        old.close()
    logger.addHandler(rotating_handler(path, level))
    logger.setLevel(level)
    logger.propagate = False


def _also_errors(log_dir: Path) -> None:
    """Warnings of every other `usint.*` logger (mail, Ocat, board, instance) go to error.log too; they still
    reach stderr through the root logger."""
    parent = logging.getLogger("usint")
    target = str((log_dir / "error.log").resolve())
    for old in [h for h in parent.handlers if isinstance(h, RotatingFileHandler)]:
        if getattr(old, "baseFilename", None) == target:
            return
        parent.removeHandler(old)
        old.close()
    parent.addHandler(rotating_handler(log_dir / "error.log", logging.WARNING))


def init_logs(log_dir: Path) -> None:
    """Route the error and operation loggers to their files under `log_dir`."""
    _attach(logging.getLogger(ERROR_LOGGER), log_dir / "error.log", logging.WARNING)
    _attach(logging.getLogger(OPERATIONS_LOGGER), log_dir / "operation.log", logging.INFO)
    _also_errors(log_dir)
