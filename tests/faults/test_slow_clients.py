"""Slow clients: twenty connections sending a request body at 1 byte/s must not starve `/healthz`.

A real gunicorn with gunicorn.conf.py (two workers, the configured worker class and threads) on loopback; twenty
sockets send the headers of a JSON POST, then its body one byte a second, while the test times `/healthz` twice
a second for 12 s. The front web server is meant to buffer request bodies (README, Deployment); this guards the
app server behind it when one does not.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRICKLERS = 20
BODY_BYTES = 200
WATCH_S = 12.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthz(url: str, timeout: float) -> tuple[int, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return status, time.monotonic() - start


@pytest.fixture
def gunicorn_url(settings: dict[str, Any]) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
    env.update(USINT_INSTANCE_PATH=settings["instance_path"], USINT_BIND=f"127.0.0.1:{port}", USINT_WORKERS="2")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "dashboard:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _healthz(url, 5)[0] != 200:
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("gunicorn did not start")
            time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGQUIT)  # quick shutdown: a graceful one takes seconds, none needed here
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _trickle(port: int, stop: threading.Event, opened: list[socket.socket]) -> None:
    """One slow client: the headers of a JSON POST at once, then the body one byte a second until `stop`."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    opened.append(sock)
    head = (
        "POST /api/v1/revisions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {BODY_BYTES}\r\nRemote-User: alice\r\n\r\n"
    )
    sock.sendall(head.encode())
    for _ in range(BODY_BYTES):
        if stop.wait(1.0):
            return
        try:
            sock.sendall(b" ")
        except OSError:
            return


def test_healthz_answers_while_twenty_clients_trickle_their_bodies(gunicorn_url: str) -> None:
    port = int(gunicorn_url.rsplit(":", 1)[1])
    stop = threading.Event()
    opened: list[socket.socket] = []
    threads = [threading.Thread(target=_trickle, args=(port, stop, opened), daemon=True) for _ in range(TRICKLERS)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)  # every trickler has sent its headers and a byte or two: the server is reading their bodies
    probes: list[tuple[int, float]] = []
    try:
        end = time.monotonic() + WATCH_S
        while time.monotonic() < end:
            probes.append(_healthz(gunicorn_url, 10))
            time.sleep(0.5)
    finally:
        stop.set()
        for sock in opened:
            sock.close()
        for thread in threads:
            thread.join(5)
    times = sorted(t for _, t in probes)
    print(
        f"/healthz during {TRICKLERS} trickling clients: {len(probes)} probes, median {times[len(times) // 2]:.3f} s, "
        f"max {times[-1]:.3f} s"
    )
    assert all(status == 200 for status, _ in probes), probes
    assert times[-1] < 2.0, probes
