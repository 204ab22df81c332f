"""The one three-way merge (D18): the rule (`state`), the pure `merge` and `observation_frame` over the DB and Ocat."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data.ocat.read import parameter_values, read_observation
from data.ocat.sources import SqlAlchemySource
from data.parameters.catalogue import PARAMETERS
from data.revisions.compare import (
    APPLIED,
    COLUMNS,
    DRIFTED,
    PENDING,
    UNKNOWN,
    merge,
    observation_frame,
    records,
    requested_rows,
    state,
)
from tests.factories import make_revision

SIGNED = {c: "Signed" for c in ("general", "acis", "acis_si", "hrc_si", "usint")}


def cell(frame: pd.DataFrame, obsid: int, name: str) -> dict[str, Any]:
    rows = frame[(frame.obsid == obsid) & (frame.name == name)]
    assert len(rows) == 1
    return {col: rows[col].iloc[0] for col in rows.columns}  # column-wise: a row Series would turn NA into None


NA = pd.NA


@dataclass
class Rev:
    """A revision as the merge reads it."""

    obsidrev: str
    originals: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, Any] = field(default_factory=dict)


def row(frame: pd.DataFrame, name: str, rank: int = 0) -> dict[str, Any]:
    rows = frame[(frame.name == name) & (frame["rank"] == rank)]
    assert len(rows) == 1
    return {col: rows[col].iloc[0] for col in rows.columns}


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


# --------------------------------------------------------------------------------------------- pure merge


def test_merge_of_one_revision():
    rev = Rev("7.001", {"targname": "Old", "y_det_offset": 0.5, "pi_name": "Jones"}, {"targname": "New"})
    frame = merge({"targname": "New", "y_det_offset": 0.7, "pi_name": "Smith"}, [rev], obsid=7)
    assert tuple(frame.columns) == COLUMNS and list(frame.name) == list(PARAMETERS)
    targ = row(frame, "targname")
    assert (targ["original"], targ["requested"], targ["current"], targ["state"]) == ("Old", "New", "New", APPLIED)
    assert targ["asked"] and targ["changed"] and targ["revision"] == "7.001" and targ["obsid"] == 7
    offset = row(frame, "y_det_offset")
    assert offset["requested"] is NA and not offset["asked"] and offset["state"] == DRIFTED
    pi = row(frame, "pi_name")  # compare_but_uneditable: original overwritten with current, never coloured
    assert pi["frozen"] and pi["original"] == "Smith" and pi["state"] == ""
    assert row(frame, "instrument")["original"] is None  # an absent original row is NULL (D2)
    assert targ["unit"] is None and offset["unit"] == "arcmin"  # text columns keep None (not NaN)


def test_merge_without_originals_shows_na_and_never_drifts():
    frame = merge({"targname": "Crab", "comments": None}, [Rev("7.002", {}, {"comments": "why"})])
    targ = row(frame, "targname")
    assert targ["original"] is NA and targ["state"] == ""
    comments = row(frame, "comments")
    assert comments["original"] is NA and comments["changed"] and comments["state"] == PENDING


def test_merge_latest_request_wins_and_names_its_revision():
    revs = [
        Rev("7.001", {"targname": "A"}, {"targname": "B", "remarks": "r"}),
        Rev("7.002", {"targname": "A"}, {"targname": "C", "not_in_catalogue": 1}),
    ]
    frame = merge({"targname": "C", "remarks": None}, revs)
    assert (row(frame, "targname")["requested"], row(frame, "targname")["revision"]) == ("C", "7.002")
    assert (row(frame, "remarks")["requested"], row(frame, "remarks")["revision"]) == ("r", "7.001")
    assert row(frame, "instrument")["revision"] == "7.002"
    extra = row(frame, "not_in_catalogue")
    assert list(frame.name)[-1] == "not_in_catalogue" and extra["label"] == "not_in_catalogue"
    assert extra["state"] == PENDING


def test_merge_without_revisions_original_is_current():
    frame = merge({"targname": "Crab"}, [])
    assert row(frame, "targname")["original"] == "Crab" and row(frame, "targname")["revision"] is NA
    assert set(frame.state) == {""} and not frame.asked.any()


def test_merge_with_the_ocat_unreadable():
    frame = merge(None, [Rev("7.001", {"targname": "A"}, {"targname": "B"})])
    targ = row(frame, "targname")
    assert targ["current"] is NA and targ["state"] == UNKNOWN
    assert set(frame.state) == {UNKNOWN, ""}
    by_name = {r["name"]: r for r in records(frame)}  # rows as dicts keep NA apart from None
    assert by_name["targname"]["current"] is NA and by_name["instrument"]["original"] is None


def test_requested_rows_keep_only_what_some_revision_requests():
    revs = [
        Rev("7.001", {"targname": "A"}, {"targname": "B", "y_det_offset": 2.0}),
        Rev("7.002", {}, {"remarks": None}),
    ]
    rows = requested_rows({"targname": "B", "y_det_offset": 0.5, "remarks": "r"}, revs, obsid=7)
    assert list(rows.name) == ["targname", "y_det_offset", "remarks"]  # catalogue order
    assert list(rows.state) == [APPLIED, PENDING, PENDING] and list(rows.revision) == ["7.001", "7.001", "7.002"]
    assert requested_rows({"targname": "B"}, []).empty


def test_split_ranks_compare_per_rank_and_column():
    original = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [10.0], "roll_tolerance": [5.0]}
    requested = {
        "roll": [20.0, 30.0],
        "roll_constraint": ["Y", "P"],
        "roll_180": ["N", "N"],
        "roll_tolerance": [5.0, 1.0],
    }
    current = {"roll_constraint": ["Y"], "roll_180": ["N"], "roll": [20.0], "roll_tolerance": [5.0]}
    frame = merge(current, [Rev("7.001", original, requested)], split_ranks=True)
    assert "roll" not in set(frame[frame["rank"] == 0].name)  # the whole-list rows are replaced
    order = row(frame, "roll_ordr")
    assert (order["original"], order["requested"], order["current"], order["state"]) == (1, 2, 1, PENDING)
    assert order["rank_set"] == "roll"
    assert row(frame, "roll", 1)["state"] == APPLIED and row(frame, "roll", 1)["asked"]
    assert row(frame, "roll_constraint", 1)["state"] == "" and not row(frame, "roll_constraint", 1)["asked"]
    assert row(frame, "roll", 2)["state"] == PENDING and row(frame, "roll", 2)["current"] is None


def test_split_ranks_a_set_turned_off_is_applied_once_the_ocat_has_no_ranks():
    original = {"window_constraint": ["Y"], "tstart": ["2026-01-01T00:00:00Z"], "tstop": ["2026-02-01T00:00:00Z"]}
    requested = {"window_flag": "N", "window_constraint": None, "tstart": None, "tstop": None}
    frame = merge({"window_flag": "N"}, [Rev("7.001", original, requested)], split_ranks=True)
    assert row(frame, "time_ordr")["state"] == APPLIED
    tstart = row(frame, "tstart", 1)
    assert tstart["state"] == APPLIED and tstart["requested"] is None and tstart["asked"]


def test_split_ranks_without_originals():
    frame = merge({"chip": ["I3"]}, [Rev("7.001", {}, {"chip": ["I3"]})], split_ranks=True)
    assert row(frame, "window_ordr")["original"] is NA
    chip = row(frame, "chip", 1)
    assert chip["original"] is NA and chip["asked"] and chip["state"] == APPLIED


# ------------------------------------------------------------------------------- observation_frame (DB, Ocat)


@pytest.fixture
def originals_12345(ocat_source: SqlAlchemySource, obs_ss: Path) -> dict[str, Any]:
    """What the editor would store as originals for 12345 (non-null stored values)."""
    values = parameter_values(read_observation(ocat_source, 12345, obs_ss))
    return {n: v for n, v in values.items() if PARAMETERS[n].stored and v is not None}


def test_without_revisions_original_is_current(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    assert tuple(frame.columns) == COLUMNS
    assert list(frame.name) == list(PARAMETERS)
    targ = cell(frame, 12345, "targname")
    assert targ["original"] == targ["current"] == "Cas A" and targ["requested"] is pd.NA
    assert targ["label"] == "Target Name" and targ["section"] == "general"
    assert not frame.changed.any() and set(frame.state) == {""}
    assert cell(frame, 12345, "tstart")["current"] == cell(frame, 12345, "tstart")["original"]
    assert len(cell(frame, 12345, "tstart")["current"]) == 2


def test_a_pending_request(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345) -> None:
    make_revision(session, 12345, originals=originals_12345, requests={"targname": "Cas A North", "y_det_offset": 2.0})
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    targ = cell(frame, 12345, "targname")
    assert (targ["original"], targ["requested"], targ["current"]) == ("Cas A", "Cas A North", "Cas A")
    assert targ["changed"] and targ["state"] == "pending" and targ["revision"] == "12345.001"
    assert cell(frame, 12345, "y_det_offset")["changed"]
    other = cell(frame, 12345, "instrument")
    assert other["requested"] is pd.NA and not other["changed"] and other["state"] == ""
    assert other["revision"] == "12345.001"
    assert int(frame.changed.sum()) == 2


def test_an_applied_request_and_an_ocat_change_without_request(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345
) -> None:
    originals = {**originals_12345, "targname": "Cas A (old)", "ra": 10.5}
    make_revision(session, 12345, originals=originals, requests={"targname": "Cas A"})
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    targ = cell(frame, 12345, "targname")
    assert targ["changed"] and targ["state"] == "applied"
    ra = cell(frame, 12345, "ra")
    assert ra["original"] == 10.5 and ra["current"] == 350.85 and ra["requested"] is pd.NA
    assert not ra["changed"] and ra["state"] == DRIFTED


def test_closed_revisions_are_ignored(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 12345, requests={"targname": "Closed"}, signoff=SIGNED)
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(frame, 12345, "targname")["requested"] is pd.NA
    assert frame.revision.isna().all()


def test_the_latest_open_request_wins(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 12345, requests={"targname": "First", "comments": "c1"})
    make_revision(session, 12345, requests={"targname": "Second"})
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(frame, 12345, "targname")["requested"] == "Second"
    assert cell(frame, 12345, "targname")["revision"] == "12345.002"
    assert cell(frame, 12345, "comments")["requested"] == "c1"
    assert cell(frame, 12345, "comments")["revision"] == "12345.001"


def test_a_clear_request_is_none_not_na(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(
        session, 12345, originals={"remarks": "Avoid the bright star in the northern rim."}, requests={"remarks": None}
    )
    row = cell(observation_frame(session, ocat_source, [12345], obs_ss=obs_ss), 12345, "remarks")
    assert row["requested"] is None and row["changed"] and row["state"] == "pending"


def test_a_revision_without_originals_shows_original_as_na_d18(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path
) -> None:
    make_revision(session, 12345, originals={}, requests={"comments": "why"})
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    assert cell(frame, 12345, "comments")["original"] is pd.NA and cell(frame, 12345, "comments")["changed"]
    assert cell(frame, 12345, "ra_hms")["original"] == "23:23:24.0000"  # not a stored name: as loaded now


def test_rank_columns_and_null_equals_no(
    session: Session, ocat_source: SqlAlchemySource, obs_ss: Path, originals_12345
) -> None:
    tstart = cell(observation_frame(session, ocat_source, [12345], obs_ss=obs_ss), 12345, "tstart")["current"]
    new = [tstart[0], "2027-06-01T00:00:00Z"]
    make_revision(
        session,
        12345,
        originals=originals_12345,
        requests={"tstart": new, "photometry_flag": "N", "window_constraint": ["Y", "P"]},
    )
    frame = observation_frame(session, ocat_source, [12345], obs_ss=obs_ss)
    row = cell(frame, 12345, "tstart")
    assert row["requested"] == new and row["changed"] and row["state"] == "pending"
    assert not cell(frame, 12345, "window_constraint")["changed"]
    photometry = cell(frame, 12345, "photometry_flag")
    assert photometry["original"] is None and not photometry["changed"] and photometry["state"] == "applied"


def test_several_obsids_in_one_frame(session: Session, ocat_source: SqlAlchemySource, obs_ss: Path) -> None:
    make_revision(session, 1007, requests={"targname": "Cen A lobe"})
    frame = observation_frame(session, ocat_source, [1007, 12345, 99999, 1007], obs_ss=obs_ss)
    assert list(dict.fromkeys(frame.obsid)) == [1007, 12345]
    assert len(frame) == 2 * len(PARAMETERS)
    assert cell(frame, 1007, "targname")["requested"] == "Cen A lobe"
    assert cell(frame, 12345, "targname")["requested"] is pd.NA
    assert cell(frame, 1007, "group_obsid")["current"] == [1007, 1008]
    assert ocat_source.round_trips <= 4
