"""observation_frame: original / requested / current per obsid × parameter, from open revisions and the Ocat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from data.ocat.read import parameter_values, read_observation
from data.ocat.sources import SqlAlchemySource
from data.parameters.catalogue import PARAMETERS
from data.revisions.compare import COLUMNS, observation_frame
from tests.factories import make_revision

SIGNED = {c: "Signed" for c in ("general", "acis", "acis_si", "hrc_si", "usint")}


def cell(frame: pd.DataFrame, obsid: int, name: str) -> dict[str, Any]:
    rows = frame[(frame.obsid == obsid) & (frame.name == name)]
    assert len(rows) == 1
    return {col: rows[col].iloc[0] for col in rows.columns}  # column-wise: a row Series would turn NA into None


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
    assert not ra["changed"] and ra["state"] == "ocat_changed"


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
    make_revision(session, 12345, originals={"remarks": "Avoid the bright star in the northern rim."},
                  requests={"remarks": None})  # fmt: skip
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
    make_revision(session, 12345, originals=originals_12345,
                  requests={"tstart": new, "photometry_flag": "N", "window_constraint": ["Y", "P"]})  # fmt: skip
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
