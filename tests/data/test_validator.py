"""THE validator (D6): one test per rule, parametrized over rule tables."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from data.parameters.validator import MAX_RANK_ROWS, ValidationContext, form_values, stored_originals, validate

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_record(**overrides: Any) -> dict[str, Any]:
    """An Ocat record as data.ocat.read.read_observation returns it (only the keys the rules read)."""
    rec: dict[str, Any] = dict(
        obsid=12345,
        seq_nbr=500123,
        status="unobserved",
        targname="NGC 1234",
        instrument="ACIS-S",
        grating=None,
        obs_type="GO",
        ra=10.684708,
        dec=41.26875,
        y_det_offset=0.0,
        z_det_offset=0.0,
        dither_flag="Y",
        y_amp=0.002222,
        y_freq=0.36,
        y_phase=0.0,
        z_amp=0.002222,
        z_freq=0.509,
        z_phase=0.0,
        window_flag="Y",
        roll_flag="N",
        spwindow_flag="N",
        obj_flag="NO",
        photometry_flag="N",
        time_ranks=[{"window_constraint": "P", "tstart": "2026-05-05T22:30:00Z", "tstop": "2026-06-05T22:30:00Z"}],
        roll_ranks=[],
        window_ranks=[],
        frame_time=None,
        most_efficient="Y",
        exp_mode="TE",
        ccds2_on="Y",
        ccds3_on="Y",
        est_cnt_rate=1.0,
        comments="old comment",
        remarks=None,
        soe_st_sched_date=None,
        lts_lt_plan="Jun 10 2026 12:00AM",
    )
    rec.update(overrides)
    return rec


def check(changes: dict[str, Any], kind: str = "norm", record: dict[str, Any] | None = None, **ctx: Any):
    rec = record or make_record()
    form = form_values(rec)
    form.update(changes)
    return validate(rec, form, ValidationContext(kind=kind, now=NOW, **ctx))


@pytest.mark.parametrize(
    ("changes", "key", "text"),
    [
        ({"y_det_offset": "130"}, "y_det_offset", "between -120 and 120"),
        ({"vmagnitude": "-16"}, "vmagnitude", "between -15 and 20"),
        ({"est_cnt_rate": "abc"}, "est_cnt_rate", "number"),
        ({"subarray_start_row": "1.5"}, "subarray_start_row", "whole number"),
        ({"phase_epoch": "100"}, "phase_epoch", "at least 46066"),
        ({"instrument": "ACIS-X"}, "instrument", "must be one of"),
        ({"targname": ""}, "targname", "required"),
        ({"ra_hms": "25:00:00"}, "ra_hms", "0-23"),
        ({"dec_dms": "-91"}, "dec_dms", "-90"),
        ({"dec_dms": "garbage"}, "dec_dms", "not readable"),
        ({"ra_hms": "", "dec_dms": "+10:00:00"}, "ra_hms", "both"),
        ({"bogus": 1}, "bogus", "unknown"),
        ({"seq_nbr": 1}, "seq_nbr", "cannot be changed"),
    ],
)
def test_field_rules_give_errors_keyed_by_field(changes: dict, key: str, text: str) -> None:
    report = check(changes)
    assert key in report.errors
    assert text in report.errors[key]
    assert not report.valid


@pytest.mark.parametrize(
    ("row", "key", "text"),
    [
        ({"window_constraint": "Y", "tstart": "2026-07-01 00:00", "tstop": "2026-06-01 00:00"}, "tstop[1]", "after"),
        ({"window_constraint": "Y", "tstart": "not a date", "tstop": "2026-06-01 00:00"}, "tstart[1]", "date"),
        (
            {"window_constraint": "X", "tstart": "2026-07-01 00:00", "tstop": "2026-08-01 00:00"},
            "window_constraint[1]",
            "one of",
        ),
        ({"window_constraint": "Y", "tstart": None, "tstop": "2026-08-01 00:00"}, "tstart[1]", "required"),
    ],
)
def test_rank_cells_give_errors_keyed_by_column_and_row(row: dict, key: str, text: str) -> None:
    rows = form_values(make_record())["time_ranks"] + [row]
    report = check({"time_ranks": rows})
    assert text in report.errors[key]


def test_rank_sets_are_capped_at_30_rows() -> None:
    row = {"window_constraint": "P", "tstart": "2026-07-01 00:00", "tstop": "2026-08-01 00:00"}
    report = check({"time_ranks": [row] * (MAX_RANK_ROWS + 1)})
    assert "at most 30" in report.errors["time_ranks"]


def test_a_flag_turned_on_needs_rows() -> None:
    report = check({"roll_flag": "Y", "roll_ranks": []})
    assert "at least one row" in report.errors["roll_ranks"]


def test_unchanged_norm_is_refused() -> None:
    assert "Nothing changed" in check({}).errors["changes"]


def test_clone_needs_a_comment_and_submits_only_it() -> None:
    assert "comment" in check({"targname": "X"}, kind="clone").errors["comments"]
    report = check({"targname": "X", "comments": "split it"}, kind="clone")
    assert report.valid and list(report.changes) == ["comments"]
    assert report.signoffs["general"] == "Pending" and report.signoffs["acis"] == "Not Required"


@pytest.mark.parametrize("status", ["observed", "archived", "canceled", "discarded"])
def test_status_gate_refuses_closed_observations(status: str) -> None:
    report = check({"targname": "X"}, record=make_record(status=status))
    assert status.upper() in report.errors["status"]


def test_asis_and_remove_request_nothing() -> None:
    report = check({"targname": "X"}, kind="asis")
    assert report.valid and report.changes == {} and report.signoffs["usint"] == "Signed"
    assert any("not submitted" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"targname": "New name"}, {"targname": ("NGC 1234", "New name")}),
        ({"y_amp_asec": "16"}, {"y_amp": (0.002222, 16 / 3600)}),
        ({"ra_hms": "00:42:50.0000"}, {"ra": (10.684708, 10.708333)}),
        ({"dec_dms": "41.5"}, {"dec": (41.26875, 41.5)}),
        ({"comments": "why"}, {"comments": ("old comment", "why")}),
    ],
)
def test_changes_are_in_storage_units(changes: dict, expected: dict) -> None:
    report = check(changes)
    for name, (orig, new) in expected.items():
        assert (
            report.changes[name][0] == pytest.approx(orig)
            if isinstance(orig, float)
            else report.changes[name][0] == orig
        )
        assert (
            report.changes[name][1] == pytest.approx(new) if isinstance(new, float) else report.changes[name][1] == new
        )


def test_untouched_form_with_display_units_has_no_changes() -> None:
    rec = make_record()
    report = validate(rec, form_values(rec), ValidationContext(now=NOW))
    assert report.changes == {}


def test_flag_off_requests_every_dependent_value_as_null() -> None:
    report = check({"window_flag": "N", "dither_flag": "N"})
    for name in ("window_constraint", "tstart", "tstop", "y_amp", "z_freq", "y_phase"):
        assert report.changes[name][1] is None
    assert report.changes["window_flag"] == ("Y", "N")


def test_flag_on_requests_every_value() -> None:
    rows = [{"roll_constraint": "P", "roll_180": "N", "roll": "10", "roll_tolerance": "5"}]
    report = check({"roll_flag": "Y", "roll_ranks": rows})
    assert report.changes["roll"] == (None, [10.0])
    assert report.changes["roll_flag"] == ("N", "P")  # D11: all rows P → P


def test_flag_follows_rows_y_if_any_row_is_y() -> None:
    record = make_record(window_flag="P")
    rows = form_values(record)["time_ranks"]
    rows = rows + [{"window_constraint": "Y", "tstart": "2026-07-01 00:00", "tstop": "2026-08-01 00:00"}]
    report = check({"time_ranks": rows}, record=record)
    assert report.changes["window_flag"] == ("P", "Y")
    assert "tstart" in report.changes


def test_null_and_n_are_equal_for_yes_no_flags() -> None:
    report = check({"photometry_flag": "N", "targname": "X"}, record=make_record(photometry_flag=None))
    assert "photometry_flag" not in report.changes


@pytest.mark.parametrize(
    ("record", "changes", "note"),
    [
        ({}, {"targname": "X"}, "target_name_change"),
        ({}, {"comments": "new"}, "comment_change"),
        ({}, {"instrument": "ACIS-I"}, "instrument_change"),
        ({}, {"grating": "HETG"}, "grating_change"),
        ({}, {"dither_flag": "N"}, "flag_change"),
        ({"lts_lt_plan": "Mar 05 2026 12:00AM"}, {"targname": "X"}, "obsdate_under10"),
        ({"lts_lt_plan": "Feb 05 2026 12:00AM"}, {"targname": "X"}, "obsdate_under10"),
    ],
)
def test_notes(record: dict, changes: dict, note: str) -> None:
    assert check(changes, record=make_record(**record)).notes.get(note) is True


def test_on_or_list_note_comes_from_the_context() -> None:
    assert check({"targname": "X"}, on_or_list=True).notes["on_or_list"] is True
    assert "on_or_list" not in check({"targname": "X"}).notes


@pytest.mark.parametrize(
    ("ra0", "dec0", "ra1", "dec1", "large"),
    [
        (359.95, 0.0, 0.05, 0.0, False),  # 6' across RA 0/360
        (359.9, 0.0, 0.1, 0.0, True),  # 12' across RA 0/360
        (10.0, 89.95, 190.0, 89.95, False),  # 6' across the pole though RA moves 180°
        (10.0, 60.0, 10.25, 60.0, False),  # 7.5' at dec 60 (flat formula would say 15')
        (10.0, 0.0, 10.0, 0.2, True),  # 12'
    ],
)
def test_large_coordinate_change_is_great_circle_8_arcmin(ra0, dec0, ra1, dec1, large) -> None:
    report = check({"ra_hms": str(ra1), "dec_dms": str(dec1)}, record=make_record(ra=ra0, dec=dec0))
    assert report.notes.get("large_coordinate_change", False) is large
    assert report.separation_arcmin is not None
    assert any("arcmin" in w for w in report.warnings) is large


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"targname": "X"}, "Target name changed"),
        ({"instrument": "HRC-S"}, "Instrument changed"),
        ({"grating": "LETG", "est_cnt_rate": ""}, "Grating changed"),
        ({"frame_time": "3.2"}, "Most Efficient must be NO"),
        ({"most_efficient": "N"}, "should be YES"),
        ({"instrument": "HRC-I"}, "HRC SI Mode"),
        ({"dither_flag": "N"}, "needs CDO approval"),
        ({"y_det_offset": "11"}, "more than 10 arcmin"),
        ({"subarray": "CUSTOM"}, "Start and Rows"),
        ({"duty_cycle": "Y"}, "Number and Tprimary"),
        ({"eventfilter": "Y"}, "Lowest Energy and Energy Range"),
        ({"ccdi0_on": "Y", "ccdi1_on": "Y", "ccdi2_on": "Y", "ccdi3_on": "Y", "ccds4_on": "O1"}, "at most 6"),
        ({"pre_min_lead": "400"}, "364"),
    ],
)
def test_advisory_warnings_never_block(changes: dict, text: str) -> None:
    report = check(changes)
    assert any(text in w for w in report.warnings), report.warnings
    assert not any(k in report.errors for k in changes)


@pytest.mark.parametrize(
    ("changes", "pending"),
    [
        ({"targname": "X"}, {"general", "usint"}),
        ({"frame_time": "3", "most_efficient": "N"}, {"acis", "acis_si", "usint"}),
        ({"multiple_spectral_lines": "Y"}, {"acis", "usint"}),
        ({"instrument": "HRC-S", "hrc_si_mode": "HRC-S_X"}, {"general", "hrc_si", "usint"}),
    ],
)
def test_signoff_routing(changes: dict, pending: set) -> None:
    report = check(changes)
    assert {c for c, s in report.signoffs.items() if s == "Pending"} == pending


def test_api_style_partial_request_in_storage_units() -> None:
    rec = make_record()
    report = validate(rec, {"ra": 10.7, "tstart": ["2026-05-06T00:00:00Z"]}, ValidationContext(now=NOW))
    assert report.valid, report.errors
    assert report.changes["tstart"][1] == ["2026-05-06T00:00:00Z"]
    assert "window_constraint" not in report.changes


def test_stored_originals_hold_non_null_stored_names_with_rank_columns() -> None:
    originals = stored_originals(make_record())
    assert originals["tstart"] == ["2026-05-05T22:30:00Z"]
    assert "remarks" not in originals and "ra_hms" not in originals


def test_validate_is_fast() -> None:
    rec = make_record()
    form = form_values(rec)
    form.update(targname="X", y_det_offset="3")
    times = []
    for _ in range(20):
        t = time.perf_counter()
        validate(rec, form, ValidationContext(now=NOW))
        times.append(time.perf_counter() - t)
    assert sorted(times)[10] < 0.030
