"""Submit benchmark: 8 threads × 50 revisions on the same 10 obsids (SQLite file and PostgreSQL), then the
median sign-off time on a DB seeded with 100k revisions / 2,000 open.

    python -m tests.benchmarks.bench_submit [--threads 8] [--per-thread 50] [--revisions 100000]

Prints one line per figure and writes bench-results/submit.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.revisions import seed_revisions, seed_users
from data.models import Revision
from data.revisions.signoffs import sign
from data.revisions.store import create_revision, open_revisions
from data.schema import upgrade
from data.settings import DEFAULT_PERMISSIONS
from tests.fixtures.revdb import create_pg_database, drop_pg_database

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
OBSIDS = tuple(range(40_000, 40_010))


@dataclass
class HammerResult:
    backend: str
    threads: int
    submitted: int
    stored: int
    duplicates: int
    losses: int
    gaps: int
    errors: int
    seconds: float
    error_samples: tuple[str, ...] = ()

    @property
    def per_second(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def hammer(
    sessions: sessionmaker[Session], *, threads: int = 8, per_thread: int = 50, obsids: tuple[int, ...] = OBSIDS
) -> HammerResult:
    """Each thread submits `per_thread` revisions round-robin over `obsids`, one transaction each."""
    with session_scope(sessions) as s:
        users = seed_users(s)
        user = users["alice"]
    now = datetime.now(UTC)
    returned: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def work(k: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            try:
                with session_scope(sessions) as s:
                    rev = create_revision(
                        s,
                        obsids[(k + i) % len(obsids)],
                        kind="norm",
                        sequence_number=500_000,
                        originals={"comments": "before"},
                        requests={"comments": f"thread {k} #{i}"},
                        notes=None,
                        user=user,
                        now=now,
                    )
                    obsidrev = rev.obsidrev
                with lock:
                    returned.append(obsidrev)
            except Exception as exc:  # counted and reported, never hidden
                with lock:
                    errors.append(exc)

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    seconds = time.perf_counter() - started
    with session_scope(sessions, readonly=True) as s:
        stored = s.execute(select(Revision.obsid, Revision.revision_number).where(Revision.obsid.in_(obsids))).all()
    pairs = Counter((o, n) for o, n in stored)
    gaps = 0
    for obsid in obsids:
        numbers = sorted(n for o, n in pairs if o == obsid)
        gaps += len(set(range(1, len(numbers) + 1)) ^ set(numbers))
    return HammerResult(
        backend=sessions.kw["bind"].dialect.name,
        threads=threads,
        submitted=threads * per_thread,
        stored=len(stored),
        duplicates=sum(c - 1 for c in pairs.values()) + (len(returned) - len(set(returned))),
        losses=len(set(returned) - {f"{o}.{n:03}" for o, n in pairs}) + (threads * per_thread - len(returned)),
        gaps=gaps,
        errors=len(errors),
        seconds=seconds,
        error_samples=tuple(sorted({f"{type(e).__name__}: {str(e)[:200]}" for e in errors}))[:5],
    )


def _pg_url() -> str | None:
    url = os.environ.get("USINT_TEST_DATABASE_URL") or DEFAULT_PG
    try:
        eng = make_engine(url, pool_pre_ping=False)
        with eng.connect():
            pass
        eng.dispose()
        return url
    except Exception:
        return None


def _fresh(backend: str, tmp: Path) -> tuple[Engine, str | None]:
    """A migrated empty DB; for PostgreSQL a scratch database (returned so it can be dropped)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        if (tmp / "bench.db").exists():
            for f in tmp.glob("bench.db*"):
                f.unlink()
        upgrade(url)
        return make_engine(url), None
    url = create_pg_database(_pg_url() or DEFAULT_PG, prefix="usint_bench")
    upgrade(url)
    return make_engine(url), url


def signoff_median(sessions: sessionmaker[Session], *, revisions: int, samples: int = 50) -> dict[str, float]:
    """Seed `revisions` (2 % open) and time `sign()` of one Pending column, one transaction each."""
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    with session_scope(sessions) as s:
        report = seed_revisions(
            s, obsids={o: 500_000 + o for o in range(10_000, 12_000)}, count=revisions, seed=7, now=now
        )
    seed_s = time.perf_counter() - t0
    with session_scope(sessions, readonly=True) as s:
        targets = [(v.obsid, v.revision_number, c) for v in open_revisions(s) for c in v.pending if c != "usint"][
            :samples
        ]
        t1 = time.perf_counter()
        board = len(open_revisions(s))
        board_s = time.perf_counter() - t1
    timings = []
    with session_scope(sessions) as s:
        demo = seed_users(s)["demo"]
    for obsid, rev, column in targets:
        t = time.perf_counter()
        with session_scope(sessions) as s:
            sign(s, obsid, rev, column, user=demo, now=now + timedelta(seconds=1), permissions=DEFAULT_PERMISSIONS)
        timings.append(time.perf_counter() - t)
    return {
        "revisions": report.revisions,
        "open": report.open,
        "seed_s": round(seed_s, 2),
        "open_revisions_query_s": round(board_s, 3),
        "open_revisions": board,
        "signoff_samples": len(timings),
        "signoff_median_ms": round(statistics.median(timings) * 1000, 2) if timings else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=50)
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--out", default="bench-results/submit.json")
    args = parser.parse_args()

    backends = ["sqlite"] + (["postgresql"] if _pg_url() else [])
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            engine, scratch = _fresh(backend, Path(tmp))
            try:
                sessions = make_sessionmaker(engine)
                h = hammer(sessions, threads=args.threads, per_thread=args.per_thread)
                print(
                    f"{backend:10s} submit: {h.stored}/{h.submitted} revisions by {h.threads} threads in "
                    f"{h.seconds:.2f} s = {h.per_second:.0f}/s; duplicates {h.duplicates}, losses {h.losses}, "
                    f"gaps {h.gaps}, errors {h.errors}"
                )
                engine.dispose()
                engine, scratch2 = _fresh(backend, Path(tmp)) if backend == "sqlite" else (engine, None)
                sessions = make_sessionmaker(engine)
                s = signoff_median(sessions, revisions=args.revisions)
                print(
                    f"{backend:10s} sign-off: median {s['signoff_median_ms']} ms over {s['signoff_samples']} on "
                    f"{s['revisions']} revisions / {s['open']} open (seeded in {s['seed_s']} s; open_revisions "
                    f"{s['open_revisions_query_s']} s)"
                )
                results[backend] = {"submit": {**asdict(h), "per_second": round(h.per_second, 1)}, "signoff": s}
            finally:
                engine.dispose()
                if scratch:
                    drop_pg_database(scratch)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"when": datetime.now(UTC).isoformat(), "results": results}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
