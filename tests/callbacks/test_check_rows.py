"""The check page's pure shaping: the colour rule of other-pages §4.3 with approximate equality (D18), rows, ranks."""

from __future__ import annotations

import pytest

from callbacks._check_rows import (
    APPLIED,
    DRIFTED,
    NOT_APPLIED,
    NOT_AVAILABLE,
    UNAVAILABLE,
    cell_colour,
    change_groups,
    current_columns,
    parameter_tables,
    rank_rows,
    text_block,
    visible_sections,
)


@pytest.mark.parametrize(
    ("original", "requested", "current", "asked", "expected"),
    [
        (1.0, 2.0, 2.0, True, APPLIED),
        (1.0, 2.0, 1.0, True, NOT_APPLIED),
        (1.0, 1.0, 3.0, False, DRIFTED),
        (1.0, 1.0, 1.0, False, None),
        ("ACIS-S", "ACIS-I", "ACIS-I", True, APPLIED),
        ("ACIS-S", "ACIS-I", "HRC-S", True, NOT_APPLIED),
        (None, None, None, False, None),
        (None, None, "x", False, DRIFTED),
        ("text", None, None, True, APPLIED),  # a cleared field that is now NULL in the Ocat is green
        ("text", None, "text", True, NOT_APPLIED),
    ],
)
def test_colour_rule_first_match_wins(original, requested, current, asked, expected):
    assert cell_colour(original, requested, current, change_requested=asked) == expected


def test_colour_rule_uses_approximate_equality_for_numbers():
    assert cell_colour(1.0, 2.0, 2.0 + 1e-9, change_requested=True) == APPLIED
    assert cell_colour(1.0, 1.0, 1.0 + 1e-9, change_requested=False) is None
    assert cell_colour(1.0, 2.0, 2.001, change_requested=True) == NOT_APPLIED


def test_colour_rule_treats_integer_and_float_alike():
    assert cell_colour(1, 5, 5.0, change_requested=True) == APPLIED


def test_colour_rule_dates_within_a_minute_are_equal():
    stored, ocat = "2026-01-05T15:00:00Z", "Jan 05 2026 03:00PM"
    assert cell_colour(stored, stored, ocat, change_requested=False) is None


def test_colour_rule_null_equals_no_for_yes_no_flags():
    assert cell_colour("N", "N", None, change_requested=False, name="dither_flag") is None
    assert cell_colour("N", "N", None, change_requested=False) == DRIFTED


def test_no_originals_never_show_drifted():
    assert cell_colour(None, None, 5.0, change_requested=False, has_originals=False) is None
    assert cell_colour(None, 2.0, 2.0, change_requested=True, has_originals=False) == APPLIED


def _rows(tables):
    return {row.name: row for table in tables for row in table.rows}


def test_parameter_tables_show_original_requested_and_current():
    original = {"targname": "Old", "instrument": "ACIS-S", "y_det_offset": 0.5}
    requested = {"targname": "New"}
    current = {"targname": "New", "instrument": "ACIS-S", "y_det_offset": 0.7}
    rows = _rows(parameter_tables(original, requested, current))
    assert (rows["targname"].original, rows["targname"].requested, rows["targname"].current) == ("Old", "New", "New")
    assert rows["targname"].colour == APPLIED and rows["targname"].requested_change
    assert rows["y_det_offset"].requested == "0.5" and rows["y_det_offset"].colour == DRIFTED
    assert rows["instrument"].colour is None
    assert rows["y_det_offset"].unit == "arcmin" and rows["targname"].label


def test_revision_without_originals_shows_original_as_not_available():
    rows = _rows(parameter_tables({}, {}, {"targname": "Crab", "instrument": "HRC-I"}))
    assert rows["targname"].original == NOT_AVAILABLE and rows["targname"].requested == NOT_AVAILABLE
    assert rows["targname"].current == "Crab" and rows["targname"].colour is None


def test_frozen_fields_show_current_in_every_column_uncoloured():
    rows = _rows(parameter_tables({"targname": "A"}, {}, {"targname": "A", "pi_name": "Smith", "instrument": "HRC-S"}))
    assert (rows["pi_name"].original, rows["pi_name"].requested, rows["pi_name"].current) == ("Smith",) * 3
    assert rows["pi_name"].colour is None


def test_instrument_sections_follow_any_of_the_three_instruments():
    assert "acis" not in visible_sections({"instrument": "HRC-S"}, {}, {"instrument": "HRC-S"})
    assert "hrc" in visible_sections({"instrument": "HRC-S"}, {}, {"instrument": "HRC-S"})
    both = visible_sections({"instrument": "ACIS-S"}, {"instrument": "HRC-I"}, {"instrument": "ACIS-S"})
    assert "acis" in both and "acis_window" in both and "hrc" in both
    assert "too" not in both and "too" in visible_sections({}, {}, {"tooid": 7})


def test_rank_rows_compare_per_rank_and_column():
    original = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [10.0], "roll_tolerance": [5.0]}
    requested = {"roll": [20.0, 30.0], "roll_constraint": ["Y", "P"], "roll_180": ["N", "N"],
                 "roll_tolerance": [5.0, 1.0]}  # fmt: skip
    current = {"roll_ranks": [{"roll_constraint": "Y", "roll_180": "N", "roll": 20.0, "roll_tolerance": 5.0}]}
    rows = {r.name: r for r in rank_rows("roll", original, requested, current, has_originals=True)}
    assert (rows["roll_ordr"].original, rows["roll_ordr"].requested, rows["roll_ordr"].current) == ("1", "2", "1")
    assert rows["roll_ordr"].colour == NOT_APPLIED
    assert rows["roll.1"].colour == APPLIED and rows["roll.1"].label.endswith("(rank 1)")
    assert rows["roll_constraint.1"].colour is None
    assert rows["roll.2"].colour == NOT_APPLIED and rows["roll.2"].current == "—"


def test_rank_set_turned_off_is_green_once_the_ocat_has_no_ranks():
    original = {"window_constraint": ["Y"], "tstart": ["2026-01-01T00:00:00Z"], "tstop": ["2026-02-01T00:00:00Z"]}
    requested = {"window_flag": "N", "window_constraint": None, "tstart": None, "tstop": None}
    rows = {r.name: r for r in rank_rows("time", original, requested, {"time_ranks": []}, has_originals=True)}
    assert rows["time_ordr"].colour == APPLIED
    assert rows["tstart.1"].colour == APPLIED and rows["tstart.1"].requested == "—"


def test_current_columns_keeps_column_lists_and_builds_them_from_records():
    cur = current_columns({"chip": ["I3"], "window_ranks": [{"chip": "S2", "sample": 1}]})
    assert cur["chip"] == ["I3"] and cur["sample"] == [1] and cur["tstart"] is None


def test_change_groups_split_general_acis_and_window_in_catalogue_order():
    groups = {t.key: t for t in change_groups({"targname": "A"}, {"dec": 1.0, "targname": "B", "bep_pack": "VF",
                                                                 "chip": ["I3"]})}  # fmt: skip
    assert [r.name for r in groups["general"].rows] == ["targname", "dec"]
    assert [r.name for r in groups["acis"].rows] == ["bep_pack"]
    assert [r.name for r in groups["window"].rows] == ["chip"]
    assert groups["general"].rows[0].original == "A" and groups["general"].rows[0].requested == "B"


def test_text_block_past_and_new():
    assert text_block("comments", {}, {}) is None
    block = text_block("comments", {}, {"comments": "please"})
    assert block["past"] == "NA" and block["new"] == "please" and block["new_label"].startswith("New")
    assert text_block("remarks", {"remarks": "r"}, {"remarks": None})["new_label"] is None


def test_ocat_down_shows_current_as_unavailable_and_colours_nothing():
    tables = parameter_tables({"targname": "A", "instrument": "ACIS-S"}, {"targname": "B"}, {}, current_known=False)
    rows = _rows(tables)
    assert (rows["targname"].original, rows["targname"].requested) == ("A", "B")
    assert rows["targname"].current == UNAVAILABLE and rows["targname"].colour is None
    assert rows["pi_name"].original == UNAVAILABLE and all(r.colour is None for r in rows.values())
