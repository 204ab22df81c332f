"""The board frame (D12): which revisions are listed, badges, colours, the change token."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from data.board.frame import board_frame
from data.board.rows import COLORS, assign_colors, change_token
from data.models import DISCARD, NOT_REQUIRED, PENDING, SIGNED, SIGNOFF_PREFIXES, Revision, Signoff, User
from data.revisions.signoffs import sign
from data.settings import DEFAULT_PERMISSIONS

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
HOUR = 3600


def make_board_revision(
    session: Session,
    *,
    obsid: int,
    rev: int,
    user: User,
    submitted: datetime | None = None,
    kind: str = "norm",
    notes: dict[str, Any] | None = None,
    pending: tuple[str, ...] = ("general", "usint"),
    signed: dict[str, tuple[User, datetime]] | None = None,
    discarded: tuple[str, ...] = (),
) -> Revision:
    """A revision with its sign-off row: `pending` columns Pending, `signed` columns Signed, the rest Not Required."""
    submitted = submitted or NOW - timedelta(days=2)
    revision = Revision(
        obsid=obsid,
        revision_number=rev,
        kind=kind,
        sequence_number=500000 + obsid % 1000,
        time=int(submitted.timestamp()),
        notes=json.dumps(notes) if notes else None,
        user_id=user.id,
    )
    session.add(revision)
    session.flush()
    values: dict[str, Any] = {"revision_id": revision.id}
    signed = signed or {}
    for col in SIGNOFF_PREFIXES:
        status, who, at = NOT_REQUIRED, None, None
        if col in pending:
            status = PENDING
        if col in signed:
            status, who, at = SIGNED, signed[col][0].id, int(signed[col][1].timestamp())
        if col in discarded:
            status, who, at = DISCARD, user.id, int(submitted.timestamp()) + HOUR
        values[f"{col}_status"], values[f"{col}_signoff_id"], values[f"{col}_time"] = status, who, at
    session.add(Signoff(**values))
    session.flush()
    return revision


def closed(session: Session, users: dict[str, User], *, obsid: int, rev: int, last: datetime, **kw: Any) -> Revision:
    return make_board_revision(
        session,
        obsid=obsid,
        rev=rev,
        user=users["alice"],
        submitted=last - timedelta(days=5),
        pending=(),
        signed={"general": (users["bob"], last - timedelta(hours=3)), "usint": (users["alice"], last)},
        **kw,
    )


def frame_of(session: Session, **kw: Any):
    return board_frame(session, now=NOW, closed_window_h=36, **kw)


def test_board_lists_every_open_revision_however_old(session, users):
    for i in range(250):
        make_board_revision(
            session, obsid=10000 + i, rev=1, user=users["alice"], submitted=NOW - timedelta(days=400 + i)
        )
    frame = frame_of(session)
    assert len(frame) == 250
    assert frame["is_open"].all()


def test_closed_window_edges_at_exactly_36_hours(session, users):
    closed(session, users, obsid=20001, rev=1, last=NOW - timedelta(hours=36))
    closed(session, users, obsid=20002, rev=1, last=NOW - timedelta(hours=36, seconds=1))
    closed(session, users, obsid=20003, rev=1, last=NOW - timedelta(hours=1))
    frame = frame_of(session)
    listed = set(frame["obsidrev"])
    assert "20001.001" in listed
    assert "20002.001" not in listed
    assert "20003.001" in listed
    assert not frame["is_open"].any()
    # Closed rows: most recently closed first; the next one to drop out is the 36 h one.
    assert list(frame["obsidrev"]) == ["20003.001", "20001.001"]
    assert frame.attrs["meta"].next_expiry == NOW


def test_window_uses_last_signoff_time_not_submission(session, users):
    closed(session, users, obsid=20010, rev=1, last=NOW - timedelta(hours=2))  # submitted 5 days ago
    assert "20010.001" in set(frame_of(session)["obsidrev"])


def test_discarded_revisions_are_closed(session, users):
    make_board_revision(
        session,
        obsid=20020,
        rev=1,
        user=users["alice"],
        submitted=NOW - timedelta(hours=5),
        pending=(),
        discarded=("general", "usint"),
    )
    frame = frame_of(session)
    row = frame.set_index("obsidrev").loc["20020.001"]
    assert not row["is_open"]
    assert row["usint_status"] == DISCARD


def test_open_rows_come_first_oldest_first_then_closed(session, users):
    make_board_revision(session, obsid=30001, rev=1, user=users["alice"], submitted=NOW - timedelta(hours=5))
    make_board_revision(session, obsid=30002, rev=1, user=users["alice"], submitted=NOW - timedelta(hours=50))
    closed(session, users, obsid=30003, rev=1, last=NOW - timedelta(hours=1))
    assert list(frame_of(session)["obsidrev"]) == ["30002.001", "30001.001", "30003.001"]


def test_badges_from_notes_and_derived(session, users):
    notes = {
        "large_coordinate_change": True,
        "on_or_list": True,
        "obsdate_under10": True,
        "instrument_change": True,
        "grating_change": True,
        "target_name_change": True,
    }
    make_board_revision(session, obsid=40001, rev=1, user=users["alice"], notes=notes)
    make_board_revision(session, obsid=40001, rev=2, user=users["alice"])
    closed(session, users, obsid=40001, rev=3, last=NOW - timedelta(days=10))
    make_board_revision(
        session,
        obsid=40002,
        rev=1,
        user=users["alice"],
        kind="asis",
        pending=(),
        signed={"usint": (users["alice"], NOW - timedelta(days=20))},
    )
    make_board_revision(session, obsid=40002, rev=2, user=users["alice"])
    frame = frame_of(session).set_index("obsidrev")
    first = frame.loc["40001.001", "badges"]
    assert first == [
        "multiple_open",
        "higher_signed",
        "large_coordinate_change",
        "on_or_list",
        "obsdate_under10",
        "instrument_change",
        "grating_change",
        "target_name_change",
    ]
    assert frame.loc["40001.002", "badges"] == ["multiple_open", "higher_signed"]
    assert frame.loc["40002.002", "badges"] == ["approved"]
    assert bool(frame.loc["40002.002", "approved"]) is True
    assert "40001.003" not in frame.index  # closed 10 days ago


def test_signoff_columns_who_when_and_waited(session, users):
    make_board_revision(
        session,
        obsid=50001,
        rev=1,
        user=users["alice"],
        submitted=NOW - timedelta(hours=10),
        pending=("acis", "usint"),
        signed={"general": (users["bob"], NOW - timedelta(hours=4))},
    )
    row = frame_of(session, user=users["alice"]).iloc[0]
    assert row["general_status"] == SIGNED and row["general_by"] == "bob"
    assert row["general_at"] == NOW - timedelta(hours=4)
    assert row["general_waited_h"] == 6.0  # took 6 h
    assert row["acis_status"] == PENDING and row["acis_waited_h"] == 10.0
    assert row["usint_waited_h"] == 4.0  # since the last edit sign-off
    assert pd.isna(row["hrc_si_waited_h"])
    assert bool(row["mine"]) is True
    assert row["submitter"] == "alice"


def test_colour_key_marks_obsids_with_several_open_revisions(session, users):
    make_board_revision(session, obsid=60001, rev=1, user=users["alice"])
    make_board_revision(session, obsid=60001, rev=2, user=users["alice"])
    make_board_revision(session, obsid=60002, rev=1, user=users["alice"])
    frame = frame_of(session).set_index("obsidrev")
    colour = dict(COLORS)[frame.loc["60001.001", "color_name"]]
    assert frame.loc["60001.001", "color"] == frame.loc["60001.002", "color"] == colour
    assert pd.isna(frame.loc["60002.001", "color"])


def test_assign_colors_is_stable_and_unique_up_to_28():
    obsids = list(range(1000, 1000 + 28 * 3, 3))[:28]
    colours = assign_colors(obsids)
    assert len({c for c in colours.values()}) == 28
    assert assign_colors([56, 84])[56] == COLORS[0]  # 56 % 28 == 0
    assert assign_colors([56, 84])[84] == COLORS[1]  # same slot: probes to the next one
    assert assign_colors([84])[84] == COLORS[0]
    assert all(c[1].startswith("rgba(") for c in COLORS)


def test_ocat_down_leaves_target_and_pi_empty_with_a_flag(session, users):
    class Down:
        def fetch(self, *_a: Any, **_k: Any) -> Any:
            raise OSError("Ocat is down")

    make_board_revision(session, obsid=70001, rev=1, user=users["alice"])
    frame = frame_of(session, ocat=Down())
    assert frame.attrs["meta"].ocat_ok is False
    assert pd.isna(frame.iloc[0]["target"]) and pd.isna(frame.iloc[0]["pi"])


def test_change_token_one_query_and_same_when_nothing_changed(session, users, engine):
    make_board_revision(session, obsid=80001, rev=1, user=users["alice"])
    first = change_token(session)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().split()[0].upper() not in {"BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"}:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        again = change_token(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert again == first
    assert len(statements) == 1


def test_change_token_moves_on_a_signoff_and_a_new_revision(session, users):
    make_board_revision(session, obsid=80002, rev=1, user=users["alice"])
    before = change_token(session)
    sign(session, 80002, 1, "general", user=users["bob"], now=NOW, permissions=DEFAULT_PERMISSIONS)
    after_sign = change_token(session)
    assert after_sign != before
    make_board_revision(session, obsid=80003, rev=1, user=users["alice"])
    assert change_token(session) != after_sign


@pytest.mark.parametrize("window_h", [1, 36, 72])
def test_window_length_is_the_setting(session, users, window_h):
    closed(session, users, obsid=90001, rev=1, last=NOW - timedelta(hours=window_h) + timedelta(seconds=1))
    closed(session, users, obsid=90002, rev=1, last=NOW - timedelta(hours=window_h) - timedelta(seconds=1))
    frame = board_frame(session, now=NOW, closed_window_h=window_h)
    assert set(frame["obsidrev"]) == {"90001.001"}


def test_the_live_board_does_not_import_pandas():
    """pandas is a third of a worker's memory; the board page and the status API read through these modules."""
    script = "import sys, data.board.live, data.board.rows, data.board.actions; print('pandas' in sys.modules)"
    root = Path(__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"], done.stderr


WORKER = """
import sys
from dashboard import create_app
from tests.factories import page_route_request
client = create_app({"instance_path": sys.argv[1], "dev_user": "bob"}).server.test_client()
for url in ("/api/v1/status", "/api/v1/status.csv", "/orupdate", "/ocatdatapage/12345"):
    assert client.get(url).status_code == 200, url
for path in ("/orupdate", "/ocatdatapage/12345"):
    assert client.post("/_dash-update-component", json=page_route_request(path, "")).status_code == 200, path
print("pandas" in sys.modules)
client.post("/_dash-update-component", json=page_route_request("/analytics", ""))
print("pandas" in sys.modules)
"""


def test_a_worker_serving_the_board_the_editor_and_the_status_api_never_loads_pandas(tmp_path):
    """D23: pandas (with numpy about 50 MiB) is loaded by the first page that works with frames, not at start."""
    root = Path(__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", WORKER, str(tmp_path)], cwd=root, capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"], done.stderr[-3000:]
