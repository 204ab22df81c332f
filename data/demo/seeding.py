"""The demo: a demo Ocat with real targets, demo users, and demo revisions in every state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from data.demo.ocat import build_demo_ocat
from data.demo.revisions import seed_revisions, seed_users
from data.settings import Settings

DEFAULT_OBSERVATIONS = 300
DEFAULT_REVISIONS = 400
DEFAULT_OPEN = 40


@dataclass(frozen=True)
class DemoReport:
    observations: int
    revisions: int
    open_revisions: int
    seconds: float


def observations_of(ocat_url: str) -> dict[int, tuple[int, str | None]]:
    """obsid → (seq_nbr, instrument) of every observation of the demo Ocat (one query)."""
    engine = create_engine(ocat_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select obsid, seq_nbr, instrument from target"))
            return {int(o): (int(s or 0), i) for o, s, i in rows}
    finally:
        engine.dispose()


def seed_duty_roster(session: Session, *, today: date, weeks_back: int = 5, weeks_assigned: int = 6) -> int:
    """Past and coming TOO duty weeks for the demo: TOO users take turns, a few weeks left TBD; idempotent."""
    from sqlalchemy import func, select

    from data.models import Schedule, User
    from data.schedule import extend_horizon

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
    """(Re)build the demo Ocat at `settings.ocat_url` and add demo users and `revisions` revisions."""
    import time

    from data import clock

    started = time.perf_counter()
    moment = now or clock.now()
    built = build_demo_ocat(
        settings.ocat_url, observations=observations, seed=seed, obs_ss=settings.obs_ss, today=moment.date()
    )
    observations_found = observations_of(built.url)
    with sessions.begin() as session:
        seed_users(session)
        report = seed_revisions(
            session,
            obsids=sorted((o, seq) for o, (seq, _i) in observations_found.items()),
            instruments={o: i for o, (_s, i) in observations_found.items()},
            count=revisions,
            seed=seed,
            now=moment,
            open_count=min(open_revisions, revisions) if open_revisions is not None else None,
        )
        seed_duty_roster(session, today=moment.date())
    return DemoReport(
        observations=built.counts.get("target", len(observations_found)),
        revisions=getattr(report, "revisions", revisions),
        open_revisions=getattr(report, "open", 0),
        seconds=time.perf_counter() - started,
    )
