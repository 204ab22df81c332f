"""The Ocat read side: every assembly rule of data-layer §1.4, batching (D5), errors, obs_ss files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from data.demo.ocat import DemoOcat, demo_url
from data.errors import NotFound, OcatUnavailable, ValidationFailed
from data.ocat import read as O
from data.ocat.obs_files import or_list, planned_rolls
from data.ocat.read import read_basic, read_observation, read_observations
from data.ocat.sources import SqlAlchemySource, make_source, render_sql
from data.parameters.catalogue import columns_to_rows, rows_to_columns
from data.parameters.values import OCAT_FORMAT, parse_ocat_date


@pytest.fixture
def rec(ocat_source: SqlAlchemySource, obs_ss: Path):
    """Read one obsid from the demo Ocat."""

    def read(obsid: int) -> dict[str, Any]:
        return read_observation(ocat_source, obsid, obs_ss)

    return read


@pytest.fixture
def writable_ocat(demo_ocat: DemoOcat, tmp_path: Path) -> Path:
    """A private copy of the demo Ocat file that a test may change."""
    path = tmp_path / "ocat.db"
    shutil.copy(demo_ocat.url.removeprefix("sqlite:///"), path)
    return path


def edit(path: Path, *statements: str) -> SqlAlchemySource:
    with sqlite3.connect(path) as conn:
        for sql in statements:
            conn.execute(sql)
    return SqlAlchemySource(demo_url(path))


def raw_target(source: SqlAlchemySource, obsid: int) -> dict[str, Any]:
    return source.fetch("SELECT * FROM target WHERE obsid = :o", {"o": obsid})[0]


# ---------------------------------------------------------------------------------------------------- 12345


def test_full_record_of_12345(rec) -> None:
    r = rec(12345)
    assert tuple(r) == O.RECORD_KEYS
    assert "window_order" not in r and r["window_ordr"] == 2  # K2
    assert (r["obsid"], r["targname"], r["instrument"], r["obs_type"], r["status"]) == (
        12345,
        "Cas A",
        "ACIS-S",
        "GO",
        "unobserved",
    )
    assert r["time_ordr"] == 2 and [t["window_constraint"] for t in r["time_ranks"]] == ["Y", "P"]
    assert all(set(t) == {"window_constraint", "tstart", "tstop"} for t in r["time_ranks"])
    assert r["time_ranks"][0]["tstart"].endswith("Z") and "T" in r["time_ranks"][0]["tstart"]
    assert r["roll_ordr"] == 1 and r["roll_ranks"] == [
        {"roll_constraint": "Y", "roll_180": "N", "roll": 120.0, "roll_tolerance": 10.0}
    ]
    assert [w["chip"] for w in r["window_ranks"]] == ["I3", "S2"]
    assert r["window_ranks"][0] == {
        "chip": "I3",
        "start_row": 1,
        "start_column": 1,
        "width": 200,
        "height": 300,
        "lower_threshold": 0.08,
        "pha_range": 13.0,
        "sample": 0,
    }
    assert (r["y_amp"], r["y_freq"], r["z_freq"]) == (0.002222, 0.36, 0.509)
    assert (r["pi_name"], r["observer"], r["proposal_title"]) == ("Murray", "Chen", "The Ejecta of Cas A")
    assert r["planned_roll"] == "118.5-122.0"
    assert r["monitor_flag"] == "N" and r["monitor_series"] is None and r["group_obsid"] is None


def test_types_are_normalised_k18(rec) -> None:
    r = rec(12345)
    assert r["seq_nbr"] == 500123 and isinstance(r["proposal_number"], int) and r["obs_ao_str"] == 27
    assert isinstance(r["ra"], float) and isinstance(r["obsid"], int)


def test_renames_type_and_mp_remarks(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    for obsid in (12345, 1002, 1013):
        raw = raw_target(ocat_source, obsid)
        r = read_observation(ocat_source, obsid, obs_ss)
        assert r["obs_type"] == raw["type"] and "type" not in r
        assert r["comments"] == raw["mp_remarks"] and "mp_remarks" not in r


def test_ocat_dates_are_zero_padded(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    rows = ocat_source.fetch("SELECT obsid, soe_st_sched_date FROM target WHERE soe_st_sched_date LIKE '___  %'", {})
    assert rows, "the demo has single-digit days"
    obsid, raw = rows[0]["obsid"], rows[0]["soe_st_sched_date"]
    r = read_observation(ocat_source, obsid, obs_ss)
    assert r["soe_st_sched_date"] == parse_ocat_date(raw).strftime(OCAT_FORMAT)
    assert r["soe_st_sched_date"][4] == "0" and "  " not in r["soe_st_sched_date"]


def test_null_flags_default_to_n_but_phase_flag_does_not(rec) -> None:
    r = rec(1028)
    assert (r["dither_flag"], r["window_flag"], r["roll_flag"], r["spwindow_flag"]) == ("N", "N", "N", "N")
    assert r["phase_constraint_flag"] is None


def test_negative_remaining_exposure_reads_as_zero(rec) -> None:
    assert rec(1014)["rem_exp_time"] == 0.0


def test_null_spellings_become_none(rec) -> None:
    r = rec(12345)
    assert r["grating"] is None and r["object"] is None and r["subarray"] is None and r["proposal_joint"] is None
    assert rec(1012)["proposal_joint"] == "HST"
    assert rec(1025)["object"] == "JUPITER"


def test_too_columns_are_prefixed(rec) -> None:
    r = rec(1002)
    assert r["too_type"] == "0-5" and r["too_trig"] == "Swift/BAT trigger of a GRB" and r["too_followup"] == 2
    assert (r["too_start"], r["too_stop"]) == (0.0, 5.0)
    assert rec(12345)["too_type"] is None


def test_hrc_parameters_keep_hrc_si_mode_apart(rec) -> None:
    r = rec(1001)
    assert (r["hrc_zero_block"], r["hrc_timing_mode"], r["hrc_si_mode"]) == ("N", "Y", "LETG_HRC-S")
    assert r["si_mode"] == "DEFAULT"
    assert r["exp_mode"] is None and r["ccdi0_on"] is None
    assert rec(12345)["hrc_si_mode"] is None


def test_acis_parameters(rec) -> None:
    r = rec(1026)
    assert (r["subarray"], r["subarray_start_row"], r["subarray_row_count"]) == ("CUSTOM", 449, 128)
    assert (r["duty_cycle"], r["secondary_exp_count"], r["primary_exp_time"]) == ("Y", 2, 0.3)
    assert (r["eventfilter"], r["eventfilter_lower"], r["eventfilter_higher"]) == ("Y", 0.3, 11.7)
    assert r["ccdi0_on"] == "Y" and r["exp_mode"] == "TE"


def test_phase_dither_sim_soe(rec) -> None:
    r = rec(1024)
    assert (r["phase_period"], r["phase_epoch"], r["phase_start"], r["phase_end_margin"]) == (
        1.70017,
        50290.3,
        0.2,
        0.05,
    )
    assert rec(12345)["phase_period"] is None
    assert rec(1028)["y_amp"] is None
    assert rec(12345)["trans_offset"] is not None
    assert rec(1010)["soe_roll"] is not None
    assert rec(12345)["soe_roll"] is None


def test_soe_reads_only_scheduled_rows(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "INSERT INTO soe VALUES (900001, 12345, 42.5, 'Y')")
    assert read_observation(source, 12345, obs_ss)["soe_roll"] is None
    source = edit(writable_ocat, "INSERT INTO soe VALUES (900002, 12345, 17.25, 'N')")
    assert read_observation(source, 12345, obs_ss)["soe_roll"] == 17.25


def test_proposal_ao_overwrites_target_ao_and_observer_falls_back_to_pi(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "UPDATE target SET obs_ao_str = '99' WHERE obsid = 12345")
    assert read_observation(source, 12345, obs_ss)["obs_ao_str"] == 27
    r = read_observation(source, 1001, obs_ss)
    assert r["pi_name"] == "Brown" and r["observer"] == "Brown"


def test_missing_child_rows_give_none_never_an_error(rec) -> None:
    r = rec(1018)
    assert r["dither_flag"] == "Y" and r["y_amp"] is None
    assert r["phase_constraint_flag"] == "Y" and r["phase_epoch"] is None
    assert r["window_flag"] == "Y" and r["time_ranks"] == [] and r["time_ordr"] == 0
    assert r["acisid"] == 99999 and r["exp_mode"] is None
    assert r["tooid"] == 99999 and r["too_type"] is None
    assert r["proposal_number"] is None and r["pi_name"] is None and r["observer"] is None


def test_null_time_rank_dates_are_none_not_type_error(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "UPDATE timereq SET tstart = NULL WHERE obsid = 12345 AND ordr = 1")
    ranks = read_observation(source, 12345, obs_ss)["time_ranks"]
    assert ranks[0]["tstart"] is None and ranks[1]["tstart"] is not None


def test_rank_rows_follow_ordr(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "UPDATE aciswin SET ordr = 3 - ordr WHERE obsid = 12345")
    assert [w["chip"] for w in read_observation(source, 12345, obs_ss)["window_ranks"]] == ["S2", "I3"]


def test_preference_flags_are_read_as_stored(rec) -> None:
    r = rec(1027)
    assert (r["window_flag"], r["roll_flag"]) == ("P", "P")
    assert r["time_ranks"][0]["window_constraint"] == "P" and r["roll_ranks"][0]["roll_180"] is None


def test_rank_flag_off_means_no_ranks_even_if_rows_exist(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "UPDATE target SET window_flag = 'N' WHERE obsid = 12345")
    r = read_observation(source, 12345, obs_ss)
    assert r["time_ranks"] == [] and r["time_ordr"] == 0 and r["roll_ordr"] == 1


# ---------------------------------------------------------------------------------------------------- monitor, group


@pytest.mark.parametrize(
    ("obsid", "series"),
    [
        (1004, [1005, 1006]),
        (1005, [1005, 1006]),
        (1006, [1005, 1006]),
        (1020, [1021, 1022, 1023]),
        (1021, [1021, 1022, 1023]),
        (1023, [1021, 1022, 1023]),
    ],
)
def test_monitor_series_walks_the_whole_chain(rec, obsid: int, series: list[int]) -> None:
    r = rec(obsid)
    assert r["monitor_flag"] == "Y" and r["monitor_series"] == series and r["group_obsid"] is None


def test_group_lists_active_members_only(rec) -> None:
    for obsid in (1007, 1008, 1009):
        r = rec(obsid)
        assert r["group_obsid"] == [1007, 1008] and r["monitor_flag"] == "N" and r["monitor_series"] is None
        assert r["group_id"] == "G1007"


def test_group_ids_with_quotes_are_bound_not_spliced(rec) -> None:
    r = rec(1029)
    assert r["group_id"] == "x' OR '1'='1" and r["group_obsid"] == [1029]


def test_monitor_chain_cycles_terminate(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(writable_ocat, "UPDATE target SET pre_id = 1006 WHERE obsid = 1004")
    r = read_observation(source, 1005, obs_ss)
    assert r["monitor_flag"] == "Y" and r["monitor_series"] == [1005, 1006]


def test_forward_walk_takes_every_follower_then_continues_from_the_last(writable_ocat: Path, obs_ss: Path) -> None:
    source = edit(
        writable_ocat,
        "INSERT INTO target (obsid, targname, status, pre_id, ocat_propid, type, instrument)"
        " VALUES (1030, 'Branch', 'unobserved', 1004, 5, 'GO', 'ACIS-S')",
        "INSERT INTO target (obsid, targname, status, pre_id, ocat_propid, type, instrument)"
        " VALUES (1031, 'After branch', 'unobserved', 1030, 5, 'GO', 'ACIS-S')",
    )
    assert read_observation(source, 1004, obs_ss)["monitor_series"] == [1005, 1030, 1031]


# ---------------------------------------------------------------------------------------------------- batching


def test_one_obsid_takes_at_most_three_round_trips(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    for obsid, most in ((12345, 2), (1010, 1), (1005, 3), (1007, 2), (1023, 4)):
        ocat_source.round_trips = 0
        read_observation(ocat_source, obsid, obs_ss)
        assert ocat_source.round_trips <= most, obsid


def test_one_hundred_obsids_take_a_constant_number_of_round_trips(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    obsids = [r["obsid"] for r in ocat_source.fetch("SELECT obsid FROM target ORDER BY obsid", {})][:100]
    ocat_source.round_trips = 0
    records = read_observations(ocat_source, obsids, obs_ss=obs_ss)
    assert list(records) == obsids
    assert ocat_source.round_trips <= 4
    single = {o: read_observation(ocat_source, o, obs_ss) for o in (12345, 1004, 1007, 1018, 1023)}
    for obsid, record in single.items():
        assert records[obsid] == record


def test_batches_are_chunked(ocat_source: SqlAlchemySource, obs_ss: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(O, "CHUNK", 2)
    records = read_observations(ocat_source, [12345, 1001, 1002, 1010, 1011], obs_ss=obs_ss)
    assert list(records) == [12345, 1001, 1002, 1010, 1011]
    assert records[12345]["time_ordr"] == 2


def test_duplicates_and_unknown_obsids(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    records = read_observations(ocat_source, [1010, "1011", 1010, 99999], obs_ss=obs_ss)
    assert list(records) == [1010, 1011]
    assert read_observations(ocat_source, [], obs_ss=obs_ss) == {}


def test_unknown_obsid_is_not_found(ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    with pytest.raises(NotFound, match="^Obsid 99999 is not in the Ocat$") as info:
        read_observation(ocat_source, 99999, obs_ss)
    assert info.value.status == 404


@pytest.mark.parametrize("bad", ["1 OR 1=1", "12345; DROP TABLE target", "12345)--", True, 1.5, None, "", "-1"])
def test_injection_attempts_as_obsids_are_refused(ocat_source: SqlAlchemySource, obs_ss: Path, bad: Any) -> None:
    with pytest.raises(ValidationFailed):
        read_observations(ocat_source, [12345, bad], obs_ss=obs_ss)
    assert ocat_source.round_trips == 0
    assert read_observation(ocat_source, " 12345 ", obs_ss)["obsid"] == 12345


def test_unreachable_source_is_unavailable(tmp_path: Path, obs_ss: Path) -> None:
    with pytest.raises(OcatUnavailable) as info:
        read_observation(make_source(str(tmp_path / "gone.db")), 12345, obs_ss)
    assert info.value.status == 503
    with pytest.raises(OcatUnavailable):
        read_basic(make_source("postgresql+psycopg://nobody@127.0.0.1:1/x", timeout_s=1), [12345])


class _RenderedSource(SqlAlchemySource):
    """Runs every query with its parameters rendered as literals, as the sqsh source does."""

    def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
        return super().fetch(render_sql(sql, params or {}), {})


def test_every_reader_query_works_with_rendered_literals(demo_ocat_url: str, obs_ss: Path) -> None:
    bound, rendered = SqlAlchemySource(demo_ocat_url), _RenderedSource(demo_ocat_url)
    obsids = [12345, 1001, 1004, 1007, 1018, 1023, 1029, 99999]
    assert read_observations(rendered, obsids, obs_ss=obs_ss) == read_observations(bound, obsids, obs_ss=obs_ss)
    assert read_basic(rendered, obsids) == read_basic(bound, obsids)


# ---------------------------------------------------------------------------------------------------- basic read


def test_read_basic_is_the_q1_shape_and_batched(ocat_source: SqlAlchemySource) -> None:
    rows = read_basic(ocat_source, [12345, 1018, 99999])
    assert ocat_source.round_trips == 1
    assert rows[12345] == {
        "obsid": 12345,
        "seq_nbr": 500123,
        "status": "unobserved",
        "targname": "Cas A",
        "obs_type": "GO",
        "instrument": "ACIS-S",
        "ocat_propid": 1,
        "prop_num": rows[12345]["prop_num"],
        "title": "The Ejecta of Cas A",
        "last": "Murray",
    }
    assert isinstance(rows[12345]["prop_num"], int)
    assert rows[1018]["last"] is None and rows[1018]["title"] is None
    assert 99999 not in rows


# ---------------------------------------------------------------------------------------------------- helpers


def test_parameter_values_for_the_editor(rec) -> None:
    values = O.parameter_values(rec(12345))
    assert values["ra_hms"] == "23:23:24.0000" and values["dec_dms"] == "+58:48:54.0000"
    assert values["window_constraint"] == ["Y", "P"] and len(values["tstart"]) == 2
    assert values["chip"] == ["I3", "S2"] and values["window_ordr"] == 2
    assert values["y_amp_asec"] == pytest.approx(7.9992)
    off = O.parameter_values(rec(1028))
    assert off["tstart"] is None and off["time_ordr"] == 0 and off["y_amp_asec"] is None
    assert O.parameter_values(rec(1019))["ra_hms"] is None


def test_rank_orientation_round_trip() -> None:
    records = [{"roll_constraint": "Y", "roll_180": None, "roll": 1.0, "roll_tolerance": 2.0}]
    columns = rows_to_columns(records, ("roll_constraint", "roll_180", "roll", "roll_tolerance"))
    assert columns == {"roll_constraint": ["Y"], "roll_180": [None], "roll": [1.0], "roll_tolerance": [2.0]}
    assert columns_to_rows(columns, columns) == records
    assert columns_to_rows({"a": [1, 2], "b": [3]}, ("a", "b")) == [{"a": 1, "b": 3}, {"a": 2, "b": None}]
    assert columns_to_rows({"a": None, "b": "x"}, ("a", "b")) == [{"a": None, "b": "x"}]  # one value, one row
    assert rows_to_columns(None, ("a",)) == {"a": []}


# ---------------------------------------------------------------------------------------------------- obs_ss files


def test_planned_roll_and_or_list_from_the_demo_files(rec, obs_ss: Path) -> None:
    assert rec(1013)["planned_roll"] == "265.0-271.5"
    assert 1013 in or_list(obs_ss)
    assert rec(1010)["planned_roll"] is None


def test_obs_ss_files_are_read_robustly_k1(tmp_path: Path) -> None:
    assert or_list(tmp_path) == set() and planned_rolls(tmp_path) == {}
    (tmp_path / "scheduled_obs_list").write_text("12345\tmpuser\n\n# comment\nbad line\n 1013 x\n27000\n")
    (tmp_path / "mp_long_term").write_text("999:1:2\n12345:275.5:270.0\nbad:line\n1013:abc:1\n1014:10\n")
    assert or_list(tmp_path) == {12345, 1013, 27000}
    assert planned_rolls(tmp_path) == {999: "1.0-2.0", 12345: "270.0-275.5"}


def test_obs_ss_files_are_reread_when_they_change(tmp_path: Path) -> None:
    path = tmp_path / "scheduled_obs_list"
    path.write_text("1\n")
    assert or_list(tmp_path) == {1}
    path.write_text("1\n2\n")
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))
    assert or_list(tmp_path) == {1, 2}
    path.unlink()
    assert or_list(tmp_path) == set()


# ---------------------------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_postgresql_demo_ocat_reads_the_same_records(pg_ocat_url: str, demo_ocat_url: str, obs_ss: Path) -> None:
    pg, lite = make_source(pg_ocat_url), make_source(demo_ocat_url)
    obsids = [12345, 1001, 1002, 1004, 1007, 1013, 1018, 1023, 1024, 1026, 1027, 1029]
    from_pg = read_observations(pg, obsids, obs_ss=obs_ss)
    assert from_pg == read_observations(lite, obsids, obs_ss=obs_ss)
    assert pg.round_trips <= 4
    assert read_basic(pg, obsids) == read_basic(lite, obsids)
    with pytest.raises(NotFound):
        read_observation(pg, 99999, obs_ss)


def test_datetime_values_from_a_typed_backend_are_formatted() -> None:
    class Typed:
        round_trips = 0

        def fetch(self, sql: str, params: Mapping[str, object] | None = None) -> list[dict[str, Any]]:
            self.round_trips += 1
            if "UNION ALL" in sql:
                return [
                    {
                        "rank_set": "time",
                        "obsid": 1,
                        "ordr": 1,
                        "window_constraint": "Y",
                        "tstart": datetime(2026, 1, 5, 15, 15),
                        "tstop": "Jan  6 2026  3:15PM",
                    }
                ]
            row = dict.fromkeys(O.TARGET_COLUMNS)
            row |= {"obsid": 1, "soe_st_sched_date": datetime(2026, 1, 5, 15, 15), "window_flag": "Y"}
            return [row]

    record = read_observation(Typed(), 1, "/nonexistent")
    assert record["soe_st_sched_date"] == "Jan 05 2026 03:15PM"
    assert record["time_ranks"] == [
        {"window_constraint": "Y", "tstart": "2026-01-05T15:15:00Z", "tstop": "2026-01-06T15:15:00Z"}
    ]
