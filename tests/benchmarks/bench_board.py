"""Status board benchmark on a revision DB with 100k revisions of which 2,000 are open (SQLite file).

    python -m tests.benchmarks.bench_board [--revisions 100000] [--open 2000] [--repeat 15]

Figures (server time, measured by calling the data and shaping functions directly):
- board data after a change: one sign-off committed elsewhere, then `board_data(cache=True)` + `grid_rows`, what a
  refresh does when the token moved: the live board catches up from the events and re-shapes the one row
  (target < 50 ms); and the same with an unchanged token (a second reader, target < 50 ms);
- full read: `board_data` + `grid_rows` with nothing kept (a worker's first board, or a change the events do not
  explain); `board_frame` (the DataFrame the API and CSV use); the first read with a cold Ocat cache;
- no-change refresh: one `change_token` in a read-only transaction (target < 5 ms);
- page weight: bytes of the rowData JSON the refresh callback returns for all board rows (and gzipped), and the
  time to encode it as Dash does;
- one sign-off: `board_actions.perform` + commit (target < 50 ms).
Prints one line per figure and writes bench-results/bench_board.json.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dash._utils import to_json
from sqlalchemy import select

from callbacks import _grids_board as grids_mod
from callbacks._grids_board import grid_rows
from data.board.actions import perform
from data.board.rows import board_data, board_frame, change_token
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
        ocat_lookups.LOCAL.clear()
        t0 = time.perf_counter()
        with session_scope(sessions, readonly=True) as session:
            board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat)
        results["full_read_cold_ocat"] = ms([time.perf_counter() - t0])
        results["rows"] = len(board)
        results["open_rows"] = sum(board.column("is_open"))

        with session_scope(sessions, readonly=True) as session:
            demo = get_user(session, "demo")

        def shaped(board: Any) -> list[dict[str, Any]]:
            return grid_rows(board, user=demo, permissions=settings.permissions, tz=settings.timezone)

        # Full read: every row read and shaped (a worker's first board, or a change the events do not explain).
        full_t: list[float] = []
        for _ in range(args.repeat):
            grids_mod._BASE_ROWS.clear()
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat)
            rows = shaped(board)
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
        with session_scope(sessions, readonly=True) as session:
            targets = session.execute(
                select(Revision.obsid, Revision.revision_number)
                .join(Signoff, Signoff.revision_id == Revision.id)
                .where(Signoff.general_status == PENDING)
                .order_by(Revision.id)
                .limit(args.repeat * 2)
            ).all()
        with session_scope(sessions, readonly=True) as session:
            shaped(board_data(session, now=NOW, closed_window_h=36, ocat=ocat, cache=True))

        def sign_one(obsid: int, rev: int) -> None:
            with session_scope(sessions) as session:
                perform(session, f"{obsid}.{rev:03}", "general", "sign", identity=demo, expected=PENDING,
                        now=NOW + timedelta(seconds=1), settings=settings, ocat=ocat)  # fmt: skip

        live_t: list[float] = []
        sign_t: list[float] = []
        for obsid, rev in targets[: args.repeat]:
            t0 = time.perf_counter()
            sign_one(obsid, rev)
            t1 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat, cache=True)
            rows = shaped(board)
            live_t.append(time.perf_counter() - t1)
            sign_t.append(t1 - t0)
        results["board_data_after_a_change"] = ms(live_t)
        results["one_signoff"] = ms(sign_t) if sign_t else None

        cached_t: list[float] = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                board = board_data(session, now=NOW, closed_window_h=36, ocat=ocat, cache=True)
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

    targets = {"board_data_after_a_change": 50.0, "board_data_same_token": 50.0, "no_change_refresh": 5.0,
               "one_signoff": 50.0}  # fmt: skip
    return report(results, targets, args.out, width=28)


if __name__ == "__main__":
    main()
