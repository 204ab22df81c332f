"""The demo Ocat: real table/column names, deterministic content, a realistic mix, fixture obsids, speed."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from data.demo.ocat import FIXTURE_OBSIDS, TABLES, build_demo_ocat, sybase_date
from data.ocat.obs_files import or_list, planned_rolls
from data.ocat.read import ACIS_COLUMNS, TARGET_COLUMNS
from data.ocat.sources import SqlAlchemySource
from data.parameters.values import parse_ocat_date

SYBASE = re.compile(r"^[A-Z][a-z]{2} [ 123]\d \d{4} [ 1]\d:\d\d[AP]M$")


def dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


@pytest.fixture(scope="module")
def mid_ocat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("mid")
    build_demo_ocat(folder / "ocat.db", observations=3000, seed=3, obs_ss=folder / "obs_ss", today=date(2026, 3, 2))
    return folder / "ocat.db", folder / "obs_ss"


def column_values(path: Path, sql: str) -> list:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute(sql)]


def test_real_ocat_table_and_column_names(demo_ocat_url: str) -> None:
    path = demo_ocat_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {
            "target",
            "prop_info",
            "view_pi",
            "view_coi",
            "acisparam",
            "hrcparam",
            "too",
            "timereq",
            "rollreq",
            "aciswin",
            "phasereq",
            "dither",
            "sim",
            "soe",
        }
        target = [r[1] for r in conn.execute("PRAGMA table_info(target)")]
        acis = [r[1] for r in conn.execute("PRAGMA table_info(acisparam)")]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert target == list(TARGET_COLUMNS)
    assert acis == ["acisid", *ACIS_COLUMNS]
    assert {"ix_target_pre_id", "ix_target_group_id", "ix_target_ocat_propid", "ix_timereq_obsid"} <= indexes


def test_v21_query_shapes_run_unchanged(ocat_source: SqlAlchemySource) -> None:
    """The 19 queries of data-layer §1.2, with literal ints as sqsh sends them."""
    q = {
        "Q1": "select target.obsid, target.seq_nbr, target.status, target.targname, target.type, target.instrument,"
        " target.ocat_propid, prop_info.prop_num, prop_info.title, view_pi.last from target INNER JOIN prop_info ON"
        " target.ocat_propid = prop_info.ocat_propid INNER JOIN view_pi ON target.ocat_propid = view_pi.ocat_propid"
        " where target.obsid=12345",
        "Q3": "select obsid, status from target where group_id='G1007'",
        "Q4": "select distinct pre_id, obsid from target where pre_id=1004 or (obsid=1004 and pre_id is not NULL)",
        "Q7": "select roll_constraint,roll_180,roll,roll_tolerance from rollreq where obsid=12345 order by ordr",
        "Q8": "select window_constraint,tstart,tstop from timereq where obsid=12345 order by ordr",
        "Q9": "select type,start,stop,followup,trig,remarks from too where tooid=1",
        "Q10": "select hrc_zero_block,timing_mode,si_mode from hrcparam where hrcid=1",
        "Q12": "select chip,start_row,start_column,width,height,lower_threshold,pha_range,sample from aciswin"
        " where obsid=12345 order by ordr",
        "Q13": "select phase_period,phase_epoch,phase_start,phase_end,phase_start_margin,phase_end_margin"
        " from phasereq where obsid=1024",
        "Q14": "select y_amp,y_freq,y_phase,z_amp,z_freq,z_phase from dither where obsid=12345",
        "Q15": "select trans_offset,focus_offset from sim where obsid=12345",
        "Q16": "select soe_roll from soe where obsid=1010 and unscheduled='N'",
        "Q17": "select ao_str,prop_num,title,joint from prop_info where ocat_propid=1",
        "Q18": "select last from view_pi where ocat_propid=1",
        "Q19": "select last from view_coi where ocat_propid=1",
    }
    counts = {k: len(ocat_source.fetch(sql, {})) for k, sql in q.items()}
    assert counts == {
        "Q1": 1,
        "Q3": 3,
        "Q4": 1,
        "Q7": 1,
        "Q8": 2,
        "Q9": 1,
        "Q10": 1,
        "Q12": 2,
        "Q13": 1,
        "Q14": 1,
        "Q15": 1,
        "Q16": 1,
        "Q17": 1,
        "Q18": 1,
        "Q19": 1,
    }
    assert ocat_source.fetch(q["Q17"], {})[0]["joint"] == "None"


def test_fixture_obsids_exist(demo_ocat_url: str, ocat_source: SqlAlchemySource) -> None:
    found = {r["obsid"] for r in ocat_source.fetch("SELECT obsid FROM target WHERE obsid IN :o", {"o": FIXTURE_OBSIDS})}
    assert found == set(FIXTURE_OBSIDS)
    assert len(ocat_source.fetch("SELECT obsid FROM target", {})) == 300


def test_same_seed_same_ocat_other_seed_other_ocat(tmp_path: Path) -> None:
    day = date(2026, 3, 2)
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        build_demo_ocat(tmp_path / f"{name}.db", observations=400, seed=seed, today=day)
    a, b, c = (dump(tmp_path / f"{n}.db") for n in "abc")
    assert a == b
    assert a["target"] != c["target"]


def test_rebuilding_replaces_the_file(tmp_path: Path) -> None:
    build_demo_ocat(tmp_path / "x.db", observations=200)
    result = build_demo_ocat(tmp_path / "x.db", observations=100)
    assert result.counts["target"] == 100 == len(dump(tmp_path / "x.db")["target"])


def test_a_realistic_mix(mid_ocat: tuple[Path, Path]) -> None:
    path, _ = mid_ocat
    statuses = Counter(column_values(path, "SELECT status FROM target"))
    assert set(statuses) == {
        "unobserved",
        "scheduled",
        "untriggered",
        "observed",
        "archived",
        "triggered",
        "canceled",
        "discarded",
    }
    assert set(column_values(path, "SELECT DISTINCT instrument FROM target")) == {"ACIS-I", "ACIS-S", "HRC-I", "HRC-S"}
    assert set(column_values(path, "SELECT DISTINCT grating FROM target")) == {"NONE", "HETG", "LETG"}
    assert {"GO", "GTO", "TOO", "DDT", "CAL"} <= set(column_values(path, "SELECT DISTINCT type FROM target"))
    assert set(column_values(path, "SELECT DISTINCT window_flag FROM target")) == {None, "N", "Y", "P"}
    assert column_values(path, "SELECT COUNT(*) FROM target WHERE pre_id IS NOT NULL")[0] > 50
    assert column_values(path, "SELECT COUNT(DISTINCT group_id) FROM target")[0] > 10
    assert column_values(path, "SELECT COUNT(*) FROM target WHERE rem_exp_time < 0")[0] >= 1
    assert column_values(path, "SELECT COUNT(*) FROM prop_info WHERE joint <> 'None'")[0] > 10
    for table in ("timereq", "rollreq", "aciswin", "phasereq", "dither", "too", "hrcparam", "view_coi"):
        assert column_values(path, f"SELECT COUNT(*) FROM {table}")[0] > 10, table
    too_obs = column_values(path, "SELECT COUNT(*) FROM target WHERE type IN ('TOO', 'DDT') AND tooid IS NULL")
    assert too_obs == [0]
    hrc_with_acis = column_values(
        path, "SELECT COUNT(*) FROM target WHERE instrument LIKE 'HRC%' AND acisid IS NOT NULL"
    )
    assert hrc_with_acis == [0]


def test_positions_are_on_the_sky(mid_ocat: tuple[Path, Path]) -> None:
    path, _ = mid_ocat
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT ra, dec FROM target WHERE ra IS NOT NULL").fetchall()
        crab = conn.execute("SELECT ra, dec FROM target WHERE obsid = 1010").fetchone()
    assert all(0 <= ra < 360 and -90 <= dec <= 90 for ra, dec in rows)
    assert crab == pytest.approx((83.6331, 22.0145))


def test_dates_are_sybase_style_strings(mid_ocat: tuple[Path, Path]) -> None:
    path, _ = mid_ocat
    dates = column_values(path, "SELECT soe_st_sched_date FROM target WHERE soe_st_sched_date IS NOT NULL")
    dates += column_values(path, "SELECT tstart FROM timereq") + column_values(path, "SELECT lts_lt_plan FROM target")
    dates = [d for d in dates if d is not None]
    assert dates and all(SYBASE.match(d) for d in dates), [d for d in dates if not SYBASE.match(d)][:3]
    assert any(d[4] == " " for d in dates), "single-digit days are space-padded"
    assert sybase_date(datetime(2026, 1, 5, 15, 15)) == "Jan  5 2026  3:15PM"
    assert sybase_date(datetime(2026, 12, 31, 0, 0)) == "Dec 31 2026 12:00AM"


def test_a_scheduled_fixture_within_ten_days_is_on_the_or_list(mid_ocat: tuple[Path, Path]) -> None:
    path, obs_ss = mid_ocat
    sched = column_values(path, "SELECT soe_st_sched_date FROM target WHERE obsid = 1013")[0]
    assert timedelta(0) < parse_ocat_date(sched) - datetime(2026, 3, 2) < timedelta(days=10)
    scheduled = set(column_values(path, "SELECT obsid FROM target WHERE status = 'scheduled'"))
    assert or_list(obs_ss) == scheduled
    rolls = planned_rolls(obs_ss)
    assert rolls[1013] == "265.0-271.5" and len(rolls) > 100
    assert (obs_ss / "scheduled_obs_list").read_text().splitlines()[0].count("\t") == 1


def test_builds_twenty_thousand_observations(tmp_path: Path) -> None:
    """How fast is `bench_ocat`'s business (speed is measured in benchmarks, not in tests)."""
    result = build_demo_ocat(tmp_path / "big.db", observations=20000)
    assert result.counts["target"] == 20000


@pytest.mark.postgres
def test_builds_on_postgresql(pg_ocat_url: str) -> None:
    source = SqlAlchemySource(pg_ocat_url)
    assert source.fetch("SELECT COUNT(*) AS n FROM target", {}) == [{"n": 300}]
    assert source.fetch("SELECT ra FROM target WHERE obsid = 12345", {}) == [{"ra": 350.85}]
    source.dispose()
