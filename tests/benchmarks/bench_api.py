"""Status API benchmark at 100k revisions (2,000 open, ~2,300 listed rows; SQLite file), in process and against
gunicorn, with the resident memory of each gunicorn worker after a load run.

    python -m tests.benchmarks.bench_api [--revisions 100000] [--open 2000] [--repeat 15] [--seconds 20]

Figures:
- in process (Flask test client, server time), gzip accepted as browsers and scripts do: GET /api/v1/status with a
  warm board (target < 50 ms); the first request of a new minute (the live board re-shapes its open rows for the
  waits and the body is rebuilt); the first after one sign-off (catch-up from the `changes` rows, then rebuilt);
  If-None-Match with the last ETag -> 304 (target < 5 ms); /status.csv warm; body sizes, plain and gzip;
- over HTTP against `gunicorn -c gunicorn.conf.py` with 2 workers on loopback: status warm and 304 as a client sees
  them (targets as above);
- worker memory after warm-up (every worker has read the board, built the status bodies and filled a board page;
  target <= 120 MiB VmRSS);
- load: `--clients` threads for `--seconds` (status, 304s, CSV, the board page's first fill, a sign-off every
  `--sign-every` s), then VmRSS (target <= 150 MiB), VmHWM, RssAnon and RssFile of every worker;
- analytics for one year over HTTP (the page's route callback, target <= 300 ms), after the load run, and the
  workers' memory after it (the worker that answered has loaded pandas, D23); in process, what
  the RSS grows by when the app is made (imports), with the live board and the API bodies, and with a board page
  fill, and tracemalloc's largest allocation sites while the board and the bodies are held.
Prints one line per figure and writes bench-results/bench_api.json.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from dashboard import create_app
from data import clock
from data.db import make_engine, make_sessionmaker
from data.demo.ocat import build_demo_ocat
from data.demo.revisions import seed_revisions, seed_users
from data.models import PENDING, Revision, Signoff
from data.ocat.sources import make_source
from data.parameters.table import seed_parameters
from data.schema import upgrade
from tests.benchmarks._report import ms, report
from tests.benchmarks.bench_load import board_body, board_callback, children, memory
from tests.factories import page_route_request
from tests.fixtures.net import free_port

ROOT = Path(__file__).resolve().parents[2]
GZIP = {"Accept-Encoding": "gzip"}
FILL = {
    "board-tick.n_intervals": 0,
    "board-done.data": None,
    "board-mine-first.value": False,
    "board-kiosk.data": True,
    "board-token.data": None,
}


def build(folder: Path, revisions: int, n_open: int, observations: int, now: datetime) -> None:
    """An instance folder: usint.db with `revisions` revisions seeded at `now` (the real clock: gunicorn lists the
    same rows), the demo Ocat and obs_ss."""
    url = f"sqlite:///{folder / 'usint.db'}"
    upgrade(url)
    demo = build_demo_ocat(folder / "ocat.db", observations=observations, obs_ss=folder / "obs_ss")
    rows = make_source(demo.url).fetch("SELECT obsid, seq_nbr FROM target", {})
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            seed_parameters(session)
            seed_users(session)
            seed_revisions(
                session,
                obsids={int(r["obsid"]): int(r["seq_nbr"] or 0) for r in rows},
                count=revisions,
                now=now,
                open_count=n_open,
                seed=1,
            )
    finally:
        engine.dispose()


def pending_general(folder: Path, limit: int) -> list[str]:
    """obsidrevs whose general column is Pending (sign-off targets), oldest first."""
    engine = make_engine(f"sqlite:///{folder / 'usint.db'}")
    try:
        with engine.connect() as conn:
            found = conn.execute(
                select(Revision.obsid, Revision.revision_number)
                .join(Signoff, Signoff.revision_id == Revision.id)
                .where(Signoff.general_status == PENDING)
                .order_by(Revision.id)
                .limit(limit)
            ).all()
    finally:
        engine.dispose()
    return [f"{o}.{r:03}" for o, r in found]


def sign_body(obsidrev: str) -> dict[str, Any]:
    return {"obsidrev": obsidrev, "column": "general", "action": "sign", "expected": "Pending"}


def rss_mib() -> float:
    return memory(os.getpid()).get("VmRSS", 0.0)


def worker_memory(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM and RssAnon / RssFile (private heap vs. mapped library files, shared between workers) in MiB."""
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[key] = round(int(rest.split()[0]) / 1024, 1)
    return out


# ------------------------------------------------------------------------------------------------------ in process


def in_process(folder: Path, targets: list[str], repeat: int, results: dict[str, Any]) -> None:
    overrides = {
        "instance_path": str(folder),
        "database_url": f"sqlite:///{folder / 'usint.db'}",
        "ocat_url": f"sqlite:///{folder / 'ocat.db'}",
        "demo": False,
        "dev_user": "demo",
        "mail_suppress": True,
    }
    before_app = rss_mib()
    client = create_app(overrides).server.test_client()
    app_made = rss_mib()
    results["inproc_app_made_mib"] = round(app_made - before_app, 1)
    tracemalloc.start(1)
    t0 = time.perf_counter()
    first = client.get("/api/v1/status", headers=GZIP)
    results["inproc_status_first_read"] = ms([time.perf_counter() - t0])
    assert first.status_code == 200, first.status_code
    plain = client.get("/api/v1/status")
    results["status_rows"] = len(plain.json)
    results["status_json_bytes"] = len(plain.data)
    results["status_json_gzip_bytes"] = len(first.data)
    client.get("/api/v1/status.csv", headers=GZIP)
    results["inproc_live_board_and_api_bodies_mib"] = round(rss_mib() - app_made, 1)
    deps = client.get("/_dash-dependencies").json
    dep = next(d for d in deps if "board-token.data" in d["output"] and not d.get("clientside_function"))
    spec = dep["output"]
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    outputs = [dict(zip(("id", "property"), p.split("@")[0].rsplit(".", 1), strict=True)) for p in parts]
    fill = client.post("/_dash-update-component", json=board_body(dep, outputs, FILL, []), headers=GZIP)
    assert fill.status_code == 200, fill.status_code
    results["inproc_plus_board_page_mib"] = round(rss_mib() - app_made, 1)
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = snapshot.statistics("lineno")
    results["tracemalloc_total_mib"] = round(sum(s.size for s in stats) / 2**20, 1)
    results["tracemalloc_top"] = [
        f"{s.size / 2**20:6.1f} MiB {s.count:8d} blocks  {s.traceback[0].filename.removeprefix(str(ROOT) + '/')}:"
        f"{s.traceback[0].lineno}"
        for s in stats[:8]
    ]

    def timed(method: str, url: str, n: int, **kw: Any) -> tuple[list[float], Any]:
        samples, answer = [], None
        for _ in range(n):
            t0 = time.perf_counter()
            answer = client.open(url, method=method, **kw)
            samples.append(time.perf_counter() - t0)
        return samples, answer

    samples, answer = timed("GET", "/api/v1/status", repeat, headers=GZIP)
    results["inproc_status_warm"] = ms(samples)
    etag = answer.headers["ETag"]
    samples, answer = timed("GET", "/api/v1/status", repeat * 4, headers={**GZIP, "If-None-Match": etag})
    assert answer.status_code == 304, answer.status_code
    results["inproc_status_304"] = ms(samples)
    samples, _ = timed("GET", "/api/v1/status.csv", repeat, headers=GZIP)
    results["inproc_status_csv_warm"] = ms(samples)

    real_now = clock.now
    minute: list[float] = []
    try:
        for i in range(repeat):
            clock.now = lambda i=i: real_now() + timedelta(minutes=i + 1)  # the minute moves, nothing else
            t0 = time.perf_counter()
            client.get("/api/v1/status", headers=GZIP)
            minute.append(time.perf_counter() - t0)
    finally:
        clock.now = real_now
    results["inproc_status_new_minute"] = ms(minute)

    changed: list[float] = []
    for obsidrev in targets[:repeat]:
        signed = client.post("/api/v1/signoffs", json=sign_body(obsidrev))
        assert signed.status_code == 200, signed.get_data(as_text=True)
        t0 = time.perf_counter()
        client.get("/api/v1/status", headers=GZIP)
        changed.append(time.perf_counter() - t0)
    results["inproc_status_after_a_signoff"] = ms(changed)


# ------------------------------------------------------------------------------------------------------ gunicorn


class Gunicorn:
    def __init__(self, folder: Path, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.folder = folder
        env = {k: v for k, v in os.environ.items() if not k.startswith("USINT_")}
        env.update(
            USINT_INSTANCE_PATH=str(folder),
            USINT_DATABASE_URL=f"sqlite:///{folder / 'usint.db'}",
            USINT_OCAT_URL=f"sqlite:///{folder / 'ocat.db'}",
            USINT_DEMO="0",
            USINT_MAIL_SUPPRESS="1",
            USINT_BIND=f"127.0.0.1:{self.port}",
            USINT_WORKERS=str(workers),
        )
        self.workers = workers
        log = open(folder / "gunicorn.out", "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "dashboard:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.folder / 'gunicorn.out'}")
            with contextlib.suppress(requests.RequestException):
                answer = requests.get(f"{self.base}/healthz", timeout=5)
                if answer.status_code == 200 and len(children(self.proc.pid)) >= self.workers:
                    return
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer /healthz")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def get(base: str, path: str, **headers: str) -> requests.Response:
    return requests.get(base + path, headers={"Remote-User": "bob", "Connection": "close", **headers}, timeout=60)


def workers_rss(server: Gunicorn) -> dict[str, dict[str, float]]:
    return {str(pid): worker_memory(pid) for pid in children(server.proc.pid)}


def worst_rss(per_worker: dict[str, dict[str, float]], target: float) -> str:
    worst = max((m.get("VmRSS", 0.0) for m in per_worker.values()), default=0.0)
    return f"{worst:.1f} MiB (target <= {target:g} MiB)"


def over_http(server: Gunicorn, repeat: int, results: dict[str, Any]) -> None:
    base = server.base
    dep, outputs = board_callback(base)
    for _ in range(server.workers * 4):  # warm-up, every worker: its board read, its bodies built, a board fill
        get(base, "/api/v1/status", **GZIP)
        get(base, "/api/v1/status.csv", **GZIP)
        requests.post(
            f"{base}/_dash-update-component",
            json=board_body(dep, outputs, FILL, []),
            headers={"Remote-User": "bob", "Connection": "close", **GZIP},
            timeout=60,
        )
    time.sleep(2)  # let each worker's background board read (post_worker_init) finish
    results["rss_per_worker_after_warmup_mib"] = per_worker = workers_rss(server)
    results["rss_worker_max_after_warmup"] = worst_rss(per_worker, 120)
    samples, answer = [], None
    for _ in range(repeat * 2):
        t0 = time.perf_counter()
        answer = get(base, "/api/v1/status", **GZIP)
        samples.append(time.perf_counter() - t0)
    results["http_status_warm"] = ms(samples)
    etag = answer.headers["ETag"]
    samples = []
    for _ in range(repeat * 4):
        t0 = time.perf_counter()
        answer = get(base, "/api/v1/status", **GZIP, **{"If-None-Match": etag})
        samples.append(time.perf_counter() - t0)
    assert answer.status_code == 304, answer.status_code
    results["http_status_304"] = ms(samples)


def analytics_over_http(server: Gunicorn, repeat: int, results: dict[str, Any]) -> None:
    """The analytics page opened as a browser does (its route callback builds the last year's figures), after the
    load run: the worker that answers loads pandas then (D23), so its memory is reported apart."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = requests.post(
            f"{server.base}/_dash-update-component",
            json=page_route_request("/analytics", ""),
            headers={"Remote-User": "bob", "Connection": "close", **GZIP},
            timeout=120,
        )
        samples.append(time.perf_counter() - t0)
        assert answer.status_code == 200, answer.status_code
    results["http_analytics_one_year"] = ms(samples)
    results["rss_per_worker_after_analytics_mib"] = workers_rss(server)


def load(server: Gunicorn, targets: list[str], clients: int, seconds: float, sign_every: float) -> dict[str, Any]:
    """`clients` threads reading the status (plain, 304, CSV) and filling the board page; one signs now and then."""
    base = server.base
    dep, outputs = board_callback(base)
    stop = threading.Event()
    counts: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def note(kind: str, answer: requests.Response, ok: tuple[int, ...]) -> None:
        with lock:
            counts[kind] = counts.get(kind, 0) + 1
            if answer.status_code not in ok:
                errors.append(f"{kind}: HTTP {answer.status_code}")

    def reader(i: int) -> None:
        etag = "none"
        while not stop.is_set():
            kind = ("status", "status_304", "csv", "board_fill")[i % 4]
            i += 1
            if kind == "status":
                answer = get(base, "/api/v1/status", **GZIP)
                etag = answer.headers.get("ETag", etag)
                note(kind, answer, (200,))
            elif kind == "status_304":
                note(kind, get(base, "/api/v1/status", **GZIP, **{"If-None-Match": etag}), (200, 304))
            elif kind == "csv":
                note(kind, get(base, "/api/v1/status.csv", **GZIP), (200,))
            else:
                answer = requests.post(
                    f"{base}/_dash-update-component",
                    json=board_body(dep, outputs, FILL, []),
                    headers={"Remote-User": "bob", "Connection": "close", **GZIP},
                    timeout=60,
                )
                note(kind, answer, (200,))

    def signer() -> None:
        for obsidrev in targets:
            if stop.wait(sign_every):
                return
            answer = requests.post(
                f"{base}/api/v1/signoffs",
                json=sign_body(obsidrev),
                headers={"Remote-User": "demo", "Connection": "close"},
                timeout=60,
            )
            note("signoff", answer, (200, 409))

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(clients)] + [threading.Thread(target=signer)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(120)
    return {"requests": counts, "errors": errors[:10], "error_count": len(errors)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--observations", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sign-every", type=float, default=2.0)
    parser.add_argument("--out", default="bench-results/bench_api.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        build(folder, args.revisions, args.open, args.observations, now)
        targets = pending_general(folder, args.repeat + 200)
        results: dict[str, Any] = {
            "revisions": args.revisions,
            "open": args.open,
            "build_s": round(time.perf_counter() - started, 1),
        }
        in_process(folder, targets[: args.repeat], args.repeat, results)
        server = Gunicorn(folder, args.workers)
        try:
            server.wait()
            over_http(server, args.repeat, results)
            results["load"] = load(server, targets[args.repeat :], args.clients, args.seconds, args.sign_every)
            if results["load"]["error_count"]:
                print((folder / "logs" / "error.log").read_text()[-3000:])
            results["rss_per_worker_after_load_mib"] = per_worker = workers_rss(server)
            results["rss_worker_max_after_load"] = worst_rss(per_worker, 150)
            analytics_over_http(server, max(3, args.repeat // 3), results)
        finally:
            server.stop()

    targets_ms = {
        "inproc_status_warm": 50.0,
        "inproc_status_304": 5.0,
        "http_status_warm": 50.0,
        "http_status_304": 5.0,
        "http_analytics_one_year": 300.0,
    }
    return report(results, targets_ms, args.out, width=32)


if __name__ == "__main__":
    main()
