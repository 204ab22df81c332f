"""The one three-way merge (D18): the rule (`state`), the pure `merge_rows` and `observation_rows` over the DB and
Ocat."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from data.ocat.read import parameter_values, read_observation
from data.ocat.sources import SqlAlchemySource
from data.parameters.catalogue import PARAMETERS
from data.revisions.compare import (
    APPLIED,
    COLUMNS,
    DRIFTED,
    NA,
    PENDING,
    UNKNOWN,
    MergedRow,
    is_na,
    merge_rows,
    observation_rows,
    requested_rows,
    state,
)
from tests.factories import make_revision

SIGNED = {c: "Signed" for c in ("general", "acis", "acis_si", "hrc_si", "usint")}


def cell(rows: list[MergedRow], obsid: int, name: str) -> MergedRow:
    found = [r for r in rows if r["obsid"] == obsid and r["name"] == name]
    assert len(found) == 1
    return found[0]


@dataclass
class Rev:
    """A revision as the merge reads it."""

    obsidrev: str
    originals: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)


def row(rows: list[MergedRow], name: str, rank: int = 0) -> MergedRow:
    found = [r for r in rows if r["name"] == name and r["rank"] == rank]
    assert len(found) == 1
    return found[0]


def names(rows: list[MergedRow]) -> list[str]:
    return [r["name"] for r in rows]


def column(rows: list[MergedRow], key: str) -> list[Any]:
    return [r[key] for r in rows]  # type: ignore[literal-required]


# ------------------------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("original", "requested", "current", "expected"),
    [
        (1.0, 2.0, 2.0, APPLIED),
        (1.0, 2.0, 1.0, PENDING),
        (1.0, NA, 3.0, DRIFTED),
        (1.0, NA, 1.0, ""),
        (None, NA, None, ""),
        (None, NA, 4.0, DRIFTED),
        (NA, NA, 5.0, ""),  # n/a: the revision stored no originals, nothing to drift from
        (NA, 2.0, 2.0, APPLIED),
        (NA, 2.0, 3.0, PENDING),
        (1.0, None, None, APPLIED),  # a cleared value that is NULL in the Ocat now
        (1.0, None, 1.0, PENDING),
        (2.0, 2.0, 2.0, APPLIED),  # a request equal to the original still counts as a request
    ],
)
def test_rule_first_match_wins(original, requested, current, expected):
    assert state("y_det_offset", original, requested, current) == expected


def test_rule_with_the_ocat_unreadable():
    assert state("y_det_offset", 1.0, 2.0, NA, current_known=False) == UNKNOWN
    assert state("y_det_offset", 1.0, NA, NA, current_known=False) == ""


def test_rule_uses_approximate_equality():
    assert state("y_det_offset", 1.0, 2.0, 2.0 + 1e-9) == APPLIED
    assert state("y_det_offset", 1.0, NA, 1.0 + 1e-9) == ""
    assert state("y_det_offset", 1.0, 2.0, 2.001) == PENDING
    assert state("y_det_offset", 1, 5, 5.0) == APPLIED
    assert state("tstart", "2026-01-05T15:00:00Z", NA, "Jan 05 2026 03:00PM") == ""


def test_rule_null_equals_no_for_yes_no_flags_only():
    assert state("dither_flag", "N", NA, None) == ""
    assert state("targname", "N", NA, None) == DRIFTED


def test_na_is_one_marker_apart_from_none():
    assert is_na(NA) and not is_na(None) and not is_na("")
    assert copy.deepcopy(NA) is NA and pickle.loads(pickle.dumps(NA)) is NA
    with pytest.raises(TypeError):
        bool(NA)  # like pandas' NA: `if value:` cannot silently read n/a as empty


# --------------------------------------------------------------------------------------------- pure merge


def test_merge_of_one_revision():
    rev = Rev("7.001", {"targname": "Old", "y_det_offset": 0.5, "pi_name": "Jones"}, {"targname": "New"})
    merged = merge_rows({"targname": "New", "y_det_offset": 0.7, "pi_name": "Smith"}, [rev], obsid=7)
    assert all(tuple(r) == COLUMNS for r in merged) and names(merged) == list(PARAMETERS)
    targ = row(merged, "targname")
    assert (targ["original"], targ["requested"], targ["current"], targ["state"]) == ("Old", "New", "New", APPLIED)
    assert targ["asked"] and targ["changed"] and targ["revision"] == "7.001" and targ["obsid"] == 7
    offset = row(merged, "y_det_offset")
    assert offset["requested"] is NA and not offset["asked"] and offset["state"] == DRIFTED
    pi = row(merged, "pi_name")  # compare_but_uneditable: original overwritten with current, never coloured
    assert pi["frozen"] and pi["original"] == "Smith" and pi["state"] == ""
    assert row(merged, "instrument")["original"] is None  # an absent original row is NULL (D2)
    assert targ["unit"] is None and offset["unit"] == "arcmin"  # text columns keep None (not NaN)


def test_merge_without_originals_shows_na_and_never_drifts():
    merged = merge_rows({"targname": "Crab", "comments": None}, [Rev("7.002", {}, {"comments": "why"})])
    targ = row(merged, "targname")
    assert targ["original"] is NA and targ["state"] == ""
    comments = row(merged, "comments")
    assert comments["original"] is NA and comments["changed"] and comments["state"] == PENDING


def test_merge_latest_request_wins_and_names_its_revision():
    revs = [
        Rev("7.001", {"targname": "A"}, {"targname": "B", "remarks": "r"}),
        Rev("7.002", {"targname": "A"}, {"targname": "C", "not_in_catalogue": 1}),
    ]
    merged = merge_rows({"targname": "C", "remarks": None}, revs)
    assert (row(merged, "targname")["requested"], row(merged, "targname")["revision"]) == ("C", "7.002")
    assert (row(merged, "remarks")["requested"], row(merged, "remarks")["revision"]) == ("r", "7.001")
    assert row(merged, "instrument")["revision"] == "7.002"
    extra = row(merged, "not_in_catalogue")
    assert names(merged)[-1] == "not_in_catalogue" and extra["label"] == "not_in_catalogue"
    assert extra["state"] == PENDING


def test_merge_without_revisions_original_is_current():
    merged = merge_rows({"targname": "Crab"}, [])
    assert row(merged, "targname")["original"] == "Crab" and row(merged, "targname")["revision"] is NA
    assert set(column(merged, "state")) == {""} and not any(column(merged, "asked"))


def test_merge_with_the_ocat_unreadable():
    merged = merge_rows(None, [Rev("7.001", {"targname": "A"}, {"targname": "B"})])
    targ = row(merged, "targname")
    assert targ["current"] is NA and targ["state"] == UNKNOWN
    assert set(column(merged, "state")) == {UNKNOWN, ""}
    assert row(merged, "instrument")["original"] is None  # NA stays apart from None (NULL)


def test_requested_rows_keep_only_what_some_revision_requests():
    revs = [
        Rev("7.001", {"targname": "A"}, {"targname": "B", "y_det_offset": 2.0}),
        Rev("7.002", {}, {"remarks": None}),
    ]
    rows = requested_rows({"targname": "B", "y_det_offset": 0.5, "remarks": "r"}, revs, obsid=7)
    assert names(rows) == ["targname", "y_det_offset", "remarks"]  # catalogue order
    assert column(rows, "state") == [APPLIED, PENDING, PENDING]
    assert column(rows, "revision") == ["7.001", "7.001", "7.002"]
    assert requested_rows({"targname": "B"}, []) == []


def test_split_ranks_compare_per_rank_and_column():
    original = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [10.0], "roll_tolerance": [5.0]}
    requested = {
        "roll": [20.0, 30.0],
        "roll_constraint": ["Y", "P"],
        "roll_180": ["N", "N"],
        "roll_tolerance": [5.0, 1.0],
    }
    current = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [20.0], "roll_tolerance": [5.0]}
    merged = merge_rows(current, [Rev("7.001", original, requested)], split_ranks=True)
    assert "roll" not in {r["name"] for r in merged if r["rank"] == 0}  # the whole-list rows are replaced
    order = row(merged, "roll_ordr")
    assert (order["original"], order["requested"], order["current"], order["state"]) == (1, 2, 1, PENDING)
    assert order["rank_set"] == "roll"
    assert row(merged, "roll", 1)["state"] == APPLIED and row(merged, "roll", 1)["asked"]
    assert row(merged, "roll_constraint", 1)["state"] == "" and not row(merged, "roll_constraint", 1)["asked"]
    assert row(merged, "roll", 2)["state"] == PENDING and row(merged, "roll", 2)["current"] is None


def test_split_ranks_a_set_turned_off_is_applied_once_the_ocat_has_no_ranks():
    original = {"window_constraint": ["Y"], "tstart": ["2026-01-01T00:00:00Z"], "tstop": ["2026-02-01T00:00:00Z"]}
    requested = {"window_flag": "N", "window_constraint": None, "tstart": None, "tstop": None}
    merged = merge_rows({"window_flag": "N"}, [Rev("7.001", original, requested)], split_ranks=True)
    assert row(merged, "time_ordr")["state"] == APPLIED
    tstart = row(merged, "tstart", 1)
    assert tstart["state"] == APPLIED and tstart["requested"] is None and tstart["asked"]


def test_split_ranks_without_originals():
    merged = merge_rows({"chip": ["I3"]}, [Rev("7.001", {}, {"chip": ["I3"]})], split_ranks=True)
    assert row(merged, "window_ordr")["original"] is NA
    chip = row(merged, "chip", 1)
    assert chip["original"] is NA and chip["asked"] and chip["state"] == APPLIED


# -------------------------------------------------------------------------------- observation_rows (DB, Ocat)


@pytest.fixture
def originals_12345(ocat_source: SqlAlchemySource, obs_ss: Path) -> dict[str, Any]:
    """What the editor would store as originals for 12345 (non-null stored values)."""
    values = parameter_values(read_observation(ocat_source, 12345, obs_ss))
    return {n: v for n, v in values.items() if PARAMETERS[n].stored and v is not None}


def test_without_revisions_original_is_current(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    assert all(tuple(r) == COLUMNS for r in merged)
    assert names(merged) == list(PARAMETERS)
    targ = cell(merged, 12345, "targname")
    assert targ["original"] == targ["current"] == "Cas A" and targ["requested"] is NA
    assert targ["label"] == "Target Name" and targ["section"] == "general"
    assert not any(column(merged, "changed")) and set(column(merged, "state")) == {""}
    assert cell(merged, 12345, "tstart")["current"] == cell(merged, 12345, "tstart")["original"]
    assert len(cell(merged, 12345, "tstart")["current"]) == 2


def test_a_pending_request(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345) -> None:
    make_revision(session, 12345, originals=originals_12345, requests={"targname": "Cas A North", "y_det_offset": 2.0})
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    targ = cell(merged, 12345, "targname")
    assert (targ["original"], targ["requested"], targ["current"]) == ("Cas A", "Cas A North", "Cas A")
    assert targ["changed"] and targ["state"] == "pending" and targ["revision"] == "12345.001"
    assert cell(merged, 12345, "y_det_offset")["changed"]
    other = cell(merged, 12345, "instrument")
    assert other["requested"] is NA and not other["changed"] and other["state"] == ""
    assert other["revision"] == "12345.001"
    assert sum(column(merged, "changed")) == 2


def test_an_applied_request_and_an_ocat_change_without_request(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345
) -> None:
    originals = {**originals_12345, "targname": "Cas A (old)", "ra": 10.5}
    make_revision(session, 12345, originals=originals, requests={"targname": "Cas A"})
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    targ = cell(merged, 12345, "targname")
    assert targ["changed"] and targ["state"] == "applied"
    ra = cell(merged, 12345, "ra")
    assert ra["original"] == 10.5 and ra["current"] == 350.85 and ra["requested"] is NA
    assert not ra["changed"] and ra["state"] == DRIFTED


def test_closed_revisions_are_ignored(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 12345, requests={"targname": "Closed"}, signoff=SIGNED)
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(merged, 12345, "targname")["requested"] is NA
    assert all(is_na(r) for r in column(merged, "revision"))


def test_the_latest_open_request_wins(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 12345, requests={"targname": "First", "comments": "c1"})
    make_revision(session, 12345, requests={"targname": "Second"})
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(merged, 12345, "targname")["requested"] == "Second"
    assert cell(merged, 12345, "targname")["revision"] == "12345.002"
    assert cell(merged, 12345, "comments")["requested"] == "c1"
    assert cell(merged, 12345, "comments")["revision"] == "12345.001"


def test_a_clear_request_is_none_not_na(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(
        session, 12345, originals={"remarks": "Avoid the bright star in the northern rim."}, requests={"remarks": None}
    )
    row = cell(observation_rows(session, ocat_source, [12345], obs_ss=obs_ss), 12345, "remarks")
    assert row["requested"] is None and row["changed"] and row["state"] == "pending"


def test_a_revision_without_originals_shows_original_as_na_d18(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path
) -> None:
    make_revision(session, 12345, originals={}, requests={"comments": "why"})
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(merged, 12345, "comments")["original"] is NA and cell(merged, 12345, "comments")["changed"]
    assert cell(merged, 12345, "ra_hms")["original"] == "23:23:24.0000"  # not a stored name: as loaded now


def test_rank_columns_and_null_equals_no(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345
) -> None:
    tstart = cell(observation_rows(session, ocat_source, [12345], obs_ss=obs_ss), 12345, "tstart")["current"]
    new = [tstart[0], "2027-06-01T00:00:00Z"]
    make_revision(
        session,
        12345,
        originals=originals_12345,
        requests={"tstart": new, "photometry_flag": "N", "window_constraint": ["Y", "P"]},
    )
    merged = observation_rows(session, ocat_source, [12345], obs_ss=obs_ss)
    row = cell(merged, 12345, "tstart")
    assert row["requested"] == new and row["changed"] and row["state"] == "pending"
    assert not cell(merged, 12345, "window_constraint")["changed"]
    photometry = cell(merged, 12345, "photometry_flag")
    assert photometry["original"] is None and not photometry["changed"] and photometry["state"] == "applied"


def test_several_obsids_in_one_frame(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 1007, requests={"targname": "Cen A lobe"})
    merged = observation_rows(session, ocat_source, [1007, 12345, 99999, 1007], obs_ss=obs_ss)
    assert list(dict.fromkeys(column(merged, "obsid"))) == [1007, 12345]
    assert len(merged) == 2 * len(PARAMETERS)
    assert cell(merged, 1007, "targname")["requested"] == "Cen A lobe"
    assert cell(merged, 12345, "targname")["requested"] is NA
    assert cell(merged, 1007, "group_obsid")["current"] == [1007, 1008]
    assert ocat_source.round_trips <= 4
