"""Status board benchmark on a revision DB with 100k revisions of which 2,000 are open (SQLite file).

    python -m tests.benchmarks.bench_board [--revisions 100000] [--open 2000] [--repeat 15]

Figures (server time, measured by calling the data and shaping functions directly):
- board data: `board_frame` (Ocat basics warm in the in-process cache) and `board_frame` + `grid_rows` (target < 50 ms),
  and `board_frame(cache=True)` when the change token has not moved (a second reader between two changes);
- board data, cold Ocat: the first read, with one batched `read_basic` against the demo Ocat;
- no-change refresh: one `change_token` in a read-only transaction (target < 5 ms);
- page weight: bytes of the rowData JSON the refresh callback returns for all board rows;
- one sign-off: `board_actions.perform` + commit (target < 50 ms).
Prints one line per figure and writes bench-results/bench_board.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from callbacks._grids_board import grid_rows
from data import board as board_mod
from data.board import board_frame, change_token
from data.board_actions import perform
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo_ocat import build_demo_ocat
from data.demo_revisions import seed_revisions, seed_users
from data.models import PENDING, Revision, Signoff
from data.ocat_sources import make_source
from data.parameters import seed_parameters
from data.schema import upgrade
from data.settings import load_settings
from data.users import get_user
from tests.benchmarks._report import ms, report

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def build(folder: Path, revisions: int, n_open: int, observations: int) -> tuple[str, Any, list[int]]:
    url = f"sqlite:///{folder / 'usint.db'}"
    upgrade(url)
    demo = build_demo_ocat(folder / "ocat.db", observations=observations, obs_ss=folder / "obs_ss")
    ocat = make_source(demo.url)
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
    return url, ocat, sorted(obsids)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--observations", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", default="bench-results/bench_board.json")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-board-"))
    started = time.perf_counter()
    url, ocat, _obsids = build(folder, args.revisions, args.open, args.observations)
    build_s = time.perf_counter() - started
    settings = load_settings({"instance_path": str(folder), "mail_suppress": True}, environ={})
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    results: dict[str, Any] = {
        "revisions": args.revisions,
        "open": args.open,
        "observations": args.observations,
        "build_s": round(build_s, 1),
    }
    try:
        # Cold: first read fills the Ocat cache with one batched read_basic.
        board_mod._OCAT_CACHE.clear()
        t0 = time.perf_counter()
        with session_scope(sessions, readonly=True) as session:
            frame = board_frame(session, now=NOW, closed_window_h=36, ocat=ocat)
        results["board_frame_cold_ocat"] = ms([time.perf_counter() - t0])
        results["rows"] = len(frame)
        results["open_rows"] = int(frame["is_open"].sum())

        with session_scope(sessions, readonly=True) as session:
            demo = get_user(session, "demo")
        frame_t: list[float] = []
        full_t: list[float] = []
        rows: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                frame = board_frame(session, now=NOW, closed_window_h=36, user=demo, ocat=ocat)
            t1 = time.perf_counter()
            rows = grid_rows(frame, user=demo, permissions=settings.permissions, tz=settings.timezone)
            t2 = time.perf_counter()
            frame_t.append(t1 - t0)
            full_t.append(t2 - t0)
        results["board_frame"] = ms(frame_t)
        results["board_frame_plus_rows"] = ms(full_t)

        cached_t: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                frame = board_frame(session, now=NOW, closed_window_h=36, user=demo, ocat=ocat, cache=True)
            cached_t.append(time.perf_counter() - t0)
        results["board_frame_cached_same_token"] = ms(cached_t[1:] or cached_t)

        token_t: list[float] = []
        for _ in range(args.repeat * 10):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                change_token(session)
            token_t.append(time.perf_counter() - t0)
        results["no_change_refresh"] = ms(token_t)

        payload = json.dumps(rows, separators=(",", ":"), default=str).encode()
        results["page_weight_rowdata_bytes"] = len(payload)
        results["page_weight_rows"] = len(rows)
        results["page_weight_bytes_per_row"] = round(len(payload) / max(1, len(rows)), 1)

        # One sign-off: the general column of open revisions where it is Pending, one transaction each.
        with session_scope(sessions, readonly=True) as session:
            targets = session.execute(
                select(Revision.obsid, Revision.revision_number)
                .join(Signoff, Signoff.revision_id == Revision.id)
                .where(Signoff.general_status == PENDING)
                .limit(args.repeat)
            ).all()
        sign_t: list[float] = []
        for obsid, rev in targets:
            t0 = time.perf_counter()
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
            sign_t.append(time.perf_counter() - t0)
        results["one_signoff"] = ms(sign_t) if sign_t else None
    finally:
        engine.dispose()

    targets = {"board_frame_plus_rows": 50.0, "board_frame_cached_same_token": 50.0, "no_change_refresh": 5.0,
               "one_signoff": 50.0}  # fmt: skip
    return report(results, targets, args.out, width=28)


if __name__ == "__main__":
    main()
