"""The status API: /api/v1/status(.csv) (from the live board, with ETag and 304), /api/v1/approved and POST
/api/v1/signoffs."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from dashboard import create_app
from data import clock
from data.board.frame import board_frame
from data.board.rows import COLUMNS
from data.db import make_engine, make_sessionmaker
from data.demo.ocat import build_demo_ocat
from data.demo.revisions import seed_users
from data.models import Revision, Signoff
from data.settings import load_settings
from tests.fixtures.revdb import BACKENDS, PG_ENV, create_pg_database, drop_pg_database
from web.db import ocat_source, resources, session_scope
from web.instance import prepare_instance

OBSID_TOO = 1003  # demo Ocat: DDT observation (routes e-mails)
OBSID_GO = 12345  # demo Ocat: GO observation


@pytest.fixture(scope="module")
def board_ocat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo Ocat built once for this module."""
    folder = tmp_path_factory.mktemp("board-ocat")
    build_demo_ocat(folder / "ocat.db", observations=40, obs_ss=folder / "obs_ss")
    return folder


def seed_board(database_url: str) -> dict[str, int]:
    """Demo users plus four revisions: a DDT one with general pending, a GO one ready to verify, an obsid with
    two open revisions, and one closed an hour ago."""
    engine = make_engine(database_url)
    now = int(clock.now().timestamp())
    try:
        with make_sessionmaker(engine).begin() as session:
            users = seed_users(session)
            alice, bob = users["alice"], users["bob"]

            def rev(obsid: int, n: int, statuses: dict[str, tuple[str, Any, Any]], kind: str = "norm") -> None:
                r = Revision(
                    obsid=obsid,
                    revision_number=n,
                    kind=kind,
                    sequence_number=500001,
                    time=now - 7200,
                    notes=None,
                    user_id=alice.id,
                )
                session.add(r)
                session.flush()
                values: dict[str, Any] = {"revision_id": r.id}
                for col in ("general", "acis", "acis_si", "hrc_si", "usint"):
                    status, who, at = statuses.get(col, ("Not Required", None, None))
                    values.update({f"{col}_status": status, f"{col}_signoff_id": who, f"{col}_time": at})
                session.add(Signoff(**values))

            pending = ("Pending", None, None)
            rev(OBSID_TOO, 1, {"general": pending, "usint": pending})
            rev(OBSID_GO, 1, {"general": ("Signed", bob.id, now - 3600), "usint": pending})
            rev(OBSID_GO, 2, {"general": pending, "usint": pending})
            rev(1012, 1, {"usint": ("Signed", alice.id, now - 3600)}, kind="asis")
            return {name: u.id for name, u in users.items()}
    finally:
        engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, board_ocat: Path) -> dict[str, Any]:
    """An app on a fresh revision DB seeded with `seed_board`, the module's demo Ocat, signed in as `demo`."""
    return board_settings(tmp_path, board_ocat)


def board_settings(tmp_path: Path, board_ocat: Path, **extra: Any) -> dict[str, Any]:
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(board_ocat / "ocat.db", instance / "board_ocat.db")
    shutil.copytree(board_ocat / "obs_ss", instance / "obs_ss")
    overrides = {
        "instance_path": str(instance),
        "ocat_url": f"sqlite:///{instance / 'board_ocat.db'}",
        "demo": False,
        "dev_user": "demo",
        "mail_suppress": True,
        **extra,
    }
    conf = load_settings(overrides, environ={})
    prepare_instance(conf)
    seed_board(conf.database_url)
    return overrides


def post(client: Any, body: dict[str, Any], user: str | None = None) -> Any:
    headers = {"Remote-User": user} if user else {}
    return client.post("/api/v1/signoffs", data=json.dumps(body), content_type="application/json", headers=headers)


def test_status_lists_open_and_recently_closed_rows_with_the_interface_fields(client):
    response = client.get("/api/v1/status")
    assert response.status_code == 200
    rows = {r["obsidrev"]: r for r in response.json}
    assert set(rows) == {"1003.001", "12345.001", "12345.002", "1012.001"}
    row = rows["1003.001"]
    for key in ("obsidrev", "obsid", "kind", "user", "time", "notes", "signoff", "target", "pi"):
        assert key in row
    assert row["user"] == "alice" and row["kind"] == "norm" and row["state"] == "open"
    assert row["signoff"]["general"] == {"status": "Pending", "user": None, "time": None, "waited_h": 2.0}
    assert row["target"]  # from the demo Ocat
    assert rows["12345.001"]["signoff"]["general"]["user"] == "bob"
    assert "multiple_open" in rows["12345.002"]["notes"]
    assert rows["12345.001"]["color"] == rows["12345.002"]["color"] is not None
    assert rows["1012.001"]["state"] == "closed"


def test_status_csv_has_one_line_per_row_and_flat_signoff_columns(client):
    response = client.get("/api/v1/status.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(table) == 4
    assert {"obsidrev", "target", "general_status", "usint_user", "hrc_si_waited_h"} <= set(table[0])
    row = next(r for r in table if r["obsidrev"] == "12345.001")
    assert row["general_status"] == "Signed" and row["general_user"] == "bob"


def test_approved_lists_obsids_whose_latest_asis_remove_is_asis(client):
    response = client.get("/api/v1/approved")
    assert response.status_code == 200
    assert response.json == [1012]


def test_sign_returns_the_new_signoff(client):
    response = post(client, {"obsidrev": "1003.001", "column": "general", "action": "sign", "expected": "Pending"})
    assert response.status_code == 200, response.json
    assert response.json["signoff"]["general"]["status"] == "Signed"
    assert response.json["signoff"]["general"]["user"] == "demo"
    # DDT: general done, usint pending, SI columns not required -> the USINT sign-off request goes out.
    assert response.json["mails"] == ["DDT Usint Sign Off Request: (Obsid: 1003)"]


def test_sign_of_a_column_no_longer_pending_is_409_with_who_and_when(client):
    response = post(client, {"obsidrev": "12345.001", "column": "general", "action": "sign", "expected": "Pending"})
    assert response.status_code == 409
    assert "already signed by bob at" in response.json["error"]


def test_sign_by_someone_outside_the_column_group_is_403(client):
    response = post(client, {"obsidrev": "1003.001", "column": "general", "expected": "Pending"}, user="carol")
    assert response.status_code == 403
    assert "carol" in response.json["error"]


def test_unregistered_user_is_403(client):
    response = post(client, {"obsidrev": "1003.001", "column": "general", "expected": "Pending"}, user="mallory")
    assert response.status_code == 403
    assert "not registered" in response.json["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"column": "general"},
        {"obsidrev": "1003.001", "column": "general", "action": "explode"},
        {"obsidrev": "1003.001", "column": "nope"},
        {"obsidrev": "not-an-obsidrev", "column": "general"},
        {"obsidrev": "1003.001", "action": "sign"},
    ],
)
def test_bad_input_is_400(client, body):
    response = post(client, body)
    assert response.status_code == 400, response.json
    assert response.json["error"]


def test_unknown_revision_is_404(client):
    assert post(client, {"obsidrev": "99999.001", "column": "general"}).status_code == 404


def test_verify_before_the_edit_columns_are_done_is_refused(client):
    response = post(client, {"obsidrev": "12345.002", "column": "usint", "expected": "Pending"})
    assert response.status_code == 409
    assert "waits for general" in response.json["error"]


def test_approve_signs_usint_and_adds_an_asis_revision(client):
    response = post(client, {"obsidrev": "12345.001", "action": "approve", "expected": "Pending"})
    assert response.status_code == 200, response.json
    assert response.json["signoff"]["usint"]["status"] == "Signed"
    assert response.json["approval"] == "12345.003"
    assert "Parameter Change Log: 12345.003 (Approved)" in response.json["mails"]
    assert 12345 in client.get("/api/v1/approved").json


def test_discard_closes_an_open_revision_and_is_409_when_stale(client):
    body = {"obsidrev": "12345.002", "action": "discard", "expected": "Pending"}
    response = post(client, body)
    assert response.status_code == 200, response.json
    assert response.json["signoff"]["general"]["status"] == "Discard"
    again = post(client, body)
    assert again.status_code == 409
    assert "already discarded by demo" in again.json["error"]


def test_two_clients_signing_the_same_column_at_once_one_wins(app):
    barrier = threading.Barrier(2)
    results: list[int] = []
    body = {"obsidrev": "1003.001", "column": "general", "action": "sign", "expected": "Pending"}

    def worker(user: str) -> None:
        client = app.server.test_client()
        barrier.wait()
        results.append(post(client, body, user=user).status_code)

    threads = [threading.Thread(target=worker, args=(u,)) for u in ("demo", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [200, 409]


def test_a_revision_closed_more_than_36_hours_ago_drops_off(app, client):
    with app.server.app_context():
        with resources().sessions.begin() as session:
            old = int((clock.now() - timedelta(hours=40)).timestamp())
            session.query(Signoff).filter(Signoff.usint_status == "Signed").update({"usint_time": old})
            session.query(Revision).filter(Revision.obsid == 1012).update({"time": old - 3600})
    rows = {r["obsidrev"] for r in client.get("/api/v1/status").json}
    assert "1012.001" not in rows


def test_with_a_cache_url_the_status_shares_its_ocat_look_ups_through_redis(settings):
    url = "redis://127.0.0.1:6379/14"
    store = redis.Redis.from_url(url)
    store.flushdb()
    try:
        client = create_app({**settings, "cache_url": url}).server.test_client()
        response = client.get("/api/v1/status")
        assert response.status_code == 200
        listed = {row["obsid"] for row in response.get_json()}
        kept = {int(key.decode().rsplit(":", 1)[1]) for key in store.scan_iter("usint:basics:*")}
        assert listed and listed <= kept
    finally:
        store.flushdb()


# ------------------------------------------------------------------------- the live board, ETag and 304 (#14)

SIGN_GENERAL = {"obsidrev": "1003.001", "column": "general", "action": "sign", "expected": "Pending"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(params=BACKENDS)
def live_client(request: pytest.FixtureRequest, tmp_path: Path, board_ocat: Path) -> Iterator[Any]:
    """A client of an app seeded with `seed_board`, on SQLite and (when configured) on a fresh PostgreSQL DB."""
    url = create_pg_database(os.environ[PG_ENV]) if request.param == "postgresql" else None
    try:
        extra = {"database_url": url} if url else {}
        yield create_app(board_settings(tmp_path, board_ocat, **extra)).server.test_client()
    finally:
        if url:
            drop_pg_database(url)


def frame_rows(client: Any) -> list[dict[str, Any]]:
    """The reference: the rows as the API built them before it read the live board, from a full read of the board
    as a DataFrame (`data.board.frame.board_frame`, nothing kept)."""
    import pandas as pd

    def iso(value: Any) -> Any:
        return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")

    def plain(value: Any) -> Any:
        return None if not isinstance(value, list | dict) and pd.isna(value) else value

    with client.application.app_context():
        conf = resources().settings
        with session_scope(readonly=True) as session:
            frame = board_frame(session, now=clock.now(), closed_window_h=conf.closed_window_h, ocat=ocat_source())
    return [
        {
            "obsidrev": rec["obsidrev"],
            "obsid": int(rec["obsid"]),
            "revision_number": int(rec["revision_number"]),
            "sequence_number": plain(rec["sequence_number"]),
            "target": plain(rec["target"]),
            "pi": plain(rec["pi"]),
            "kind": rec["kind"],
            "user": rec["submitter"],
            "time": iso(rec["submitted"]),
            "state": "open" if rec["is_open"] else "closed",
            "closed_at": iso(rec["closed_at"]),
            "notes": list(rec["badges"]),
            "approved": bool(rec["approved"]),
            "color": plain(rec["color"]),
            "signoff": {
                c: {
                    "status": rec[f"{c}_status"],
                    "user": plain(rec[f"{c}_by"]),
                    "time": iso(rec[f"{c}_at"]),
                    "waited_h": plain(rec[f"{c}_waited_h"]),
                }
                for c in COLUMNS
            },
        }
        for rec in frame.to_dict("records")
    ]


def without_waits(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the waited hours taken out (they grow with the clock between two reads)."""
    return [{**r, "signoff": {c: {**s, "waited_h": None} for c, s in r["signoff"].items()}} for r in rows]


def assert_same_rows(served: list[dict[str, Any]], reference: list[dict[str, Any]]) -> None:
    assert without_waits(served) == without_waits(reference)
    for got, want in zip(served, reference, strict=True):
        for c, cell in got["signoff"].items():
            expected = want["signoff"][c]["waited_h"]
            assert (cell["waited_h"] is None) == (expected is None)
            if expected is not None:
                assert cell["waited_h"] == pytest.approx(expected, abs=0.02)


def test_status_has_a_weak_etag_and_the_same_tag_gets_a_304_without_a_body(live_client):
    first = live_client.get("/api/v1/status")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    again = live_client.get("/api/v1/status", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    csv_first = live_client.get("/api/v1/status.csv")
    assert csv_first.headers["ETag"] == etag  # one board, one validator
    assert live_client.get("/api/v1/status.csv", headers={"If-None-Match": etag}).status_code == 304


def test_a_signoff_moves_the_etag_and_the_old_tag_gets_the_new_rows(live_client):
    before = live_client.get("/api/v1/status")
    assert post(live_client, SIGN_GENERAL).status_code == 200
    after = live_client.get("/api/v1/status", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    row = next(r for r in after.json if r["obsidrev"] == "1003.001")
    assert row["signoff"]["general"]["status"] == "Signed" and row["signoff"]["general"]["user"] == "demo"
    assert live_client.get("/api/v1/status", headers={"If-None-Match": after.headers["ETag"]}).status_code == 304


def test_status_rows_are_those_of_a_full_read_of_the_board_before_and_after_a_signoff(live_client):
    assert_same_rows(live_client.get("/api/v1/status").json, frame_rows(live_client))
    assert post(live_client, SIGN_GENERAL).status_code == 200  # the live board catches up from the changes
    served = live_client.get("/api/v1/status").json
    assert_same_rows(served, frame_rows(live_client))
    table = list(csv.DictReader(io.StringIO(live_client.get("/api/v1/status.csv").get_data(as_text=True))))
    assert [r["obsidrev"] for r in table] == [r["obsidrev"] for r in served]
    assert next(r for r in table if r["obsidrev"] == "1003.001")["general_user"] == "demo"


def test_a_tag_is_current_only_while_its_token_holds_and_no_closed_row_has_aged_out(live_client):
    etag = live_client.get("/api/v1/status").headers["ETag"]
    token, expiry = etag[3:-1].split(".")  # W/"<token>.<when the closed row leaves the window>"
    assert int(expiry) == pytest.approx(clock.now().timestamp() + 35 * 3600, abs=120)  # closed 1 h ago, 36 h window

    def status_for(tag: str) -> int:
        return live_client.get("/api/v1/status", headers={"If-None-Match": tag}).status_code

    past = int(clock.now().timestamp()) - 1
    assert status_for(f'W/"{token}.{past}"') == 200  # a row left the window since that body
    assert status_for(f'W/"{token}.{expiry}-gzip"') == 304  # a proxy's coding suffix
    assert status_for(f'"{token}.{expiry}", W/"other"') == 304
    assert status_for(f'W/"9{token}.{expiry}"') == 200
    assert status_for('W/"not-a-tag"') == 200
    assert status_for("*") == 304


def test_a_gzip_client_gets_the_same_body_compressed(live_client):
    plain = live_client.get("/api/v1/status")
    packed = live_client.get("/api/v1/status", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] == plain.headers["ETag"]
    packed_csv = live_client.get("/api/v1/status.csv", headers=GZIP)
    assert packed_csv.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed_csv.data) == live_client.get("/api/v1/status.csv").data


def test_without_the_ocat_the_rows_come_without_an_etag(live_client, tmp_path):
    with live_client.application.app_context():
        (Path(resources().settings.instance_path) / "board_ocat.db").unlink()  # the Ocat is gone
    response = live_client.get("/api/v1/status")
    assert response.status_code == 200 and response.json
    assert all(r["target"] is None for r in response.json)
    assert "ETag" not in response.headers  # a body without target and PI is never kept by a client
