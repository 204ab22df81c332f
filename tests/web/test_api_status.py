"""The status API: /api/v1/status(.csv), /api/v1/approved and POST /api/v1/signoffs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from data import clock

OBSID_TOO = 1003  # demo Ocat: DDT observation (routes e-mails)
OBSID_GO = 12345  # demo Ocat: GO observation


@pytest.fixture(scope="module")
def board_ocat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo Ocat built once for this module."""
    from data.demo.ocat import build_demo_ocat

    folder = tmp_path_factory.mktemp("board-ocat")
    build_demo_ocat(folder / "ocat.db", observations=40, obs_ss=folder / "obs_ss")
    return folder


def seed_board(database_url: str) -> dict[str, int]:
    """Demo users plus four revisions: a DDT one with general pending, a GO one ready to verify, an obsid with
    two open revisions, and one closed an hour ago."""
    from data.db import make_engine, make_sessionmaker
    from data.demo.revisions import seed_users
    from data.models import Revision, Signoff

    engine = make_engine(database_url)
    now = int(clock.now().timestamp())
    try:
        with make_sessionmaker(engine).begin() as session:
            users = seed_users(session)
            alice, bob = users["alice"], users["bob"]

            def rev(obsid: int, n: int, statuses: dict[str, tuple[str, Any, Any]], kind: str = "norm") -> None:
                r = Revision(obsid=obsid, revision_number=n, kind=kind, sequence_number=500001, time=now - 7200,
                             notes=None, user_id=alice.id)  # fmt: skip
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
    from data.settings import load_settings
    from web.instance import prepare_instance

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
    from data.models import Revision, Signoff
    from web.db import resources

    with app.server.app_context():
        with resources().sessions.begin() as session:
            old = int((clock.now() - timedelta(hours=40)).timestamp())
            session.query(Signoff).filter(Signoff.usint_status == "Signed").update({"usint_time": old})
            session.query(Revision).filter(Revision.obsid == 1012).update({"time": old - 3600})
    rows = {r["obsidrev"] for r in client.get("/api/v1/status").json}
    assert "1012.001" not in rows


def test_with_a_cache_url_the_status_shares_its_ocat_look_ups_through_redis(settings):
    import redis

    from dashboard import create_app

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
