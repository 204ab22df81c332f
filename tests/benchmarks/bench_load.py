"""Load test: gunicorn (its configured workers) on loopback, 50 wall displays and 10 editors, SQLite and PostgreSQL.

    python -m tests.benchmarks.bench_load [--seconds 60] [--displays 50] [--editors 10] [--refresh 2] [--backends sqlite,postgresql]

For each backend (SQLite in a temporary instance; PostgreSQL when 127.0.0.1:5432 answers, in a dedicated database
`usint_load` that is dropped first and at the end) the script starts `gunicorn -c gunicorn.conf.py
dashboard:application` on a free 127.0.0.1 port with the worker count of gunicorn.conf.py, waits for /healthz, then:
- wall displays: load the kiosk page (`/orupdate?kiosk=1`, the page route callback and the board's initial fill), then
  every `--refresh` s (180 s in production) send the board's interval callback exactly as the browser does
  (POST /_dash-update-component built from /_dash-dependencies, with the token store the previous answer gave);
  every `--status-every`-th display also reads GET /api/v1/status on each refresh;
- editors (Remote-User alice or demo, usint group): GET /api/v1/observations/<obsid> of a random active demo obsid,
  a dry run and then a real POST /api/v1/revisions of a small valid change (y_det_offset), ~1 s think time.
Bounded by time (`--seconds`) and by a total request cap (`--max-requests`); only 127.0.0.1 is contacted.
Reports requests/s, median and p95 latency (overall and per kind), errors (each distinct one), resident memory of
every gunicorn worker, revisions created and a duplicate (obsid, revision_number) check; writes bench-results/load.json.
Exits 1 when any request failed or a duplicate revision number exists.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import runpy
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import create_engine, text

from tests.factories import page_route_request
from tests.fixtures.net import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "usint_load"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
EDITORS = ("alice", "demo")
DISPLAY_USER = "bob"  # a registered reader (arcops); the wall display sits behind the same authenticating server
ACTIVE = ("unobserved", "scheduled")
BOARD_OUTPUT = "board-token.data"


# ------------------------------------------------------------------------------------------------------ recording


class Recorder:
    """Latencies per request kind, errors by distinct message, and the shared stop/cap state."""

    def __init__(self, max_requests: int, deadline: float) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.error_kinds: Counter[str] = Counter()
        self.count = 0
        self.max_requests = max_requests
        self.deadline = deadline
        self.stop = threading.Event()
        self.revisions: list[str] = []
        self.outcomes: Counter[str] = Counter()

    def running(self) -> bool:
        if self.stop.is_set():
            return False
        if time.monotonic() >= self.deadline or self.count >= self.max_requests:
            self.stop.set()
            return False
        return True

    def request(
        self, session: requests.Session, kind: str, method: str, url: str, expect: tuple[int, ...], **kw: Any
    ) -> requests.Response | None:
        with self.lock:
            if self.count >= self.max_requests:
                self.stop.set()
                return None
            self.count += 1
        started = time.perf_counter()
        try:
            # A new connection per request: at the real 180 s refresh a display never finds gunicorn's 2 s
            # keep-alive connection still open, and reusing one that the server is closing just then gives a
            # client-side "connection reset" on a POST that neither side could retry.
            response = session.request(method, url, timeout=30, headers={"Connection": "close"}, **kw)
            elapsed = time.perf_counter() - started
        except requests.RequestException as err:
            self._error(kind, f"{kind}: {type(err).__name__}: {err}")
            return None
        with self.lock:
            self.latency[kind].append(elapsed)
            self.outcomes[f"{kind} {response.status_code}"] += 1
        if response.status_code not in expect:
            self._error(kind, f"{kind}: HTTP {response.status_code} {response.text[:300]!r}")
            return None
        return response

    def _error(self, kind: str, message: str) -> None:
        with self.lock:
            self.errors[message] += 1
            self.error_kinds[kind] += 1


def _ms(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


# ------------------------------------------------------------------------------------------------------ the clients


def board_callback(base: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The board's interval → token store callback, as /_dash-dependencies describes it."""
    deps = requests.get(f"{base}/_dash-dependencies", timeout=30).json()
    dep = next(d for d in deps if BOARD_OUTPUT in d["output"] and not d.get("clientside_function"))
    spec = dep["output"]
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    outputs = [dict(zip(("id", "property"), p.split("@")[0].rsplit(".", 1), strict=True)) for p in parts]
    return dep, outputs


def board_body(
    dep: dict[str, Any], outputs: list[dict[str, str]], values: dict[str, Any], changed: list[str]
) -> dict[str, Any]:
    def filled(items: list[dict[str, str]]) -> list[dict[str, Any]]:
        return [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items]

    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": filled(dep["inputs"]),
        "changedPropIds": changed,
        "state": filled(dep["state"]),
    }


def wall_display(
    rec: Recorder,
    base: str,
    dep: dict[str, Any],
    outputs: list[dict[str, str]],
    refresh_s: float,
    with_status: bool,
    seed: int,
) -> None:
    rng = random.Random(seed)
    headers = {"Remote-User": DISPLAY_USER}
    with requests.Session() as http:
        http.headers.update(headers)
        time.sleep(rng.uniform(0, refresh_s))  # displays were switched on at different moments
        if not rec.running():
            return
        # Page load: the HTML, the page route callback, then the board's initial fill (no token yet).
        rec.request(http, "page_html", "GET", f"{base}/orupdate?kiosk=1", (200,))
        route = page_route_request("/orupdate", "?kiosk=1")
        rec.request(http, "page_route", "POST", f"{base}/_dash-update-component", (200,), json=route)
        values: dict[str, Any] = {
            "board-tick.n_intervals": 0,
            "board-done.data": None,
            "board-mine-first.value": False,
            "board-kiosk.data": True,
            "board-token.data": None,
        }
        answer = rec.request(
            http,
            "board_initial",
            "POST",
            f"{base}/_dash-update-component",
            (200,),
            json=board_body(dep, outputs, values, []),
        )
        if answer is not None:
            values["board-token.data"] = answer.json()["response"]["board-token"]["data"]
        next_tick = time.monotonic() + refresh_s
        while rec.running():
            pause = next_tick - time.monotonic()
            if pause > 0:
                if rec.stop.wait(pause):
                    return
            next_tick += refresh_s
            values["board-tick.n_intervals"] += 1
            body = board_body(dep, outputs, values, ["board-tick.n_intervals"])
            answer = rec.request(http, "board_tick", "POST", f"{base}/_dash-update-component", (200, 204), json=body)
            if answer is not None and answer.status_code == 200:
                values["board-token.data"] = answer.json()["response"]["board-token"]["data"]
                with rec.lock:
                    rec.outcomes["board_tick refilled"] += 1
            if with_status and rec.running():
                rec.request(http, "api_status", "GET", f"{base}/api/v1/status", (200,))


def editor(rec: Recorder, base: str, obsids: list[int], think_s: float, seed: int) -> None:
    rng = random.Random(seed)
    user = EDITORS[seed % len(EDITORS)]
    with requests.Session() as http:
        http.headers.update({"Remote-User": user})
        time.sleep(rng.uniform(0, think_s))
        while rec.running():
            obsid = rng.choice(obsids)
            got = rec.request(http, "api_observation", "GET", f"{base}/api/v1/observations/{obsid}", (200,))
            if got is None:
                continue
            loaded = got.json()
            current = loaded["parameters"].get("y_det_offset")
            value = round(rng.uniform(-5, 5), 2)
            while current is not None and abs(value - float(current)) < 0.01:
                value = round(rng.uniform(-5, 5), 2)
            body = {"obsid": obsid, "kind": "norm", "changes": {"y_det_offset": value}, "loaded": loaded}
            if rec.stop.wait(think_s * rng.uniform(0.5, 1.5)):
                return
            if not rec.running():
                return
            dry = rec.request(
                http, "api_dry_run", "POST", f"{base}/api/v1/revisions", (200,), json={**body, "dry_run": True}
            )
            if dry is None or rec.stop.wait(think_s * rng.uniform(0.2, 0.6)) or not rec.running():
                continue
            saved = rec.request(http, "api_submit", "POST", f"{base}/api/v1/revisions", (201,), json=body)
            if saved is not None:
                with rec.lock:
                    rec.revisions.extend(saved.json().get("revisions", []))
            rec.stop.wait(think_s * rng.uniform(0.5, 1.5))


# ------------------------------------------------------------------------------------------------------ the server


def configured_workers(env: dict[str, str]) -> int:
    """`workers` of gunicorn.conf.py, evaluated with the environment gunicorn will see."""
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        return int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"])
    finally:
        os.environ.clear()
        os.environ.update(saved)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.extend(int(x) for x in task.read_text().split())
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, s."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict[str, float]:
    fields = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(rest.split()[0]) / 1024, 1)  # kB → MiB
    return fields


class Server:
    def __init__(self, instance: Path, database_url: str | None) -> None:
        self.instance = instance
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("USINT_DEV_USER", "USINT_DATABASE_URL", "USINT_BIND")}
        env.update({"USINT_INSTANCE_PATH": str(instance), "USINT_BIND": f"{HOST}:{self.port}"})
        if database_url:
            env["USINT_DATABASE_URL"] = database_url
        self.env = env
        self.workers = configured_workers(env)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> float:
        started = time.monotonic()
        log = open(self.instance / "gunicorn.out", "w")  # noqa: SIM115 - closed with the process
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "-c", "gunicorn.conf.py", "dashboard:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.instance / 'gunicorn.out'}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    if len(children(self.proc.pid)) >= self.workers:
                        return time.monotonic() - started
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer /healthz with {self.workers} workers in {timeout:.0f} s")

    def warm(self) -> None:
        """Let every worker finish importing: a few health probes over fresh connections."""
        for _ in range(self.workers * 3):
            requests.get(f"{self.base}/healthz", timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# ------------------------------------------------------------------------------------------------------ one backend


def active_obsids(instance: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(instance / "ocat_demo.db")) as conn:
        marks = ",".join("?" * len(ACTIVE))
        rows = conn.execute(f"SELECT obsid FROM target WHERE status IN ({marks}) ORDER BY obsid", ACTIVE).fetchall()
    return [int(r[0]) for r in rows]


def revision_stats(database_url: str) -> dict[str, Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM revisions")).scalar_one()
            dupes = conn.execute(
                text(
                    "SELECT obsid, revision_number, count(*) FROM revisions "
                    "GROUP BY obsid, revision_number HAVING count(*) > 1"
                )
            ).all()
    finally:
        engine.dispose()
    return {"total": int(total), "duplicates": [list(map(int, d)) for d in dupes]}


def run_backend(name: str, args: argparse.Namespace, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"usint-load-{name}-") as tmp:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        server = Server(instance, database_url)
        revdb = database_url or f"sqlite:///{instance / 'usint.db'}"
        print(f"[{name}] starting gunicorn on {server.base} with {server.workers} workers …", flush=True)
        try:
            boot_s = server.start()
            server.warm()
            print(f"[{name}] up in {boot_s:.1f} s", flush=True)
            obsids = active_obsids(instance)
            dep, outputs = board_callback(server.base)
            before = revision_stats(revdb)
            workers = children(server.proc.pid)
            samples: dict[int, list[float]] = defaultdict(list)
            rec = Recorder(args.max_requests, time.monotonic() + args.seconds)

            def sample_memory() -> None:
                while not rec.stop.wait(1.0):
                    for pid in children(server.proc.pid):
                        rss = memory(pid).get("VmRSS")
                        if rss is not None:
                            samples[pid].append(rss)

            sampler = threading.Thread(target=sample_memory, daemon=True)
            sampler.start()
            cpu_before = {pid: cpu_seconds(pid) for pid in workers}
            own_before = time.process_time()
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=args.displays + args.editors) as pool:
                futures = [
                    pool.submit(
                        wall_display, rec, server.base, dep, outputs, args.refresh, i % args.status_every == 0, i
                    )
                    for i in range(args.displays)
                ]
                futures += [
                    pool.submit(editor, rec, server.base, obsids, args.think, 1000 + i) for i in range(args.editors)
                ]
                for future in futures:
                    try:
                        future.result(timeout=args.seconds + 120)
                    except Exception as err:  # a client thread crashed: count it as an error
                        rec._error("client", f"client: {type(err).__name__}: {err}")
            elapsed = time.monotonic() - started
            own_cpu = time.process_time() - own_before
            worker_cpu = sum(cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in children(server.proc.pid))
            rec.stop.set()
            sampler.join(5)
            after_workers = children(server.proc.pid)
            per_worker = {
                str(pid): {
                    **memory(pid),
                    "rss_max_sampled_mib": max(samples[pid]) if samples[pid] else None,
                }
                for pid in after_workers
            }
            after = revision_stats(revdb)
        finally:
            server.stop()
        error_log = instance / "logs" / "error.log"
        tracebacks = []
        if error_log.exists():
            text = error_log.read_text(errors="replace")
            if "Traceback" in text:
                tracebacks = [text[text.index("Traceback") - 300 :][:4000]]
    all_latency = [x for samples_ in rec.latency.values() for x in samples_]
    created = after["total"] - before["total"]
    result = {
        "backend": name,
        "workers": server.workers,
        "worker_pids_start": workers,
        "worker_pids_end": after_workers,
        "seconds": round(elapsed, 1),
        "displays": args.displays,
        "editors": args.editors,
        "refresh_s": args.refresh,
        "requests": rec.count,
        "requests_per_s": round(rec.count / elapsed, 1) if elapsed else None,
        "latency": _ms(all_latency),
        "by_kind": {kind: _ms(v) for kind, v in sorted(rec.latency.items())},
        "outcomes": dict(sorted(rec.outcomes.items())),
        "errors": sum(rec.errors.values()),
        "distinct_errors": dict(rec.errors),
        "worker_memory_mib": per_worker,
        "cpu_s": {"workers": round(worker_cpu, 1), "load_generator": round(own_cpu, 1), "cpus": os.cpu_count()},
        "loadavg_1min": {"start": load_before, "end": os.getloadavg()[0]},
        "revisions_created": created,
        "revisions_reported": len(rec.revisions),
        "duplicate_revision_numbers": after["duplicates"],
        "error_log_tracebacks": tracebacks,
    }
    report(result)
    return result


def report(r: dict[str, Any]) -> None:
    name = r["backend"]
    lat = r["latency"]
    print(
        f"[{name}] {r['requests']} requests in {r['seconds']} s = {r['requests_per_s']} req/s; "
        f"latency median {lat.get('median_ms')} ms, p95 {lat.get('p95_ms')} ms, max {lat.get('max_ms')} ms; "
        f"errors {r['errors']}"
    )
    for kind, figures in r["by_kind"].items():
        print(
            f"[{name}]   {kind:<16} n={figures['n']:<6} median {figures['median_ms']:>8} ms   "
            f"p95 {figures['p95_ms']:>8} ms   max {figures['max_ms']:>8} ms"
        )
    print(f"[{name}]   outcomes: {r['outcomes']}")
    cpu = r["cpu_s"]
    print(
        f"[{name}]   CPU during the run: workers {cpu['workers']} s, this load generator {cpu['load_generator']} s "
        f"({cpu['cpus']} CPUs x {r['seconds']} s available; machine load average {r['loadavg_1min']['start']:.1f} "
        f"at start, {r['loadavg_1min']['end']:.1f} at end)"
    )
    for pid, mem in r["worker_memory_mib"].items():
        print(
            f"[{name}]   worker {pid}: RSS {mem.get('VmRSS')} MiB (peak sampled {mem.get('rss_max_sampled_mib')}, "
            f"high-water {mem.get('VmHWM')} MiB)"
        )
    if r["worker_pids_start"] != r["worker_pids_end"]:
        print(f"[{name}]   workers changed during the run: {r['worker_pids_start']} -> {r['worker_pids_end']}")
    print(
        f"[{name}]   revisions created {r['revisions_created']} (201 answers listed {r['revisions_reported']}); "
        f"duplicate (obsid, revision_number): {r['duplicate_revision_numbers'] or 'none'}"
    )
    for message, n in r["distinct_errors"].items():
        print(f"[{name}]   ERROR x{n}: {message}")
    for tb in r["error_log_tracebacks"]:
        print(f"[{name}]   error.log:\n{tb}")


# ------------------------------------------------------------------------------------------------------ PostgreSQL


def postgres_up() -> bool:
    try:
        with socket.create_connection((HOST, 5432), timeout=1):
            return True
    except OSError:
        return False


def pg_admin(statement: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(statement)


# ------------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration per backend")
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--refresh", type=float, default=2.0, help="board refresh (180 s in production)")
    parser.add_argument("--status-every", type=int, default=5, help="every n-th display also reads /api/v1/status")
    parser.add_argument("--think", type=float, default=1.0, help="editor think time, s")
    parser.add_argument("--max-requests", type=int, default=50_000, help="hard cap per backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--out", default="bench-results/load.json")
    args = parser.parse_args(argv)
    args.seconds = min(args.seconds, 600.0)

    results = []
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "sqlite" in wanted:
        results.append(run_backend("sqlite", args, None))
    if "postgresql" in wanted:
        if postgres_up():
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            pg_admin(f"CREATE DATABASE {PG_DB}")
            try:
                results.append(run_backend("postgresql", args, PG_URL))
            finally:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        else:
            print("[postgresql] skipped: nothing answers on 127.0.0.1:5432")

    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=2, default=str))
    print(f"written {out.relative_to(ROOT)}")
    failed = [r["backend"] for r in results if r["errors"] or r["duplicate_revision_numbers"]]
    if failed:
        print("FAILED:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
