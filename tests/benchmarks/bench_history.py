"""History and analytics benchmark on a revision DB with 100k revisions (SQLite file) and a demo Ocat.

    python -m tests.benchmarks.bench_history [--revisions 100000] [--observations 3000] [--repeat 7]

Figures (server time, measured by calling the data and figure functions directly):
- analytics data for one year: `data.analytics.compute` (revision DB + events + the instruments through
  `data.ocat.lookups`, kept 10 minutes + one `read_observations` for the positions of the 150 most recently revised
  obsids) (target < 300 ms), the same with no look-up kept yet (one batched `read_basic` of every obsid), the
  DB-only part (`revisions_frame` + aggregates) and the seven figures on top;
- one obsid's history with 30 revisions: `data.revisions.history.obsid_history` (revision DB, events, one Ocat read)
  (target < 100 ms) and the timeline figure on top.
Prints one line per figure and writes bench-results/history.json.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from callbacks._figures_history import timeline_figure
from callbacks.analytics import build_figures
from data import analytics
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.ocat import build_demo_ocat
from data.demo.revisions import seed_revisions, seed_users
from data.models import PENDING, Signoff
from data.ocat import lookups as ocat_lookups
from data.ocat.sources import make_source
from data.parameters.table import seed_parameters
from data.revisions.history import obsid_history
from data.revisions.signoffs import sign
from data.schema import upgrade
from data.settings import load_settings
from data.users import get_user
from tests.benchmarks._report import ms, report
from tests.factories import make_revision

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HISTORY_OBSID = 12345
HISTORY_REVISIONS = 30


def build(folder: Path, revisions: int, observations: int, permissions: Any) -> tuple[str, Any, Path]:
    url = f"sqlite:///{folder / 'usint.db'}"
    upgrade(url)
    demo = build_demo_ocat(folder / "ocat.db", observations=observations, obs_ss=folder / "obs_ss")
    ocat = make_source(demo.url)
    rows = ocat.fetch("SELECT obsid, seq_nbr FROM target", {})
    obsids = {int(r["obsid"]): int(r["seq_nbr"] or 0) for r in rows if int(r["obsid"]) != HISTORY_OBSID}
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            seed_parameters(session)
            seed_users(session)
            seed_revisions(session, obsids=obsids, count=revisions, now=NOW, seed=1)
        # 30 revisions of one obsid, each signed in the general column (an event each) a few hours later.
        for i in range(HISTORY_REVISIONS):
            with make_sessionmaker(engine).begin() as session:
                alice, bob = get_user(session, "alice"), get_user(session, "bob")
                at = NOW - timedelta(days=2 * (HISTORY_REVISIONS - i))
                rev = make_revision(
                    session,
                    HISTORY_OBSID,
                    user=alice,
                    now=at,
                    requests={"targname": f"Cas A {i}", "y_det_offset": float(i % 5)},
                )
                status = session.scalar(select(Signoff.general_status).where(Signoff.revision_id == rev.id))
                if status == PENDING and i < HISTORY_REVISIONS - 3:
                    sign(
                        session,
                        HISTORY_OBSID,
                        rev.revision_number,
                        "general",
                        user=bob,
                        expected=PENDING,
                        now=at + timedelta(hours=3 + i % 7),
                        permissions=permissions,
                    )
    finally:
        engine.dispose()
    return url, ocat, folder / "obs_ss"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--observations", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default="bench-results/history.json")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="bench-history-"))
    settings = load_settings({"instance_path": str(folder), "mail_suppress": True}, environ={})
    started = time.perf_counter()
    url, ocat, obs_ss = build(folder, args.revisions, args.observations, settings.permissions)
    results: dict[str, Any] = {
        "revisions": args.revisions,
        "observations": args.observations,
        "build_s": round(time.perf_counter() - started, 1),
    }
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    start, stop = NOW - timedelta(days=365), NOW
    zone = settings.timezone
    try:
        ocat_lookups.LOCAL.clear()
        t0 = time.perf_counter()
        with session_scope(sessions, readonly=True) as session:
            analytics.compute(session, ocat, start, stop, None, now=NOW, obs_ss=obs_ss)
        results["analytics_year_compute_cold_lookups"] = ms([time.perf_counter() - t0])
        compute_t: list[float] = []
        db_t: list[float] = []
        figures_t: list[float] = []
        data = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                data = analytics.compute(session, ocat, start, stop, None, now=NOW, obs_ss=obs_ss)
            t1 = time.perf_counter()
            build_figures(data, "bench", zone)
            t2 = time.perf_counter()
            compute_t.append(t1 - t0)
            figures_t.append(t2 - t0)
            t3 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                df = analytics.revisions_frame(session, start, stop)
            analytics.weekly_counts(df), analytics.turnaround(df), analytics.backlog(df, NOW, start=start)
            analytics.pending_by_age(df, NOW), analytics.counts_by(df, "user")
            db_t.append(time.perf_counter() - t3)
        assert data is not None
        results["analytics_year_rows"] = len(data.frame)
        results["analytics_year_obsids"] = int(data.frame["obsid"].nunique())
        results["analytics_year_sky_points"] = len(data.sky)
        results["analytics_year_compute"] = ms(compute_t)
        results["analytics_year_db_only"] = ms(db_t)
        results["analytics_year_compute_plus_figures"] = ms(figures_t)

        with session_scope(sessions, readonly=True) as session:
            filtered_t = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                analytics.compute(session, ocat, start, stop, ["ACIS-S"], now=NOW, obs_ss=obs_ss)
                filtered_t.append(time.perf_counter() - t0)
        results["analytics_year_compute_acis_s"] = ms(filtered_t)

        history_t: list[float] = []
        history_fig_t: list[float] = []
        view = None
        for _ in range(args.repeat * 3):
            t0 = time.perf_counter()
            with session_scope(sessions, readonly=True) as session:
                view = obsid_history(session, ocat, HISTORY_OBSID, now=NOW, obs_ss=obs_ss)
            t1 = time.perf_counter()
            timeline_figure(view, zone)
            t2 = time.perf_counter()
            history_t.append(t1 - t0)
            history_fig_t.append(t2 - t0)
        assert view is not None
        results["history_revisions"] = len(view.revisions)
        results["history_events"] = len(view.events)
        results["history_30"] = ms(history_t)
        results["history_30_plus_figure"] = ms(history_fig_t)
    finally:
        engine.dispose()

    targets = {"analytics_year_compute": 300.0, "history_30": 100.0}
    return report(results, targets, args.out, width=36)


if __name__ == "__main__":
    main()
