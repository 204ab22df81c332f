"""Status board benchmark on a revision DB with 100k revisions of which 2,000 are open, on SQLite and PostgreSQL.

    python -m tests.benchmarks.bench_board [--revisions 100000] [--open 2000] [--repeat 15] [--backends sqlite,postgresql]

The seeded instance (SQLite file, demo Ocat, and for PostgreSQL a template database `usint_bench_seed_<revisions>`)
is kept in `--seeded` (default bench-results/seeded-board-<revisions>) and reused by the next run: each run works on a
copy (the SQLite file copied, PostgreSQL `CREATE DATABASE ... TEMPLATE`), so every run starts from the same data.
`--fresh` seeds again. PostgreSQL is measured when 127.0.0.1:5432 answers.

Figures (server time, measured by calling the data and shaping functions directly):
- full read: `board_data` with nothing kept (a worker's first board, or a change the `changes` rows do not explain;
  target <= 50 ms), also as CPU time (this process plus, for PostgreSQL, its backend: the steadier figure on a busy
  machine, the mean of the runs), and the same plus `grid_rows` (what the page's first fill does); `board_frame` (the DataFrame);
  the first read with a cold Ocat cache;
- board data after a change: one sign-off committed elsewhere, then `data.board.live.current` + `grid_rows`, what a
  refresh does when the token moved: the live board catches up from `changes` and re-shapes the one row
  (target < 50 ms); and the same with an unchanged token (a second reader, target < 50 ms);
- no-change refresh: one `change_token` in a read-only transaction (target < 5 ms);
- page weight: bytes of the rowData JSON the refresh callback returns for all board rows (and gzipped), and the
  time to encode it as Dash does;
- one sign-off: `board_actions.perform` + commit (target < 50 ms).
Prints one line per figure and writes bench-results/bench_board.<backend>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dash._utils import to_json
from sqlalchemy import func, select, text

from callbacks._grids_board import GridRowCache, grid_rows
from data.board.actions import perform
from data.board.frame import board_frame
from data.board.live import LiveBoards
from data.board.rows import board_data, change_token
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.ocat import build_demo_ocat
from data.demo.revisions import seed_revisions, seed_users
from data.models import PENDING, Revision, Signoff
from data.ocat import lookups as ocat_lookups
from data.ocat.sources import make_source
from data.parameters.table import seed_parameters
from data.schema import upgrade
from data.settings import load_settings
from data.users import get_user
from tests.benchmarks._report import ms, report

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_RUN = "usint_bench_board"


def seed(url: str, ocat: Any, revisions: int, n_open: int) -> None:
    """Upgrade the revision DB at `url` and seed users, parameters and `revisions` revisions over the Ocat's obsids."""
    upgrade(url)
    rows = ocat.fetch("SELECT obsid, seq_nbr FROM target", {})
    obsids = {int(r["obsid"]): int(r["seq_nbr"] or 0) for r in rows}
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            seed_parameters(session)
            seed_users(session)
            seed_revisions(session, obsids=obsids, count=revisions, now=NOW, open_count=n_open, seed=1)
    finally:
        engine.dispose()


def revision_count(url: str) -> int | None:
    """How many revisions the database at `url` holds; None when it cannot be read."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Revision)) or 0)
    except Exception:  # absent or not upgraded: seed again
        return None
    finally:
        engine.dispose()


def postgres_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 5432), timeout=1):
        return True
    return False


def pg_admin(*statements: str) -> None:
    engine = make_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def analyze(url: str) -> None:
    """Planner statistics for the freshly seeded database (autovacuum would gather them soon after a bulk load)."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


@contextlib.contextmanager
def seeded(folder: Path, backend: str, args: argparse.Namespace) -> Iterator[str]:
    """A copy of the seeded revision DB of `backend` (seeded first when missing or `--fresh`); its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    ocat_file = folder / "ocat.db"
    if args.fresh or not ocat_file.exists():
        ocat_file.unlink(missing_ok=True)
        build_demo_ocat(ocat_file, observations=args.observations, obs_ss=folder / "obs_ss")
    ocat = make_source(f"sqlite:///{ocat_file}")
    if backend == "sqlite":
        source = folder / "usint.db"
        if args.fresh or revision_count(f"sqlite:///{source}") != args.revisions:
            source.unlink(missing_ok=True)
            seed(f"sqlite:///{source}", ocat, args.revisions, args.open)
        with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
            shutil.copyfile(source, Path(tmp) / "usint.db")
            upgrade(f"sqlite:///{Path(tmp) / 'usint.db'}")  # migrations newer than the seeded file
            yield f"sqlite:///{Path(tmp) / 'usint.db'}"
        return
    template = f"usint_bench_seed_{folder.name.removeprefix('seeded-board-')}".replace("-", "_")
    if args.fresh or revision_count(f"{PG_SERVER}/{template}") != args.revisions:
        pg_admin(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)", f"CREATE DATABASE {template}")
        seed(f"{PG_SERVER}/{template}", ocat, args.revisions, args.open)
        analyze(f"{PG_SERVER}/{template}")
    pg_admin(f"DROP DATABASE IF EXISTS {PG_RUN} WITH (FORCE)", f"CREATE DATABASE {PG_RUN} TEMPLATE {template}")
    try:
        upgrade(f"{PG_SERVER}/{PG_RUN}")  # migrations newer than the template
        yield f"{PG_SERVER}/{PG_RUN}"
    finally:
        pg_admin(f"DROP DATABASE IF EXISTS {PG_RUN} WITH (FORCE)")


def server_cpu(session: Any) -> Any:
    """A function giving the CPU seconds the session's PostgreSQL backend has used (a local server's /proc), or 0
    for SQLite (which runs in this process): on a busy machine CPU time is the steadier figure."""
    if session.get_bind().dialect.name != "postgresql":
        return lambda: 0.0
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    stat = Path(f"/proc/{pid}/stat")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return used if stat.exists() else (lambda: 0.0)


def measure(url: str, ocat: Any, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure of the module docstring on the revision DB at `url`."""
    settings = load_settings({"instance_path": str(folder), "mail_suppress": True}, environ={})
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    results: dict[str, Any] = {}
    try:
        # Cold: first read fills the Ocat cache with one batched read_basic.
        ocat_lookups.LOCAL.clear()
        t0 = time.perf_counter()
        with session_scope(sessions, readonly=True) as session:
            board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat)
        results["full_read_cold_ocat"] = ms([time.perf_counter() - t0])
        results["rows"] = len(board)
        results["open_rows"] = sum(board.column("is_open"))

        with session_scope(sessions, readonly=True) as session:
            demo = get_user(session, "demo")

        kept = GridRowCache()  # as the app keeps one with its live boards

        def shaped(board: Any, cache: GridRowCache | None = kept) -> list[dict[str, Any]]:
            return grid_rows(board, user=demo, permissions=settings.permissions, tz=settings.timezone, cache=cache)

        # Full read: every row read and shaped (a worker's first board, or a change `changes` does not explain).
        full_t: list[float] = []
        cpu_s = 0.0
        for _ in range(args.repeat):
            with session_scope(sessions, readonly=True) as session:
                server = server_cpu(session)
                server_before, cpu_before, t0 = server(), time.process_time(), time.perf_counter()
                board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat)
                full_t.append(time.perf_counter() - t0)
                cpu_s += time.process_time() - cpu_before + server() - server_before
        results["full_read"] = ms(full_t)
        results["full_read_cpu"] = ms([cpu_s / args.repeat])
        full_t = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat)
            rows = shaped(board, None)  # nothing kept: every row formatted
            full_t.append(time.perf_counter() - t0)
        results["full_read_plus_rows"] = ms(full_t)

        frame_t: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board_frame(session, now=NOW, closed_window_h=36, user=demo, ocat=ocat)
            frame_t.append(time.perf_counter() - t0)
        results["board_frame_for_api"] = ms(frame_t)

        # The live board after one sign-off elsewhere: what a refresh does when the token moved.
        boards = LiveBoards()
        with session_scope(sessions, readonly=True) as session:
            targets = session.execute(
                select(Revision.obsid, Revision.revision_number)
                .join(Signoff, Signoff.revision_id == Revision.id)
                .where(Signoff.general_status == PENDING)
                .order_by(Revision.id)
                .limit(args.repeat * 2)
            ).all()
        with session_scope(sessions, readonly=True) as session:
            shaped(boards.current(session, now=NOW, closed_window_h=36, ocat=ocat))

        def sign_one(obsid: int, rev: int) -> None:
            with session_scope(sessions) as session:
                perform(
                    session,
                    f"{obsid}.{rev:03}",
                    "general",
                    "sign",
                    identity=demo,
                    expected=PENDING,
                    now=NOW + timedelta(seconds=1),
                    settings=settings,
                    ocat=ocat,
                )

        live_t: list[float] = []
        sign_t: list[float] = []
        for obsid, rev in targets[: args.repeat]:
            t0 = time.perf_counter()
            sign_one(obsid, rev)
            t1 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = boards.current(session, now=NOW, closed_window_h=36, ocat=ocat)
            rows = shaped(board)
            live_t.append(time.perf_counter() - t1)
            sign_t.append(t1 - t0)
        results["board_data_after_a_change"] = ms(live_t)
        results["one_signoff"] = ms(sign_t) if sign_t else None

        cached_t: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = boards.current(session, now=NOW, closed_window_h=36, ocat=ocat)
            shaped(board)
            cached_t.append(time.perf_counter() - t0)
        results["board_data_same_token"] = ms(cached_t)

        token_t: list[float] = []
        for _ in range(args.repeat * 10):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                change_token(session)
            token_t.append(time.perf_counter() - t0)
        results["no_change_refresh"] = ms(token_t)

        encode_t: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            payload = to_json(rows).encode()
            encode_t.append(time.perf_counter() - t0)
        results["rowdata_json_encode"] = ms(encode_t)
        results["page_weight_rowdata_bytes"] = len(payload)
        results["page_weight_rows"] = len(rows)
        results["page_weight_bytes_per_row"] = round(len(payload) / max(1, len(rows)), 1)
        results["page_weight_rowdata_gzip_bytes"] = len(gzip.compress(payload))
    finally:
        engine.dispose()
    return results


TARGETS_MS = {
    "full_read": 50.0,
    "full_read_cpu": 50.0,
    "board_data_after_a_change": 50.0,
    "board_data_same_token": 50.0,
    "no_change_refresh": 5.0,
    "one_signoff": 50.0,
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--observations", type=int, default=3_000, help="30: a dense history, 3,333 revisions each")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seeded", help="folder of the seeded instance (default bench-results/seeded-board-<n>)")
    parser.add_argument("--fresh", action="store_true", help="seed again even when a seeded instance exists")
    parser.add_argument("--out", default="bench-results/bench_board.json", help="one file per backend: .<backend>.json")
    args = parser.parse_args(argv)

    name = f"{args.revisions}" + (f"-{args.observations}" if args.observations != 3000 else "")
    folder = Path(args.seeded or f"bench-results/seeded-board-{name}").resolve()
    results: dict[str, Any] = {"revisions": args.revisions, "open": args.open, "observations": args.observations}
    for backend in (b.strip() for b in args.backends.split(",") if b.strip()):
        if backend == "postgresql" and not postgres_up():
            print("[postgresql] skipped: nothing answers on 127.0.0.1:5432")
            continue
        started = time.perf_counter()
        with seeded(folder, backend, args) as url:
            ready_s = round(time.perf_counter() - started, 1)
            ocat = make_source(f"sqlite:///{folder / 'ocat.db'}")
            figures = measure(url, ocat, folder, args)
        print(f"=== {backend} (seeded copy ready in {ready_s} s, seeded instance {folder})")
        report(figures, TARGETS_MS, Path(args.out).with_suffix(f".{backend}.json"), width=30)
        results[backend] = {"ready_s": ready_s, **figures}
    return results


if __name__ == "__main__":
    main()
