"""The history page's pure shaping: grid rows from an `ObsidHistory` (the merge's requested rows, revisions)."""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go

from callbacks._figures_analytics import WHITE
from callbacks._figures_history import timeline_figure
from callbacks._grids_history import current_rows, revision_rows
from data.parameters.catalogue import SIGNOFF_COLUMNS
from data.revisions.compare import requested_rows
from data.revisions.history import HistoryEvent, ObsidHistory, revision_changes
from data.revisions.store import RevisionView

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def fmt(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def view(rev: int, *, originals=None, requests=None, statuses=None, kind="norm") -> RevisionView:  # noqa: ANN001
    statuses = statuses or {"general": "Pending", "usint": "Pending"}
    signoff = {c: {"status": statuses.get(c, "Not Required"), "user": None, "time": None} for c in SIGNOFF_COLUMNS}
    return RevisionView(
        id=rev,
        obsid=7,
        revision_number=rev,
        kind=kind,
        sequence_number=1,
        time=T0,
        user="alice",
        user_id=1,
        notes={},
        signoff=signoff,
        originals=originals or {},
        requests=requests or {},
    )


def history(revisions, current, *, events=(), removed=()) -> ObsidHistory:  # noqa: ANN001
    return ObsidHistory(
        obsid=7,
        now=T0,
        revisions=revisions,
        waits=[],
        events=list(events),
        changes={v.obsidrev: revision_changes(v) for v in revisions},
        current=requested_rows(current, revisions, obsid=7),
        removed=list(removed),
    )


def test_current_rows_show_the_merge_state_of_every_requested_parameter():
    revs = [
        view(1, originals={"targname": "A"}, requests={"targname": "B", "y_det_offset": 2.0}),
        view(2, originals={"targname": "A"}, requests={"targname": "C"}),
    ]
    rows = {r["name"]: r for r in current_rows(history(revs, {"targname": "C", "y_det_offset": 0.5}))}
    assert set(rows) == {"targname", "y_det_offset"}
    assert (rows["targname"]["requested"], rows["targname"]["revision"], rows["targname"]["state"]) == (
        "C",
        "7.002",
        "applied",
    )
    assert rows["targname"]["state_text"] == "in the Ocat"
    assert rows["y_det_offset"]["state"] == "pending" and rows["y_det_offset"]["parameter"].endswith("[arcmin]")


def test_current_rows_with_the_ocat_unreadable():
    rows = current_rows(history([view(1, requests={"targname": "B"})], None))
    assert rows[0]["current"] == "unavailable" and rows[0]["state"] == "unknown"


def test_revision_rows_newest_first_with_signoffs_events_and_removed_ones():
    revs = [view(1, requests={"targname": "B"}, statuses={"general": "Signed", "usint": "Signed"}), view(2)]
    event = HistoryEvent(T0, "alice", "undo.revision", "7.003", None, None)
    rows = revision_rows(history(revs, {}, events=[event], removed=["7.003"]), fmt)
    assert [r["obsidrev"] for r in rows] == ["7.002", "7.001", "7.003"]
    assert (
        rows[0]["state"] == "open" and rows[1]["state"] == "closed" and rows[1]["requested"] == "Target Name: n/a → B"
    )
    assert (rows[0]["usint"], rows[0]["acis"]) == ("Pending", "")  # Not Required columns are empty
    assert rows[2]["removed"] and not rows[2]["link"] and "removed the revision" in rows[2]["events"]


def test_requested_text_original_is_na_only_without_originals():
    revs = [
        view(1, originals={}, requests={"targname": "B"}),
        view(2, originals={"targname": "A"}, requests={"targname": "C", "remarks": "r"}),
    ]
    rows = {r["obsidrev"]: r["requested"] for r in revision_rows(history(revs, {}), fmt)}
    assert rows["7.001"] == "Target Name: n/a → B"
    assert (
        rows["7.002"] == "Target Name: A → C; Remarks: — → r"
    )  # an absent original of a revision with originals is NULL


def test_timeline_figure_is_a_valid_plotly_dict_with_the_small_template():
    revs = [view(1, requests={"targname": "B"}, statuses={"general": "Signed", "usint": "Pending"}), view(2)]
    figure = timeline_figure(history(revs, {}), "America/New_York")
    go.Figure(figure)  # raises on anything Plotly does not know
    assert figure["layout"]["template"] is WHITE
    assert figure["layout"]["title"]["text"] == "Revisions of 7: sign-off waits and events"
