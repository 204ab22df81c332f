"""Analytics aggregates on a small hand-made set of revisions with known answers."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert, select, update

from data import analytics
from data.demo.revisions import seed_revisions
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED, Event, Revision, Signoff, User
from data.ocat.cache import LocalCache
from data.revisions.signoffs import undo_signoff
from tests.factories import make_revision, make_user

T0 = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=12)
H = timedelta(hours=1)
D = timedelta(days=1)


def _cols(signer, **cols):
    """All five columns: Not Required unless given as (status, hours-after-submission | None)."""
    out = {}
    for column in ("general", "acis", "acis_si", "hrc_si", "usint"):
        status, when = cols.get(column, (NOT_REQUIRED, None))
        out[column] = (status, signer if status in (SIGNED, DISCARD) else None, when)
    return out


def _reload_users(session):
    """make_revision expires the session after forcing sign-offs; the operation log's after-commit hook then reads
    `user.username` of queued lines during the next SAVEPOINT release, which fails on an expired user. Loading the
    users again keeps them fresh."""
    session.scalars(select(User)).all()


@pytest.fixture
def hand_made(session):
    made = {}

    def rev(obsid, kind, at, user="alice", **cols):
        bob = make_user(session, "bob", groups="arcops")
        resolved = {c: (s, None if h is None else at + h) for c, (s, h) in cols.items()}
        signoff = _cols(bob, **resolved) if kind in ("norm", "clone") else None
        submitter = make_user(session, user)
        made[obsid] = make_revision(session, obsid, kind, now=at, user=submitter, signoff=signoff)
        _reload_users(session)

    rev(900, "norm", T0 - 60 * D, general=(SIGNED, 2 * H), usint=(SIGNED, 3 * H))  # closed long before: not read
    rev(7, "norm", T0 - 30 * D, general=(SIGNED, 5 * H), usint=(PENDING, None))  # still open at start
    rev(1, "norm", T0, general=(SIGNED, 2 * H), usint=(SIGNED, 10 * H))
    rev(2, "norm", T0 + D, user="bob", general=(SIGNED, 4 * H), usint=(SIGNED, 20 * H))
    rev(3, "norm", T0 + 2 * D, general=(SIGNED, 6 * H), usint=(PENDING, None))
    rev(4, "asis", T0 + 8 * D)
    rev(5, "clone", T0 + 9 * D, general=(PENDING, None), usint=(PENDING, None))
    rev(6, "norm", T0 + 9 * D, general=(DISCARD, D), usint=(DISCARD, D))
    rev(800, "norm", NOW + D, general=(PENDING, None), usint=(PENDING, None))  # after stop: not read
    session.flush()
    return made


def frame(session):
    return analytics.revisions_frame(session, T0, NOW)


def test_revisions_frame_reads_the_range_and_revisions_still_open_at_its_start(session, hand_made):
    df = frame(session)
    assert sorted(df["obsid"]) == [1, 2, 3, 4, 5, 6, 7]
    assert df.set_index("obsid")["in_range"].to_dict() == {
        7: False,
        1: True,
        2: True,
        3: True,
        4: True,
        5: True,
        6: True,
    }
    states = df.set_index("obsid")["state"].to_dict()
    assert states == {7: "open", 1: "signed", 2: "signed", 3: "open", 4: "approved", 5: "open", 6: "discarded"}
    closed = df.set_index("obsid")["closed"]
    assert closed[1] == pd.Timestamp(T0 + 10 * H)
    assert pd.isna(closed[3])
    assert closed[4] == pd.Timestamp(T0 + 8 * D)


def test_weekly_counts_by_kind(session, hand_made):
    weeks = analytics.weekly_counts(frame(session))
    table = weeks.pivot(index="week", columns="kind", values="count")
    assert list(table.index) == [pd.Timestamp("2026-02-02", tz=UTC), pd.Timestamp("2026-02-09", tz=UTC)]
    assert table.loc[pd.Timestamp("2026-02-02", tz=UTC)].to_dict() == {"norm": 3, "asis": 0, "remove": 0, "clone": 0}
    assert table.loc[pd.Timestamp("2026-02-09", tz=UTC)].to_dict() == {"norm": 1, "asis": 1, "remove": 0, "clone": 1}


def test_turnaround_median_and_p90_per_column(session, hand_made):
    result = analytics.turnaround(frame(session)).set_index(["month", "column"])
    feb = pd.Timestamp("2026-02-01", tz=UTC)
    general = result.loc[(feb, "general")]
    assert general["n"] == 3
    assert general["median_h"] == pytest.approx(4.0)
    assert general["p90_h"] == pytest.approx(5.6)  # 2, 4, 6 h
    usint = result.loc[(feb, "usint")]
    assert usint["n"] == 2  # the asis revision's usint column, signed at submission, is no wait
    assert usint["median_h"] == pytest.approx(15.0)
    assert usint["p90_h"] == pytest.approx(19.0)  # 10, 20 h
    assert set(result.index.get_level_values("column")) == {"general", "usint"}


def test_backlog_counts_open_revisions_at_each_day_end(session, hand_made):
    series = analytics.backlog(frame(session), NOW, start=T0).set_index("at")["open"]
    at = lambda day: pd.Timestamp(day, tz=UTC)  # noqa: E731
    assert series[at("2026-02-03")] == 1  # only 7 (1 opened and closed on the 2nd)
    assert series[at("2026-02-04")] == 2  # 7 and 2 (submitted on the 3rd, closed on the 4th at 08:00)
    assert series[at("2026-02-05")] == 2  # 7 and 3
    assert series[at("2026-02-11")] == 2  # 7 and 3 (4 closed at once)
    assert series[at("2026-02-12")] == 4  # 7, 3, 5 and 6 (discarded on the 12th at 12:00)
    assert series.index[-1] == pd.Timestamp(NOW)
    assert series.iloc[-1] == 3  # 7, 3 and 5


def test_pending_by_age_buckets_each_pending_column(session, hand_made):
    ages = analytics.pending_by_age(frame(session), NOW)
    table = ages.pivot(index="bucket", columns="column", values="count")
    assert table.loc["> 4 weeks", "usint"] == 1  # 7: 42 days
    assert table.loc["1–2 weeks", "usint"] == 1  # 3: 10 days
    assert table.loc["3–7 days", "usint"] == 1  # 5: exactly 3 days
    assert table.loc["3–7 days", "general"] == 1
    assert int(table.to_numpy().sum()) == 4


def test_counts_by_instrument_and_submitter(session, hand_made):
    df = analytics.attach_instruments(
        frame(session), {1: {"instrument": "ACIS-S"}, 2: {"instrument": "HRC-I"}, 3: {"instrument": "ACIS-S"}}
    )
    inst = analytics.by_instrument(df).groupby("instrument")["count"].sum().to_dict()
    assert inst == {"ACIS-S": 2, "HRC-I": 1, "unknown": 3}
    users = analytics.by_submitter(df).groupby("user")["count"].sum().to_dict()
    assert users == {"alice": 5, "bob": 1}
    only_acis = analytics.filter_instruments(df, ["ACIS-S"])
    assert sorted(only_acis["obsid"]) == [1, 3]


def test_sky_points_keep_the_newest_revision_of_each_obsid_with_a_position(session, hand_made):
    make_revision(session, 3, "asis", now=T0 + 11 * D)
    _reload_users(session)
    targets = analytics.recent_targets(frame(session))
    assert targets.iloc[0]["obsidrev"] == "3.002"
    points = analytics.sky_points(targets, {3: {"ra": 10.0, "dec": -5.0, "targname": "Cas A"}, 1: {"ra": None}})
    assert list(points["obsid"]) == [3]
    assert points.iloc[0]["targname"] == "Cas A"


def test_events_frame_counts_actions_of_revisions(session, hand_made):
    bob = make_user(session, "bob")
    rev = make_revision(session, 11, "norm", now=NOW - H, signoff={"general": (SIGNED, bob, NOW - H / 2)})
    _reload_users(session)
    undo_signoff(session, rev.obsid, rev.revision_number, "general", user=bob, now=NOW - H / 4)
    events = analytics.events_frame(session, T0 - 90 * D, NOW)
    counts = analytics.action_counts(events).set_index("action")["count"].to_dict()
    assert counts["undo"] == 1
    assert counts["submit"] == 9  # 800 is after the range


def test_empty_range_gives_empty_tables(session):
    df = analytics.revisions_frame(session, T0, NOW)
    assert df.empty
    assert analytics.weekly_counts(df).empty
    assert analytics.turnaround(df).empty
    assert analytics.backlog(df, NOW).empty
    assert int(analytics.pending_by_age(df, NOW)["count"].sum()) == 0


def test_export_table_has_times_in_the_display_zone(session, hand_made):
    df = analytics.attach_instruments(frame(session), {})
    table = analytics.export_table(df, "America/New_York")
    row = table.set_index("obsidrev").loc["1.001"]
    assert row["time"] == "2026-02-02 07:00:00-0500"
    assert row["instrument"] == "unknown"


def test_kinds_and_statuses_outside_the_catalogue_come_through_as_stored(session, hand_made):
    """v2.1 data or SQL by hand may hold other text; the frame shows it as stored (the read codes known values)."""
    session.execute(update(Signoff).where(Signoff.revision_id == hand_made[1].id).values(acis_status="NA"))
    session.execute(update(Revision).where(Revision.id == hand_made[2].id).values(kind="Norm"))
    session.flush()
    df = frame(session).set_index("obsid")
    assert df.loc[1, "acis_status"] == "NA" and df.loc[1, "general_status"] == SIGNED
    assert df.loc[1, "state"] == "signed" and not df.loc[1, "is_open"]
    assert df.loc[2, "kind"] == "Norm" and df.loc[2, "state"] == "signed"
    assert df.loc[3, "kind"] == "norm" and df.loc[3, "is_open"]
    weeks = analytics.weekly_counts(df.reset_index())
    assert int(weeks["count"].sum()) == 5  # "Norm" is no kind of the figure


def test_positions_and_instruments_are_kept_like_the_boards_look_ups(session, ocat_source, obs_ss):
    """A second computation within the look-ups' lifetime reads nothing from the Ocat, and draws the same sky."""
    for i, obsid in enumerate((12345, 1001, 1002, 99999)):  # 99999: not in the Ocat (kept as unknown too)
        make_revision(session, obsid, "norm", now=T0 + i * H, user=make_user(session, "alice"))
        _reload_users(session)
    kept = LocalCache()
    first = analytics.compute(session, ocat_source, T0, NOW, now=NOW, obs_ss=obs_ss, lookups=kept)
    assert first.ocat_error is None and sorted(first.sky["obsid"]) == [1001, 1002, 12345]
    reads = ocat_source.round_trips
    again = analytics.compute(session, ocat_source, T0, NOW, now=NOW, obs_ss=obs_ss, lookups=kept)
    assert ocat_source.round_trips == reads
    pd.testing.assert_frame_equal(again.sky, first.sky)
    fresh = analytics.compute(session, ocat_source, T0, NOW, now=NOW, obs_ss=obs_ss, lookups=LocalCache())
    assert ocat_source.round_trips > reads
    pd.testing.assert_frame_equal(fresh.sky, first.sky)


ACTIONS = ("submit.norm", "submit.asis", "sign.general", "sign.usint", "discard.acis", "undo.general", "approve")
OTHER_ACTIONS = ("schedule.edit", "submit-token.issue")


def _seeded_events(session, n: int = 600) -> list[str]:
    """Demo revisions (seeded as the benchmarks do) and `n` events on them and on other targets, inside, at the
    edges of and outside [T0, NOW); returns the revisions' obsidrevs."""
    seed_revisions(session, obsids={o: 100 + o for o in range(1000, 1040)}, count=200, now=NOW, seed=3)
    revs = session.execute(select(Revision.obsid, Revision.revision_number)).all()
    targets = [f"{o}.{r:03d}" for o, r in revs]
    rng = random.Random(7)
    lo, hi = int(T0.timestamp()), int(NOW.timestamp())
    rows = []
    for i in range(n):
        action = rng.choice(ACTIONS + OTHER_ACTIONS)
        target = rng.choice(targets) if i % 10 else rng.choice(("2026-02", "schedule", "token"))
        at = rng.choice((lo, hi - 1, hi, lo - 1)) if i % 25 == 0 else rng.randint(lo - 20 * 86400, hi + 20 * 86400)
        rows.append({"time": at, "username": "alice", "action": action, "target": target, "before": {}, "after": {}})
    session.execute(insert(Event), rows)
    session.flush()
    return targets


def _counted_by_hand(session, targets=None) -> dict[str, int]:
    """Every event read back and counted in Python: the revision events of [T0, NOW) by action family."""
    lo, hi = int(T0.timestamp()), int(NOW.timestamp())
    return dict(
        Counter(
            e.action.split(".")[0]
            for e in session.scalars(select(Event))
            if lo <= e.time < hi
            and "." in e.target
            and not e.action.startswith(("schedule", "submit-token"))
            and (targets is None or e.target in targets)
        )
    )


def test_action_totals_counted_by_the_database_match_a_count_by_hand(session):
    """#14: the page counts the audit trail with GROUP BY; the answer is the frame's (SQLite and PostgreSQL)."""
    targets = _seeded_events(session)
    totals = analytics.action_totals(session, T0, NOW)
    by_hand = _counted_by_hand(session)
    assert set(by_hand) == {"submit", "sign", "discard", "undo", "approve"}
    assert dict(zip(totals["action"], totals["count"], strict=True)) == by_hand
    assert list(totals["count"]) == sorted(totals["count"], reverse=True)
    framed = analytics.action_counts(analytics.events_frame(session, T0, NOW))
    assert dict(zip(framed["action"], framed["count"], strict=True)) == by_hand
    some = set(targets[::3])
    only = analytics.action_totals(session, T0, NOW, some)
    assert dict(zip(only["action"], only["count"], strict=True)) == _counted_by_hand(session, some)
    assert sum(only["count"]) < sum(totals["count"])
    empty = analytics.action_totals(session, T0, NOW, set())
    assert empty.empty and list(empty.columns) == ["action", "count"]


def _same_data(a: analytics.AnalyticsData, b: analytics.AnalyticsData) -> None:
    for name in ("frame", "weekly", "turnaround", "backlog", "ages", "by_instrument", "by_submitter", "sky", "actions"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


def test_kept_frames_follow_the_changes_table_and_equal_a_fresh_read(session):
    """#14: the page's frame is kept per range and brought up to date from the `changes` rows (by obsid), as the
    live board is; after sign-offs, a discard, a new revision and a kind changed by SQL it equals a fresh read, and
    so does every aggregate (SQLite and PostgreSQL triggers)."""
    seed_revisions(session, obsids={o: 100 + o for o in range(2000, 2060)}, count=400, now=NOW, seed=5)
    start, stop = NOW - 200 * D, NOW + D
    kept = analytics.KeptFrames()
    first = kept.frame(session, start, stop)
    pd.testing.assert_frame_equal(first, analytics.revisions_frame(session, start, stop))
    assert kept.frame(session, start, stop) is first and kept.full_reads == 1
    open_ids = session.scalars(select(Signoff.revision_id).where(Signoff.general_status == PENDING)).all()
    old = session.scalar(select(Revision.id).where(Revision.time < int(start.timestamp())).limit(1))
    session.execute(update(Signoff).where(Signoff.revision_id == open_ids[0]).values(general_status=SIGNED))
    session.execute(
        update(Signoff)
        .where(Signoff.revision_id == open_ids[1])
        .values(general_status=DISCARD, general_time=int(NOW.timestamp()))
    )
    session.execute(update(Revision).where(Revision.id == old).values(kind="clone"))
    make_revision(session, 2001, "norm", now=NOW - H, user=make_user(session, "alice"))
    _reload_users(session)
    session.flush()
    caught_up = kept.frame(session, start, stop)
    assert kept.full_reads == 1 and caught_up is not first
    pd.testing.assert_frame_equal(caught_up, analytics.revisions_frame(session, start, stop))
    assert len(caught_up) == len(first) + 1
    fresh = analytics.compute(session, None, start, stop, now=NOW, obs_ss="")
    _same_data(analytics.compute(session, None, start, stop, now=NOW, obs_ss="", frames=kept), fresh)
