"""Gunicorn settings for USINT Dash: `gunicorn -c gunicorn.conf.py dashboard:application`.

Bind with USINT_BIND (default 127.0.0.1:8050), workers with USINT_WORKERS (default 2 x CPUs + 1, at most 8).
Access and error logs rotate under <instance>/logs/.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

from data import clock
from data.settings import SettingsError, load_settings
from web.instance import prepare_instance

_instance = Path(os.environ.get("USINT_INSTANCE_PATH", "instance")).resolve()
_logs = _instance / "logs"
_logs.mkdir(parents=True, exist_ok=True)

bind = os.environ.get("USINT_BIND", "127.0.0.1:8050")
workers = int(os.environ.get("USINT_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8)))
# Threaded workers: a thread reading a slow client's request body waits on the socket, not on the CPU, so many
# threads per worker keep a few trickling clients from starving the rest (20 clients at 1 byte/s: /healthz stays
# fast, tests/faults/test_slow_clients.py). A worker with 2 x threads connections takes no more, so the others get
# the new ones. The front web server should still buffer request bodies (README, Deployment).
worker_class = "gthread"
threads = int(os.environ.get("USINT_THREADS", 32))
worker_connections = 2 * threads
timeout = 30  # a worker whose main loop is stuck this long is restarted; a slow request does not count
graceful_timeout = 20
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("USINT_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = str(_logs / "access.log")
errorlog = str(_logs / "error.log")
access_log_format = '%(h)s %({remote-user}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"usint": {"format": "[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s"}},
    "handlers": {
        "access": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": accesslog,
            "maxBytes": 5 * 1024 * 1024,
            "backupCount": 10,
            "formatter": "usint",
        },
        "error": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": errorlog,
            "maxBytes": 5 * 1024 * 1024,
            "backupCount": 10,
            "formatter": "usint",
        },
        "console": {"class": "logging.StreamHandler", "formatter": "usint"},
    },
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error", "console"], "level": "INFO", "propagate": False},
    },
}


M_MMAP_THRESHOLD = -3
"""glibc's `mallopt` parameter: blocks at least this large get their own mapping, returned to the system when freed."""


def return_large_blocks(threshold: int = 128 * 1024) -> None:
    """Fix glibc's mmap threshold at its default 128 KiB (inherited by the workers forked after this).

    Left alone, glibc raises the threshold to the size of each large block freed, up to 32 MiB; the status API's
    bodies (1.5 MB of JSON, their gzip and CSV, rebuilt after every change) then land in the heap, whose holes stay
    resident. Measured at 100k revisions after 60 s of load (bench_api): 139 MiB per worker instead of 148-149.
    Not glibc (no `mallopt`): nothing to do."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, threshold)


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's Arbiter
    """Create or upgrade the instance once, in the master, before any worker starts."""
    return_large_blocks()
    try:
        settings = load_settings()
    except SettingsError as err:  # one clear line naming the setting, then stop
        print(f"usint: cannot start: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    prepare_instance(settings)


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """Read the status board once in the background, so a new worker's first board is a catch-up, not a full read."""
    log = logging.getLogger("gunicorn.error")

    def warm() -> None:
        resources = getattr(worker.wsgi, "extensions", {}).get("usint")
        if resources is None:
            return
        started = time.perf_counter()
        try:
            rows = resources.boards.warm(
                resources.sessions,
                now=clock.now(),
                closed_window_h=resources.settings.closed_window_h,
                ocat=resources.ocat,
                lookups=resources.lookups,
            )
        except Exception as err:  # a DB or Ocat problem shows on the page; start-up goes on
            log.warning("usint: status board not read at start: %s", err)
            return
        log.info("usint: status board read at start: %d rows in %.0f ms", rows, (time.perf_counter() - started) * 1000)

    threading.Thread(target=warm, name="usint-warm-board", daemon=True).start()
