"""Editor benchmark on a 100k-observation demo Ocat: `python -m tests.benchmarks.bench_editor [--rebuild]`.

Server-time figures, measured by calling the functions the editor's callbacks call:
  * load — `callbacks.editor.editor_data` for one obsid (Ocat read, approval, open revisions, OR list, form values);
    median over 30 random obsids; target < 150 ms;
  * validate — `data.parameters.validator.validate` of the whole form with one edited value (the live check); median;
    target < 30 ms;
  * confirm — `data.revisions.submission.plan_submission` with 50 extra obsids (the confirm step's dry run); median of 5;
    target < 1 s.
The demo Ocat is built once into bench-results/cache/ (git-ignored) and reused. Prints one line per figure and
writes bench-results/editor.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from callbacks.editor import editor_data
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.ocat import build_demo_ocat, demo_url
from data.demo.revisions import seed_users
from data.ocat.sources import SqlAlchemySource
from data.parameters.validator import ValidationContext, validate
from data.revisions.submission import SubmitRequest, plan_submission
from data.schema import upgrade
from data.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "bench-results" / "cache"
TARGETS_MS = {"load": 150.0, "validate": 30.0, "confirm": 1000.0}


def timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000.0


def demo_ocat(observations: int, seed: int, rebuild: bool) -> tuple[Path, Path, float | None]:
    """The cached demo Ocat (path, obs_ss, build seconds when built now)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path, obs_ss = CACHE / f"ocat_{observations}_{seed}.db", CACHE / f"obs_ss_{observations}_{seed}"
    done = CACHE / f"ocat_{observations}_{seed}.done"
    if rebuild or not (path.exists() and done.exists()):
        path.unlink(missing_ok=True)
        start = time.perf_counter()
        build_demo_ocat(path, observations=observations, seed=seed, obs_ss=obs_ss)
        built = time.perf_counter() - start
        done.write_text(json.dumps({"build_s": built}))
        return path, obs_ss, built
    return path, obs_ss, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--extras", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true", help="build the demo Ocat even if it is cached")
    args = parser.parse_args()

    path, obs_ss, built = demo_ocat(args.observations, args.seed, args.rebuild)
    print(
        f"demo Ocat: {args.observations} observations at {path.relative_to(ROOT)}"
        + (f" (built in {built:.1f} s)" if built is not None else " (cached; --rebuild to rebuild)")
    )
    source = SqlAlchemySource(demo_url(path))
    rng = random.Random(args.seed)
    rows = source.fetch("SELECT obsid, status FROM target", {})
    open_ids = sorted(int(r["obsid"]) for r in rows if r["status"] in ("unobserved", "scheduled", "untriggered"))

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({"instance_path": tmp, "obs_ss": str(obs_ss)}, environ={})
        url = f"sqlite:///{Path(tmp) / 'usint.db'}"
        upgrade(url)
        sessions = make_sessionmaker(make_engine(url))
        with session_scope(sessions) as session:
            seed_users(session)  # the demo users the editor acts as
        now = datetime.now(UTC)

        # load: the editor's load callback (warm the pool, the OR-list cache and the imports first)
        with session_scope(sessions) as session:
            editor_data(source, session, 12345, obs_ss)
        load_ms = []
        for obsid in rng.sample(open_ids, args.samples):
            with session_scope(sessions) as session:
                load_ms.append(timed(lambda o=obsid, s=session: editor_data(source, s, o, obs_ss)))

        # validate: the whole form with one edited value, as the live check sends it
        validate_ms = []
        for obsid in rng.sample(open_ids, args.samples):
            with session_scope(sessions) as session:
                data = editor_data(source, session, obsid, obs_ss)
            form = dict(data.form)
            form["y_det_offset"] = "3.5"
            context = ValidationContext(kind="norm", now=now)
            validate_ms.append(timed(lambda r=data.record, f=form, c=context: validate(r, f, c)))

        # confirm: plan_submission with 50 extra obsids (fresh Ocat read of 51 obsids, validation of each)
        confirm_ms, outcomes = [], {}
        for main in rng.sample(open_ids, 5):
            with session_scope(sessions) as session:
                data = editor_data(source, session, main, obs_ss)
            form = dict(data.form)
            form["y_det_offset"] = "3.5"
            extras = ", ".join(str(o) for o in rng.sample([o for o in open_ids if o != main], args.extras))
            with session_scope(sessions) as session:

                def plan(s: Any = session, m: int = main, f: dict = form, e: str = extras, d: Any = data) -> None:
                    ask = SubmitRequest(m, "norm", f, e, d.record)
                    result = plan_submission(s, source, ask, now=now, settings=settings)
                    assert not result.conflicts, result.conflicts
                    for extra in result.extras:
                        outcomes[extra.outcome] = outcomes.get(extra.outcome, 0) + 1

                confirm_ms.append(timed(plan))

    figures = {
        "load": statistics.median(load_ms),
        "validate": statistics.median(validate_ms),
        "confirm": statistics.median(confirm_ms),
    }
    results: dict[str, Any] = {
        "observations": args.observations,
        "build_s": None if built is None else round(built, 1),
        "samples": args.samples,
        "extra_obsids": args.extras,
        "load_ms": {
            "median": round(figures["load"], 2),
            "p90": round(sorted(load_ms)[int(0.9 * len(load_ms))], 2),
            "max": round(max(load_ms), 2),
            "target": TARGETS_MS["load"],
        },
        "validate_ms": {
            "median": round(figures["validate"], 2),
            "max": round(max(validate_ms), 2),
            "target": TARGETS_MS["validate"],
        },
        "confirm_ms": {
            "median": round(figures["confirm"], 2),
            "max": round(max(confirm_ms), 2),
            "runs": len(confirm_ms),
            "target": TARGETS_MS["confirm"],
            "extra_outcomes": outcomes,
        },
        "met": {k: figures[k] < TARGETS_MS[k] for k in TARGETS_MS},
    }
    print(
        f"load one obsid (editor_data): median {figures['load']:.1f} ms over {args.samples} obsids "
        f"(p90 {results['load_ms']['p90']:.1f}, max {max(load_ms):.1f}; target < {TARGETS_MS['load']:.0f} ms)"
    )
    print(
        f"validate one edit (whole form): median {figures['validate']:.2f} ms "
        f"(max {max(validate_ms):.2f}; target < {TARGETS_MS['validate']:.0f} ms)"
    )
    print(
        f"confirm with {args.extras} extra obsids (plan_submission): median {figures['confirm']:.0f} ms over "
        f"{len(confirm_ms)} runs (max {max(confirm_ms):.0f}; target < {TARGETS_MS['confirm']:.0f} ms); "
        f"extra outcomes {outcomes}"
    )
    out = ROOT / "bench-results" / "editor.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
