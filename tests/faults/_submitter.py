"""A worker that submits revisions in a loop until it is killed: `python -m tests.faults._submitter DB_URL INSTANCE`.

Each submission changes one of the known sets in `INTENTS` of obsid 12345 through `data.revisions.submission.submit` in one
transaction, commits, and prints the obsid.rev (flushed), so the test can kill it at any moment.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

from sqlalchemy import select

from data import clock
from data.db import make_engine, make_sessionmaker, session_scope
from data.models import User
from data.ocat.sources import make_source
from data.revisions.submission import SubmitRequest, submit
from data.settings import load_settings

OBSID = 12345
INTENTS: dict[float, dict[str, Any]] = {
    0.5: {"y_det_offset": 0.5},
    0.75: {"y_det_offset": 0.75, "z_det_offset": 0.25},
    1.25: {"y_det_offset": 1.25, "z_det_offset": -0.5, "remarks": "fault test: killed worker"},
}
"""Keyed by the requested y_det_offset, which tells the test which set a stored revision meant to write."""


def main(database_url: str, instance: str) -> None:
    settings = load_settings(
        {"instance_path": instance, "database_url": database_url, "mail_suppress": True}, environ={}
    )
    sessions = make_sessionmaker(make_engine(database_url))
    source = make_source(settings.ocat_url)
    print("ready", flush=True)
    for i in itertools.count():
        changes = list(INTENTS.values())[i % len(INTENTS)]
        with session_scope(sessions) as session:
            user = session.scalar(select(User).where(User.username == "demo"))
            ask = SubmitRequest(OBSID, "norm", changes)
            result = submit(session, source, ask, user=user, now=clock.now(), settings=settings)
        print(" ".join(result.revisions), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
