"""The check page's pure shaping: the one merge's rows (data.revisions.compare) laid out as grid rows (D18).

The merge rule itself (applied / pending / drifted / n/a) is tested against `compare.state` in
tests/data/test_compare.py; here only what the page makes of the merge's rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callbacks._check_rows import (
    NOT_AVAILABLE,
    UNAVAILABLE,
    change_groups,
    show,
    text_block,
    value_rows,
    visible_sections,
)
from data.revisions.compare import merge_rows


@dataclass
class Rev:
    obsidrev: str = "7.001"
    originals: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)


def rows(original, requested, current, *, known=True) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    merged = merge_rows(current if known else None, [Rev(originals=original, requests=requested)], split_ranks=True)
    return {r["id"]: r for r in value_rows(merged, current_known=known)}


def test_rows_show_original_requested_and_current_with_the_merge_state():
    got = rows(
        {"targname": "Old", "instrument": "ACIS-S", "y_det_offset": 0.5},
        {"targname": "New"},
        {"targname": "New", "instrument": "ACIS-S", "y_det_offset": 0.7},
    )
    targ = got["targname"]
    assert (targ["original"], targ["requested"], targ["current"]) == ("Old", "New", "New")
    assert targ["state"] == "applied" and targ["asked"]
    assert got["y_det_offset"]["requested"] == "0.5" and got["y_det_offset"]["state"] == "drifted"
    assert got["instrument"]["state"] == ""
    assert got["y_det_offset"]["parameter"].endswith("(arcmin)") and targ["parameter"] == "Target Name"


def test_rows_come_in_sections_with_title_rows_and_ranked_sets_after_their_section():
    got = list(rows({"instrument": "HRC-S"}, {}, {"instrument": "HRC-S"}))
    assert got[0] == "section:general" and "section:hrc" in got and "section:acis" not in got
    assert got.index("section:rank-time") < got.index("time_ordr")
    assert "ra_hms" not in got and "tstart" not in got  # editor-only forms; rank columns only per rank


def test_revision_without_originals_shows_original_as_not_available():
    got = rows({}, {}, {"targname": "Crab", "instrument": "HRC-I"})
    assert got["targname"]["original"] == NOT_AVAILABLE and got["targname"]["requested"] == NOT_AVAILABLE
    assert got["targname"]["current"] == "Crab" and got["targname"]["state"] == ""


def test_frozen_fields_show_current_in_every_column_uncoloured():
    got = rows({"targname": "A", "pi_name": "Jones"}, {}, {"targname": "A", "pi_name": "Smith", "instrument": "HRC-S"})
    assert (got["pi_name"]["original"], got["pi_name"]["requested"], got["pi_name"]["current"]) == ("Smith",) * 3
    assert got["pi_name"]["state"] == ""


def test_instrument_sections_follow_any_of_the_three_instruments():
    assert "acis" not in visible_sections({"HRC-S"}, too=False)
    assert "hrc" in visible_sections({"HRC-S"}, too=False)
    both = visible_sections({"ACIS-S", "HRC-I"}, too=False)
    assert "acis" in both and "acis_window" in both and "hrc" in both
    assert "too" not in both and "too" in visible_sections(set(), too=True)
    assert "section:too" in rows({}, {}, {"tooid": 7})


def test_rank_rows_per_rank_and_column():
    original = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [10.0], "roll_tolerance": [5.0]}
    requested = {
        "roll": [20.0, 30.0],
        "roll_constraint": ["Y", "P"],
        "roll_180": ["N", "N"],
        "roll_tolerance": [5.0, 1.0],
    }
    current = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [20.0], "roll_tolerance": [5.0]}
    got = rows(original, requested, current)
    order = got["roll_ordr"]
    assert (order["original"], order["requested"], order["current"], order["state"]) == ("1", "2", "1", "pending")
    assert got["roll.1"]["state"] == "applied" and got["roll.1"]["parameter"].startswith("Roll (rank 1)")
    assert got["roll_constraint.1"]["state"] == "" and got["roll_constraint.1"]["requested"] == "Y"
    assert got["roll.2"]["state"] == "pending" and got["roll.2"]["current"] == "—"


def test_ocat_down_shows_current_as_unavailable_and_colours_nothing():
    got = rows({"targname": "A", "instrument": "ACIS-S"}, {"targname": "B"}, {}, known=False)
    assert (got["targname"]["original"], got["targname"]["requested"]) == ("A", "B")
    assert got["targname"]["current"] == UNAVAILABLE
    assert got["pi_name"]["original"] == UNAVAILABLE
    assert all(r.get("state", "") == "" for r in got.values())


def test_change_groups_split_general_acis_and_window_in_catalogue_order():
    got = dict(change_groups({"targname": "A"}, {"dec": 1.0, "targname": "B", "bep_pack": "VF", "chip": ["I3"]}))
    assert list(got) == ["General Changes", "ACIS Changes", "ACIS Window Changes"]
    assert [r["name"] for r in got["General Changes"]] == ["targname", "dec"]
    assert [r["name"] for r in got["ACIS Window Changes"]] == ["chip"]
    first = got["General Changes"][0]
    assert (first["original"], first["requested"]) == ("A", "B")
    assert change_groups({}, {"targname": "B"})[0][1][0]["original"] == NOT_AVAILABLE


def test_text_block_past_and_new():
    assert text_block("comments", {}, {}) is None
    block = text_block("comments", {}, {"comments": "please"})
    assert block["past"] == "NA" and block["new"] == "please" and block["new_label"].startswith("New")
    assert text_block("remarks", {"remarks": "r"}, {"remarks": None})["new_label"] is None


def test_show_values_as_text():
    assert (show(None), show([1.5, None]), show(0.1 + 0.2), show([])) == ("—", "1.5, —", "0.3", "—")
