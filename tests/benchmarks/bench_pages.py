"""Server time of each page's first view at 100k revisions: the Dash Pages routing call, in process.

    python -m tests.benchmarks.bench_pages [--instance DIR [--database-url URL]] [--observations 3000]
                                           [--revisions 100000] [--repeat 7]

Seeds a fresh instance as the browser benchmark does (`usint demo seed` at --observations and --revisions, about
3 minutes) unless `--instance` names one already seeded (it is only read; its undo window is 36 hours from when it
was seeded). The app runs in this process, signed in as `demo`; each page's routing request
(POST /_dash-update-component for `_pages_location`, what a browser sends on opening the page; with the layout read
filled, it is most of the page's server work) is timed `--repeat` times after one warm-up call, which pays the
worker's first-use imports (pandas for the check and history pages). Prints per page the median beside the
150 ms target, its CPU time (this process: the steadier figure on a busy machine; SQLite works in process too), the
first call and the answer's size; writes bench-results/pages.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard import create_app
from tests.benchmarks._report import ms, report
from tests.benchmarks.bench_browser import PAGES, USER, seed_scale
from tests.factories import page_route_request

TARGET_MS = 150.0
HISTORY_OBSID = 12345


def newest_obsidrev(client: Any, obsid: int) -> str:
    """The newest revision of `obsid` (the check page's subject in the browser benchmark too)."""
    answer = client.get("/api/v1/revisions", query_string={"obsid": obsid})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    found = answer.get_json()
    listed = found.get("revisions", found) if isinstance(found, dict) else found
    names = [r["obsidrev"] if isinstance(r, dict) else str(r) for r in listed]
    return max(names, key=lambda n: int(n.split(".")[1]), default=f"{obsid}.001")


def time_page(client: Any, path: str, repeat: int) -> dict[str, Any]:
    """The first routing call (a worker's first view of the page) and the median of `repeat` more."""
    samples, cpu, size = [], [], 0
    for _ in range(repeat + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.post("/_dash-update-component", json=page_route_request(path))
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.get_data(as_text=True)[:300]}"
        size = len(answer.get_data())
    return {
        **ms(samples[1:]),
        "cpu_ms": round(statistics.median(cpu[1:]) * 1000, 1),
        "first_ms": round(samples[0] * 1000, 1),
        "kb": round(size / 1024, 1),
    }


def measure(instance: Path, repeat: int, database_url: str | None = None) -> dict[str, Any]:
    settings = {"instance_path": str(instance), "dev_user": USER}
    app = create_app({**settings, "database_url": database_url} if database_url else settings)
    client = app.server.test_client()
    context = {"obsidrev": newest_obsidrev(client, HISTORY_OBSID), "obsid": HISTORY_OBSID}
    results: dict[str, Any] = {"load_start": round(os.getloadavg()[0], 1)}
    for page in PAGES:
        path = page.path.format(**context)
        results[f"{page.name} {path}"] = time_page(client, path, repeat)
    results["load_end"] = round(os.getloadavg()[0], 1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", help="an instance seeded by `usint demo seed` (default: seed a fresh one)")
    parser.add_argument("--database-url", help="the revision DB of --instance when it is not its SQLite file")
    parser.add_argument("--observations", type=int, default=3000, help="demo Ocat size when seeding")
    parser.add_argument("--revisions", type=int, default=100_000, help="revisions when seeding")
    parser.add_argument("--repeat", type=int, default=7, help="timed routing calls per page (median)")
    parser.add_argument("--out", default="bench-results/pages.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="usint-pages-") as tmp:
        instance = Path(args.instance) if args.instance else Path(tmp) / "instance"
        if not args.instance:
            instance.mkdir()
            print(f"seeding {args.observations} observations, {args.revisions} revisions …", flush=True)
            print(f"seeded in {seed_scale(instance, args.observations, args.revisions):.0f} s", flush=True)
        results = measure(instance, args.repeat, args.database_url)
    targets = {k: TARGET_MS for k, v in results.items() if isinstance(v, dict)}
    report(results, targets, args.out, width=40)
    for key, value in results.items():
        if isinstance(value, dict):
            print(
                f"  {key:38s} CPU {value['cpu_ms']:7.1f} ms, first call {value['first_ms']:8.1f} ms, "
                f"answer {value['kb']:7.1f} KB"
            )
    over = [k for k, v in results.items() if isinstance(v, dict) and v["median_ms"] > TARGET_MS]
    print(
        f"over the {TARGET_MS:g} ms target: {', '.join(over) or 'none'} (load {results['load_start']}, {os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
