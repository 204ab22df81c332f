"""Several hosts (#14): two gunicorn instances, each with its own instance folder and port, on ONE PostgreSQL
database and ONE Redis, as the README's deployment for several hosts has them. Each host keeps its own live board
(`data.board.live`), so what one host writes must reach the other's board through the database alone.

Runs when USINT_TEST_DATABASE_URL names a PostgreSQL server (`.ci/run` sets it when one answers).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from data.demo.ocat import build_demo_ocat
from tests.benchmarks.bench_load import board_body, board_callback
from tests.fixtures.net import free_port
from tests.fixtures.revdb import PG_ENV, create_pg_database, drop_pg_database
from tests.web.test_api_status import board_settings

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"{PG_ENV} names no PostgreSQL server"),
]

ROOT = Path(__file__).resolve().parents[2]
CACHE_URL = "redis://127.0.0.1:6379/15"  # emptied before and after
OBSID_TOO, OBSID_GO = 1003, 12345  # seeded by tests.web.test_api_status.seed_board


class Host:
    """`gunicorn -c gunicorn.conf.py dashboard:application` with its own instance folder, port and workers."""

    def __init__(self, name: str, instance: Path, database_url: str) -> None:
        self.name = name
        self.instance = instance
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
        env.update(
            USINT_INSTANCE_PATH=str(instance),
            USINT_DATABASE_URL=database_url,
            USINT_OCAT_URL=f"sqlite:///{instance / 'board_ocat.db'}",
            USINT_DEMO="0",
            USINT_MAIL_SUPPRESS="1",
            USINT_CACHE_URL=CACHE_URL,
            USINT_BIND=f"127.0.0.1:{self.port}",
            USINT_WORKERS="2",
            USINT_THREADS="8",
        )
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        log = open(self.instance / "gunicorn.out", "wb")  # noqa: SIM115 - closed with the process
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "dashboard:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited: {(self.instance / 'gunicorn.out').read_text()[-2000:]}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        pytest.fail(f"{self.name} did not answer /healthz in {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # quick shutdown: a graceful one takes seconds, none needed here
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def get(self, path: str, **headers: str) -> requests.Response:
        return requests.get(
            self.base + path, headers={"Remote-User": "demo", "Connection": "close", **headers}, timeout=30
        )

    def post(self, path: str, body: dict[str, Any], user: str = "demo") -> requests.Response:
        return requests.post(
            self.base + path, json=body, headers={"Remote-User": user, "Connection": "close"}, timeout=30
        )


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory, board_ocat: Path) -> Iterator[tuple[Host, Host]]:
    """Two hosts on a fresh PostgreSQL database seeded with `seed_board`, sharing Redis database 15; started once
    for the module (starting one takes seconds; its tests write different obsids)."""
    tmp_path = tmp_path_factory.mktemp("hosts")
    store = redis.Redis.from_url(CACHE_URL)
    store.flushdb()
    url = create_pg_database(os.environ[PG_ENV])
    started: list[Host] = []
    try:
        (tmp_path / "a").mkdir()
        board_settings(tmp_path / "a", board_ocat, database_url=url)  # migrations and the seed, once
        (tmp_path / "b" / "instance").mkdir(parents=True)
        for name in ("board_ocat.db", "obs_ss"):
            source = tmp_path / "a" / "instance" / name
            copy = shutil.copytree if source.is_dir() else shutil.copy
            copy(source, tmp_path / "b" / "instance" / name)
        for name in ("a", "b"):
            host = Host(name, tmp_path / name / "instance", url)
            started.append(host)
            host.start()
        yield started[0], started[1]
    finally:
        for host in started:
            host.stop()
        drop_pg_database(url)
        store.flushdb()


@pytest.fixture(scope="module")
def board_ocat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hosts-ocat")
    build_demo_ocat(folder / "ocat.db", observations=40, obs_ss=folder / "obs_ss")
    return folder


def row_of(rows: list[dict[str, Any]], obsidrev: str) -> dict[str, Any]:
    return next(r for r in rows if r["obsidrev"] == obsidrev)


def grid_row(answer: dict[str, Any], obsidrev: str) -> dict[str, Any]:
    """The board grid's row `obsidrev` in a refresh callback's answer."""
    for props in answer["response"].values():
        for row in props.get("rowData") or []:
            if row.get("id") == obsidrev:
                return row
    raise AssertionError(f"{obsidrev} not in the board's rows")


def test_a_signoff_on_one_host_shows_on_the_others_board_at_its_next_refresh(hosts):
    a, b = hosts
    # b's board page and API are read first (b's live board is warm), then a signs.
    dep, outputs = board_callback(b.base)
    values: dict[str, Any] = {
        "board-tick.n_intervals": 0,
        "board-done.data": None,
        "board-mine-first.value": False,
        "board-kiosk.data": True,
        "board-token.data": None,
    }
    dash_url = f"{b.base}/_dash-update-component"
    first = requests.post(
        dash_url, json=board_body(dep, outputs, values, []), headers={"Remote-User": "bob"}, timeout=30
    )
    assert first.status_code == 200, first.text[:500]
    assert "demo" not in grid_row(first.json(), "1003.001")["general_text"]
    values["board-token.data"] = first.json()["response"]["board-token"]["data"]
    before = b.get("/api/v1/status")
    assert row_of(before.json(), "1003.001")["signoff"]["general"]["status"] == "Pending"
    assert b.get("/api/v1/status", **{"If-None-Match": before.headers["ETag"]}).status_code == 304

    signed = a.post("/api/v1/signoffs", {"obsidrev": "1003.001", "column": "general", "expected": "Pending"})
    assert signed.status_code == 200, signed.text

    after = b.get("/api/v1/status", **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    general = row_of(after.json(), "1003.001")["signoff"]["general"]
    assert (general["status"], general["user"]) == ("Signed", "demo")
    values["board-tick.n_intervals"] = 1  # b's next refresh of the board page
    tick = requests.post(
        dash_url,
        json=board_body(dep, outputs, values, ["board-tick.n_intervals"]),
        headers={"Remote-User": "bob"},
        timeout=30,
    )
    assert tick.status_code == 200, tick.text[:500]  # not 204: the token moved
    assert "demo" in grid_row(tick.json(), "1003.001")["general_text"]

    # and the other way round: a sign-off on b reaches a's board
    assert a.get("/api/v1/status").status_code == 200
    verified = b.post("/api/v1/signoffs", {"obsidrev": "1003.001", "column": "usint", "expected": "Pending"})
    assert verified.status_code == 200, verified.text
    row = row_of(a.get("/api/v1/status").json(), "1003.001")
    assert row["signoff"]["usint"]["status"] == "Signed" and row["state"] == "closed"


def submit_at_once(bodies: dict[Host, dict[str, Any]]) -> dict[str, requests.Response]:
    """POST /api/v1/revisions on every host at the same moment (threads released by one barrier)."""
    barrier = threading.Barrier(len(bodies))
    answers: dict[str, requests.Response] = {}

    def submit(host: Host, body: dict[str, Any]) -> None:
        barrier.wait()
        answers[host.name] = host.post("/api/v1/revisions", body, user="alice")

    threads = [threading.Thread(target=submit, args=item) for item in bodies.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_a_submit_on_each_host_at_the_same_moment_gives_two_revision_numbers(hosts):
    a, b = hosts
    numbers: list[str] = []
    for round_ in range(3):
        bodies = {}
        for i, host in enumerate(hosts):
            loaded = host.get(f"/api/v1/observations/{OBSID_GO}").json()
            current = float(loaded["parameters"].get("y_det_offset") or 0.0)
            changes = {"y_det_offset": round(current + 0.25 * (1 + i + 2 * round_), 2)}
            bodies[host] = {"obsid": OBSID_GO, "kind": "norm", "changes": changes, "loaded": loaded}
        answers = submit_at_once(bodies)
        codes = {h: r.status_code for h, r in answers.items()}
        assert codes == {"a": 201, "b": 201}, {h: r.text[:300] for h, r in answers.items()}
        made = [r.json()["revisions"][0] for r in answers.values()]
        assert len(set(made)) == 2, made
        numbers += made
    assert len(set(numbers)) == 6
    on_a = {r["obsidrev"] for r in a.get("/api/v1/status").json()}
    on_b = {r["obsidrev"] for r in b.get("/api/v1/status").json()}
    assert set(numbers) <= on_a & on_b  # both boards list all six
