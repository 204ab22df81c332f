"""The deployment path: gunicorn with gunicorn.conf.py serves the same app, identity from the header."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@pytest.fixture
def settings(shared_settings: Any) -> Any:
    """The instance `gunicorn_url` serves (tests/conftest.py `shared_settings`: one per module)."""
    return shared_settings


@pytest.fixture(scope="module")
def gunicorn_url(shared_settings: Any) -> Iterator[str]:
    """gunicorn -c gunicorn.conf.py dashboard:application on a free port, two workers, no dev user; one server for
    the module (starting one takes seconds), on the module's instance."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
    env.update(USINT_INSTANCE_PATH=shared_settings["instance_path"], USINT_BIND=f"127.0.0.1:{port}", USINT_WORKERS="2")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "dashboard:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(url + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            proc.kill()
            pytest.fail("gunicorn did not answer: " + proc.stdout.read().decode()[-2000:])
        yield url
    finally:
        proc.send_signal(signal.SIGQUIT)  # quick shutdown: a graceful one takes seconds, none needed here
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_gunicorn_serves_health_pages_and_identity(gunicorn_url: str, settings: dict[str, Any]) -> None:
    status, body = get(gunicorn_url + "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert get(gunicorn_url + "/ocatdatapage/12345")[0] == 200
    assert get(gunicorn_url + "/no/such/page")[0] == 404
    status, layout = get(gunicorn_url + "/_dash-layout", {"Remote-User": "alice"})
    assert status == 200 and "Alice Archer" in layout
    status, layout = get(gunicorn_url + "/_dash-layout")
    assert "Anonymous" in layout and "read only" in layout
    access = Path(settings["instance_path"]) / "logs" / "access.log"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "alice" not in access.read_text():
        time.sleep(0.2)
    assert "/healthz" in access.read_text() and "alice" in access.read_text()


def test_a_wrong_setting_stops_gunicorn_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
    env.update(USINT_INSTANCE_PATH=str(tmp_path), USINT_MAIL_PORT="twenty-five", USINT_BIND=f"127.0.0.1:{free_port()}")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "dashboard:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.startswith("usint:")]
    assert lines == ["usint: cannot start: USINT_MAIL_PORT: expected a number, got 'twenty-five'"]
    assert "Traceback" not in done.stderr


def test_each_worker_reads_the_board_once_at_start(gunicorn_url: str, settings: dict[str, Any]) -> None:
    log = Path(settings["instance_path"]) / "logs" / "error.log"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = [line for line in log.read_text().splitlines() if "status board read at start" in line]
        if len(lines) >= 2:
            break
        time.sleep(0.2)
    assert len(lines) == 2, log.read_text()[-2000:]  # two workers
    assert all(" rows in " in line for line in lines)
