"""The parameter catalogue: labels, sections, kinds, ranges, editability, sign-off routing, ranked sets."""

from __future__ import annotations

import pytest

from data.board.rows import BADGE_LABELS, NOTE_BADGES
from data.parameters import catalogue as C


def test_every_parameter_has_a_known_kind_section_and_label() -> None:
    for p in C.PARAMETERS.values():
        assert p.kind in C.KINDS, p.name
        assert p.section in C.SECTIONS, p.name
        assert p.label, p.name
        assert p.signoff == tuple(c for c in C.SIGNOFF_COLUMNS if c in p.signoff), p.name


def test_labels_come_from_labels_json() -> None:
    assert C.PARAMETERS["y_det_offset"].label == "Offset Y"
    assert C.PARAMETERS["lts_lt_plan"].label == "LST Date"
    assert C.PARAMETERS["comments"].label == "Comments"
    for name, p in C.PARAMETERS.items():
        if name in C.LABELS:
            assert p.label == C.LABELS[name]


def test_every_name_of_the_selection_lists_is_in_the_catalogue() -> None:
    for key, names in C.SELECTIONS.items():
        if key == "clean_POST":
            continue
        assert set(names) <= C.PARAMETERS.keys(), key


def test_stored_names_are_the_92_of_the_four_signoff_lists() -> None:
    stored = C.stored_names()
    assert len(stored) == len(set(stored)) == 92
    union = {n for k in ("general", "acis", "acis_si", "hrc_si") for n in C.signoff_names(k)}
    assert set(stored) == union
    assert "ra" in stored and "ra_hms" not in stored and "y_amp_asec" not in stored


def test_sections_are_in_editor_order_and_parameters_follow_them() -> None:
    assert list(C.SECTIONS)[:3] == ["general", "dither", "time"]
    order = [p.section for p in C.PARAMETERS.values()]
    assert order == sorted(order, key=list(C.SECTIONS).index)
    assert [p.name for p in C.section_params("hrc")] == ["hrc_timing_mode", "hrc_zero_block", "hrc_si_mode"]


@pytest.mark.parametrize(
    "name",
    [
        "obsid",
        "seq_nbr",
        "status",
        "proposal_number",
        "proposal_title",
        "si_mode",
        "pi_name",
        "ra",
        "dec",
        "y_amp",
        "too_type",
        "tooid",
        "group_obsid",
        "monitor_series",
        "dropped_chip_count",
        "soe_roll",
        "rem_exp_time",
    ],
)
def test_read_only_parameters_are_not_editable(name: str) -> None:
    assert not C.PARAMETERS[name].editable


@pytest.mark.parametrize(
    "name",
    [
        "targname",
        "instrument",
        "ra_hms",
        "dec_dms",
        "y_amp_asec",
        "tstart",
        "chip",
        "remarks",
        "comments",
        "hrc_si_mode",
        "monitor_flag",
        "pre_id",
    ],
)
def test_editor_fields_are_editable(name: str) -> None:
    assert C.PARAMETERS[name].editable


def test_compare_but_uneditable_are_all_read_only() -> None:
    assert len(C.COMPARE_BUT_UNEDITABLE) == 28
    for name in C.COMPARE_BUT_UNEDITABLE:
        assert not C.PARAMETERS[name].editable, name


@pytest.mark.parametrize(
    ("name", "lo", "hi"),
    [
        ("y_det_offset", -120.0, 120.0),
        ("trans_offset", -190.5, 126.621),
        ("vmagnitude", -15, 20),
        ("est_cnt_rate", 0, 100000),
        ("phase_epoch", 46066.0, None),
        ("phase_start_margin", 0, 0.5),
        ("pre_max_lead", 0.01, None),
        ("subarray_start_row", 1, 925),
        ("subarray_row_count", 101, 1024),
        ("onchip_row_count", 1, 512),
        ("roll", 0, 360),
        ("start_row", 1, 1024),
        ("sample", 0, 255),
        ("spectra_max_count", 1, 100000),
    ],
)
def test_ranges_are_v21s(name: str, lo: float | None, hi: float | None) -> None:
    p = C.PARAMETERS[name]
    assert (p.minimum, p.maximum) == (lo, hi)


def test_v1_notes_mark_where_the_v1_ranges_differ() -> None:
    assert "10000" in (C.PARAMETERS["est_cnt_rate"].v1_note or "")
    assert "100" in (C.PARAMETERS["subarray_row_count"].v1_note or "")
    assert "did not check" in (C.PARAMETERS["ra"].v1_note or "")
    assert C.PARAMETERS["y_det_offset"].v1_note is None
    assert C.PARAMETERS["targname"].v1_note is None


def test_choices() -> None:
    assert C.PARAMETERS["instrument"].choice_values == ("ACIS-I", "ACIS-S", "HRC-I", "HRC-S")
    assert C.PARAMETERS["grating"].choice_values == (None, "LETG", "HETG")
    assert None in C.PARAMETERS["object"].choice_values and "NONE" not in C.PARAMETERS["object"].choice_values
    assert C.PARAMETERS["ccds3_on"].choice_values == (None, "N", "Y", "O1", "O2", "O3", "O4", "O5")
    flag = C.PARAMETERS["window_flag"]
    assert "P" in flag.choice_values and [v for v, _ in flag.form_choices] == ["N", "Y"]
    assert [v for v, _ in C.PARAMETERS["uninterrupt"].form_choices] == ["N", "P", "Y"]


def test_null_equals_no_only_for_flags_without_na_d11() -> None:
    assert C.values_equal("photometry_flag", None, "N")
    assert C.values_equal("dither_flag", "N", None)
    assert not C.values_equal("dither_flag", None, "Y")
    assert not C.values_equal("most_efficient", None, "N")
    assert not C.values_equal("targname", None, "N")
    assert C.values_equal("ra", 10.0, 10.0000001)


def test_rank_sets() -> None:
    assert C.RANK_SETS["time"].columns == ("window_constraint", "tstart", "tstop")
    assert C.RANK_SETS["roll"].flag == "roll_flag"
    assert C.RANK_FLAGS == {"time": "window_flag", "roll": "roll_flag", "window": "spwindow_flag"}
    assert C.RANK_SETS["window"].order_key == "window_ordr"
    assert C.RANK_SETS["window"].new_row() == {
        "chip": "I0",
        "start_row": 1,
        "start_column": 1,
        "width": 1023,
        "height": 1023,
        "lower_threshold": 0.08,
        "pha_range": 13.0,
        "sample": 0,
    }
    assert C.RANK_SETS["roll"].new_row() == {
        "roll_constraint": "Y",
        "roll_180": "N",
        "roll": 0.0,
        "roll_tolerance": 0.0,
    }
    for key, rank in C.RANK_SETS.items():
        for col in rank.columns:
            assert C.PARAMETERS[col].rank_set == key
            assert C.PARAMETERS[col].data_type.endswith("-list")


def test_signoff_columns_of_parameters() -> None:
    assert C.PARAMETERS["hrc_si_mode"].signoff == ("general", "hrc_si")
    assert C.PARAMETERS["spectra_max_count"].signoff == ("acis",)
    assert C.PARAMETERS["chip"].signoff == ("acis", "acis_si")
    assert C.PARAMETERS["comments"].signoff == ("general",)
    assert C.PARAMETERS["ra_hms"].signoff == ()


@pytest.mark.parametrize(
    ("kind", "names", "expected"),
    [
        ("norm", ["targname"], ("Pending", "Not Required", "Not Required", "Not Required", "Pending")),
        ("norm", ["chip"], ("Not Required", "Pending", "Pending", "Not Required", "Pending")),
        ("norm", ["spectra_max_count"], ("Not Required", "Pending", "Not Required", "Not Required", "Pending")),
        ("norm", ["hrc_si_mode"], ("Pending", "Not Required", "Not Required", "Pending", "Pending")),
        ("norm", ["ra_hms"], ("Not Required", "Not Required", "Not Required", "Not Required", "Pending")),
        ("norm", [], ("Not Required", "Not Required", "Not Required", "Not Required", "Pending")),
        ("clone", ["comments"], ("Pending", "Not Required", "Not Required", "Not Required", "Pending")),
        ("asis", [], ("Not Required", "Not Required", "Not Required", "Not Required", "Signed")),
        ("remove", ["targname"], ("Not Required", "Not Required", "Not Required", "Not Required", "Signed")),
    ],
)
def test_signoff_routing(kind: str, names: list[str], expected: tuple[str, ...]) -> None:
    routing = C.signoff_routing(kind, names)
    assert tuple(routing) == C.SIGNOFF_COLUMNS
    assert tuple(routing.values()) == expected


def test_signoff_routing_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="Unknown revision kind"):
        C.signoff_routing("approve", [])


def test_params_are_frozen() -> None:
    with pytest.raises(AttributeError):
        C.PARAMETERS["ra"].label = "x"  # type: ignore[misc]


def test_the_board_badges_use_the_note_words() -> None:
    assert all(BADGE_LABELS[note] == C.NOTE_LABELS[note] for note in NOTE_BADGES)
    assert BADGE_LABELS["large_coordinate_change"] == "Large Coordinate Shift"  # v2.1's board words
    assert BADGE_LABELS["comment_change"] == "New Comment"
