"""The demo: a demo Ocat with real targets, demo users, and demo revisions in every state."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from data import clock
from data.db import session_scope
from data.demo.ocat import DemoOcat, build_demo_ocat
from data.demo.revisions import DEMO_EMAIL_DOMAIN, seed_revisions, seed_users
from data.events import record
from data.models import Event, Revision, Schedule, User
from data.ocat.read import read_observations
from data.ocat.sources import make_source
from data.schedule import extend_horizon
from data.settings import Settings, SettingsError

DEFAULT_OBSERVATIONS = 300
DEFAULT_REVISIONS = 400
DEFAULT_OPEN = 40


@dataclass(frozen=True)
class DemoReport:
    observations: int
    revisions: int
    open_revisions: int
    seconds: float
    replaced: int = 0
    """Demo revisions that were in the revision DB before and were replaced."""


class DemoRefused(SettingsError):
    """The revision DB holds data the demo did not make: demo data is never seeded into it."""


@dataclass(frozen=True)
class Contents:
    """What the revision DB holds: revisions submitted by the demo users (demo data) and by anyone else."""

    demo: int
    other: int
    example: str | None
    """One obsid.rev of the others."""


def contents(session: Session) -> Contents:
    """Count demo and other revisions. Demo data is what the demo users (e-mail `@demo.usint.invalid`, a domain
    that cannot exist) submitted: the seeded revisions and those made while trying the demo."""
    demo_ids = select(User.id).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
    demo = session.scalar(select(func.count()).select_from(Revision).where(Revision.user_id.in_(demo_ids))) or 0
    total = session.scalar(select(func.count()).select_from(Revision)) or 0
    example = None
    if total > demo:
        first = session.execute(
            select(Revision.obsid, Revision.revision_number).where(Revision.user_id.not_in(demo_ids)).limit(1)
        ).first()
        example = f"{first[0]}.{first[1]:03}" if first else None
    return Contents(demo=demo, other=total - demo, example=example)


def refuse_unless_demo_only(found: Contents, database_url: str) -> None:
    """DemoRefused when the revision DB holds revisions the demo users did not submit."""
    if found.other:
        raise DemoRefused(
            f"the revision DB {make_url(database_url).render_as_string(hide_password=True)} holds {found.other} "
            f"revision(s) that are not demo data (e.g. {found.example}); demo data is never seeded into it. "
            "Use a new instance (USINT_INSTANCE_PATH) for the demo, or for this one set USINT_DEMO=0 and "
            "USINT_OCAT_URL to the real Ocat"
        )


def remove_demo_revisions(session: Session) -> int:
    """Delete the demo users' revisions (their sign-offs, originals and requests go with them) and the events
    about them; the number of revisions removed."""
    demo_ids = select(User.id).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}"))
    found = session.execute(select(Revision.obsid, Revision.revision_number).where(Revision.user_id.in_(demo_ids)))
    targets = [f"{obsid}.{number:03}" for obsid, number in found]
    for start in range(0, len(targets), 500):
        session.execute(delete(Event).where(Event.target.in_(targets[start : start + 500])))
    session.execute(delete(Revision).where(Revision.user_id.in_(demo_ids)))
    return len(targets)


_OBSERVATIONS_SQL = """
SELECT t.obsid, t.seq_nbr, t.instrument FROM target t
WHERE NOT (COALESCE(t.window_flag, 'N') IN ('Y', 'P')
           AND NOT EXISTS (SELECT 1 FROM timereq r WHERE r.obsid = t.obsid))
  AND NOT (COALESCE(t.roll_flag, 'N') IN ('Y', 'P')
           AND NOT EXISTS (SELECT 1 FROM rollreq r WHERE r.obsid = t.obsid))
  AND NOT (COALESCE(t.spwindow_flag, 'N') IN ('Y', 'P')
           AND NOT EXISTS (SELECT 1 FROM aciswin r WHERE r.obsid = t.obsid))
"""


def observations_of(ocat_url: str) -> dict[int, tuple[int, str | None]]:
    """obsid → (seq_nbr, instrument) of every observation of the demo Ocat (one query), but those whose time, roll
    or window flag is on without a rank row (fixture 1018): whatever the editor stores for them, v2.1's check page
    cannot show (it rebuilds the ranks from columns that are not there)."""
    engine = create_engine(ocat_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(_OBSERVATIONS_SQL))
            return {int(o): (int(s or 0), i) for o, s, i in rows}
    finally:
        engine.dispose()


def record_reader(ocat_url: str, obs_ss: Path) -> tuple[Any, Any]:
    """(reader, close) for `seed_revisions`: full Ocat records of a chunk of obsids, as the editor reads them."""
    source = make_source(ocat_url)

    def read(obsids: list[int]) -> Any:
        return read_observations(source, obsids, obs_ss=obs_ss)

    return read, getattr(source, "dispose", lambda: None)


def seed_duty_roster(session: Session, *, today: date, weeks_back: int = 5, weeks_assigned: int = 6) -> int:
    """Past and coming TOO duty weeks for the demo: TOO users take turns, a few weeks left TBD; idempotent."""

    if session.scalar(select(func.count()).select_from(Schedule)):
        return 0
    users = {u.username: u for u in session.scalars(select(User).where(User.groups.contains("too")))}
    turns = [users[name] for name in ("erin", "demo") if name in users] or [None]
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(weeks=weeks_back)
    rows = []
    for week in range(weeks_back + weeks_assigned):
        first = start + timedelta(weeks=week)
        user = None if week in (weeks_back + 2, weeks_back + 5) else turns[week % len(turns)]
        rows.append(
            Schedule(
                order_id=week,
                user_id=user.id if user else None,
                assigner_id=user.id if user else None,
                start=datetime.combine(first, datetime.min.time()),
                stop=datetime.combine(first + timedelta(days=6), datetime.min.time()),
            )
        )
    session.add_all(rows)
    session.flush()
    extend_horizon(session, today=today)
    return len(rows)


def seed_demo(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    observations: int = DEFAULT_OBSERVATIONS,
    revisions: int = DEFAULT_REVISIONS,
    open_revisions: int | None = DEFAULT_OPEN,
    seed: int = 0,
    now: datetime | None = None,
) -> DemoReport:
    """(Re)build the demo Ocat at `settings.ocat_url` and put demo users and `revisions` demo revisions in the
    revision DB, replacing the demo revisions it held. DemoRefused, before anything is written, when the revision
    DB holds revisions that are not demo data (`contents`)."""

    started = time.perf_counter()
    moment = now or clock.now()
    with session_scope(sessions, readonly=True) as session:
        refuse_unless_demo_only(contents(session), settings.database_url)
    built = build_demo_ocat(
        settings.ocat_url, observations=observations, seed=seed, obs_ss=settings.obs_ss, today=moment.date()
    )
    observations_found = observations_of(built.url)
    read, close = record_reader(built.url, settings.obs_ss)
    try:
        with sessions.begin() as session:
            refuse_unless_demo_only(contents(session), settings.database_url)  # again, in the writing transaction
            replaced = remove_demo_revisions(session)
            seed_users(session)
            report = seed_revisions(
                session,
                obsids=sorted((o, seq) for o, (seq, _i) in observations_found.items()),
                instruments={o: i for o, (_s, i) in observations_found.items()},
                count=revisions,
                seed=seed,
                now=moment,
                open_count=min(open_revisions, revisions) if open_revisions is not None else None,
                records=read,
            )
            seed_duty_roster(session, today=moment.date())
            record(
                session,
                user=None,
                action="demo.seed",
                target="demo",
                before={"revisions": replaced},
                after={
                    "observations": observations,
                    "revisions": report.revisions,
                    "seed": seed,
                    "today": moment.date().isoformat(),
                },
                now=moment,
            )
    finally:
        close()
    return DemoReport(
        observations=built.counts.get("target", len(observations_found)),
        revisions=report.revisions,
        open_revisions=report.open,
        seconds=time.perf_counter() - started,
        replaced=replaced,
    )


def rebuild_demo_ocat(settings: Settings, sessions: sessionmaker[Session]) -> DemoOcat:
    """Build the demo Ocat again as the last `demo.seed` made it (same observations, seed and day, so the same
    obsids and values), for demo revisions whose Ocat file went missing; no revision is added."""
    with session_scope(sessions, readonly=True) as session:
        last = session.scalar(select(Event).where(Event.action == "demo.seed").order_by(Event.id.desc()).limit(1))
    made = dict(last.after or {}) if last is not None else {}
    today = date.fromisoformat(made["today"]) if made.get("today") else clock.now().date()
    return build_demo_ocat(
        settings.ocat_url,
        observations=int(made.get("observations", DEFAULT_OBSERVATIONS)),
        seed=int(made.get("seed", 0)),
        obs_ss=settings.obs_ss,
        today=today,
    )
