"""A worker killed with SIGKILL in the middle of submissions: every revision is whole or absent, numbering goes on.

A real subprocess (tests/faults/_submitter.py) opens the revision DB (the demo instance's SQLite file, and a
PostgreSQL database when USINT_TEST_DATABASE_URL is set) and submits known change sets in a loop; the test kills
it at random moments several times, then checks every revision written: its sign-off row, its requests exactly
the intended set, its originals as complete as a revision written undisturbed, its submit event and outbox row,
no orphan rows, consecutive numbers, and that the next submission gets max+1.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from data import clock
from data.db import make_engine, make_sessionmaker, session_scope
from data.demo.revisions import seed_users
from data.models import Event, Original, Outbox, Parameter, Request, Revision, Signoff, User
from data.ocat.sources import make_source
from data.parameters.table import seed_parameters
from data.revisions.store import decode_value
from data.revisions.submission import SubmitRequest, submit
from data.schema import upgrade
from data.settings import load_settings
from tests.faults._submitter import INTENTS, OBSID
from tests.faults.conftest import assert_consistent

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6


def _run_and_kill(database_url: str, instance: str, rng: random.Random) -> int:
    """Start the submitter, let it write for a random while, SIGKILL it; returns how many it reported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults._submitter", database_url, instance],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.15, 0.9))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, err[-2000:]
    return len([line for line in out.splitlines() if line.strip()])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, settings: dict[str, Any]) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{Path(settings['instance_path']) / 'usint.db'}"
    url = request.getfixturevalue("pg_database")
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            seed_parameters(session)
            seed_users(session)
    finally:
        engine.dispose()
    return url


def test_sigkilled_submitter_leaves_whole_revisions_only(database_url: str, settings: dict[str, Any]) -> None:
    instance = settings["instance_path"]
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    try:
        with session_scope(sessions) as s:
            base_id = s.scalar(select(func.coalesce(func.max(Revision.id), 0)))
            base_max = s.scalar(
                select(func.coalesce(func.max(Revision.revision_number), 0)).where(Revision.obsid == OBSID)
            )

        rng = random.Random(20240611)
        reported = sum(_run_and_kill(database_url, instance, rng) for _ in range(ROUNDS))
        assert reported >= ROUNDS, "the worker wrote something between kills"

        assert_consistent(engine)
        with session_scope(sessions) as s:
            new = list(s.scalars(select(Revision).where(Revision.id > base_id).order_by(Revision.id)))
            assert len(new) >= reported  # a commit may land just before the kill, its print after
            assert [r.revision_number for r in new] == list(range(base_max + 1, base_max + 1 + len(new)))
            assert all(r.obsid == OBSID for r in new)
            originals_per_rev = set()
            for rev in new:
                rows = s.execute(
                    select(Parameter.name, Request.value).join(Request).where(Request.revision_id == rev.id)
                ).all()
                requests = {name: value for name, value in rows}
                intent = INTENTS[decode_value(requests["y_det_offset"])]
                assert set(requests) == set(intent), (rev.obsidrev, sorted(requests))
                assert {k: decode_value(v) for k, v in requests.items()} == intent
                originals_per_rev.add(s.scalar(select(func.count()).where(Original.revision_id == rev.id)))
                signoff = s.get(Signoff, rev.id) or s.scalar(select(Signoff).where(Signoff.revision_id == rev.id))
                assert signoff is not None and signoff.general_status == "Pending"
                assert s.scalar(select(func.count()).where(Event.action == "submit", Event.target == rev.obsidrev)) == 1
                assert s.scalar(select(func.count()).where(Outbox.obsidrevs == rev.obsidrev)) >= 1
            assert len(originals_per_rev) == 1 and originals_per_rev.pop() > 20  # every revision has all originals

        # The next submission continues the numbering.
        conf = load_settings(
            {"instance_path": instance, "database_url": database_url, "mail_suppress": True}, environ={}
        )
        with session_scope(sessions) as s:
            user = s.scalar(select(User).where(User.username == "demo"))
            ask = SubmitRequest(OBSID, "norm", {"y_det_offset": 0.5})
            result = submit(s, make_source(conf.ocat_url), ask, user=user, now=clock.now(), settings=conf)
        assert result.revisions == [f"{OBSID}.{base_max + len(new) + 1:03}"]
        assert_consistent(engine)
    finally:
        engine.dispose()
