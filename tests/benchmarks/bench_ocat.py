"""Ocat read benchmark: `python -m tests.benchmarks.bench_ocat [--rebuild] [--observations N]`.

Builds (or reuses) a 100k-observation demo Ocat under tmp/bench/, then times one obsid's full record (median over
~50 random obsids) and 100 obsids in one call, with their round trips. Prints one line per figure and writes
bench-results/ocat.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from data.demo.ocat import build_demo_ocat, demo_url
from data.ocat.read import read_observation, read_observations
from data.ocat.sources import SqlAlchemySource

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="build the demo Ocat even if it exists")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    folder = ROOT / "tmp" / "bench"
    path, obs_ss, meta = (
        folder / f"ocat_{args.observations}.db",
        folder / "obs_ss",
        folder / f"ocat_{args.observations}.json",
    )
    results: dict[str, Any] = {"observations": args.observations}
    if args.rebuild or not path.exists() or not meta.exists():
        start = time.perf_counter()
        build_demo_ocat(path, observations=args.observations, seed=args.seed, obs_ss=obs_ss)
        build_s = time.perf_counter() - start
        meta.write_text(json.dumps({"build_s": build_s}))
        results |= {"build_s": round(build_s, 2), "build_reused": False}
    else:
        results |= {"build_s": round(json.loads(meta.read_text())["build_s"], 2), "build_reused": True}
    print(
        f"build {args.observations} observations: {results['build_s']:.2f} s"
        + (" (recorded earlier; --rebuild to rebuild)" if results["build_reused"] else "")
    )

    source = SqlAlchemySource(demo_url(path))
    obsids = [r["obsid"] for r in source.fetch("SELECT obsid FROM target", {})]
    rng = random.Random(args.seed)
    read_observation(source, 12345, obs_ss)  # warm the connection pool and caches

    times, trips = [], []
    for obsid in rng.sample(obsids, args.samples):
        source.round_trips = 0
        start = time.perf_counter()
        read_observation(source, obsid, obs_ss)
        times.append((time.perf_counter() - start) * 1000)
        trips.append(source.round_trips)
    results["one_obsid"] = {
        "samples": args.samples,
        "median_ms": round(statistics.median(times), 3),
        "max_ms": round(max(times), 3),
        "round_trips_median": statistics.median(trips),
        "round_trips_max": max(trips),
    }
    one = results["one_obsid"]
    print(
        f"one obsid, full record: median {one['median_ms']:.2f} ms (max {one['max_ms']:.2f} ms) over {args.samples}"
        f" random obsids; round trips median {one['round_trips_median']}, max {one['round_trips_max']}"
    )

    batch = rng.sample(obsids, 100)
    source.round_trips = 0
    start = time.perf_counter()
    records = read_observations(source, batch, obs_ss=obs_ss)
    elapsed = (time.perf_counter() - start) * 1000
    results["hundred_obsids"] = {"ms": round(elapsed, 2), "round_trips": source.round_trips, "records": len(records)}
    print(f"100 obsids in one call: {elapsed:.2f} ms, {source.round_trips} round trips, {len(records)} records")

    out = ROOT / "bench-results" / "ocat.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    source.dispose()


if __name__ == "__main__":
    main()
