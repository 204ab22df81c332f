"""The revisions API (INTERFACE.md): read an observation, dry-run and save revisions, read them back, refuse bad input.

Runs on a fresh copy of the demo instance (obsid 12345: ACIS-S GO unobserved; 1010: observed).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dashboard import create_app

OBSID = 12345
OBSERVED = 1010
URL = "/api/v1/revisions"


def post(client: Any, body: Any, **headers: str) -> Any:
    return client.post(URL, json=body, headers=headers)


def revision_count(client: Any, obsid: int = OBSID) -> int:
    response = client.get(f"{URL}?obsid={obsid}")
    assert response.status_code == 200, response.get_json()
    return len(response.get_json())


def ocat_file(settings: dict[str, Any]) -> Path:
    return Path(settings["instance_path"]) / "ocat_demo.db"


# ------------------------------------------------------------------------------------------------------------ reads


def test_observation_has_the_interface_shape(client: Any) -> None:
    response = client.get(f"/api/v1/observations/{OBSID}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"obsid", "parameters", "ranks", "approved", "open_revisions"}
    assert body["obsid"] == OBSID
    assert body["parameters"]["targname"] == "Cas A"
    assert body["parameters"]["instrument"] == "ACIS-S"
    assert set(body["ranks"]) == {"time", "roll", "window"}
    assert (len(body["ranks"]["time"]), len(body["ranks"]["roll"]), len(body["ranks"]["window"])) == (2, 1, 2)
    assert isinstance(body["approved"], bool)
    assert all(re.fullmatch(rf"{OBSID}\.\d{{3}}", r) for r in body["open_revisions"])


def test_unknown_observation_is_404(client: Any) -> None:
    response = client.get("/api/v1/observations/99999999")
    assert response.status_code == 404
    assert "99999999" in response.get_json()["error"]


# ------------------------------------------------------------------------------------------------------------ writes


def test_dry_run_reports_and_writes_nothing(client: Any) -> None:
    before = revision_count(client)
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 2.5}, "dry_run": True})
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["valid"] is True and report["errors"] == {}
    assert {"warnings", "notes", "signoffs", "extras"} <= set(report)
    assert report["signoffs"]["general"] == "Pending"
    assert "revisions" not in report
    assert revision_count(client) == before


def test_saved_revision_is_201_and_can_be_read_back(client: Any) -> None:
    before = revision_count(client)
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 2.5}, "extra_obsids": "1010, 99999999"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["revisions"]) == 1
    obsidrev = body["revisions"][0]
    assert obsidrev.startswith(f"{OBSID}.")
    assert {e["obsid"]: e["outcome"] for e in body["extras"]} == {1010: "skipped", 99999999: "skipped"}

    listed = client.get(f"{URL}?obsid={OBSID}").get_json()
    assert len(listed) == before + 1
    mine = next(r for r in listed if r["obsidrev"] == obsidrev)
    assert {"obsidrev", "obsid", "revision_number", "kind", "time", "user", "notes", "signoff"} <= set(mine)
    assert mine["kind"] == "norm" and mine["user"] == "demo"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", mine["time"])

    one = client.get(f"{URL}/{obsidrev}")
    assert one.status_code == 200
    view = one.get_json()
    assert view["requests"]["y_det_offset"] == 2.5
    assert view["originals"]["y_det_offset"] == 1.0
    assert view["signoff"]["general"]["status"] == "Pending"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"changes": {"y_det_offset": "abc"}}, "y_det_offset"),
        ({"changes": {"y_det_offset": 500}}, "y_det_offset"),
        ({"changes": {"ra_hms": "25:00:00"}}, "ra_hms"),
        ({"changes": {"dec_dms": "-91:00:00"}}, "dec_dms"),
        (
            {
                "changes": {
                    "time_ranks": [
                        {"window_constraint": "Y", "tstart": "Mar 02 2031 12:00", "tstop": "Mar 01 2031 12:00"}
                    ]
                }
            },
            "tstop[0]",
        ),
        (
            {"changes": {"y_det_offset": 2}, "extra_obsids": ", ".join(str(20000 + i) for i in range(600))},
            "extra_obsids",
        ),
        ({"changes": {"remarks": "x" * 1_000_000}}, "remarks"),
        ({"changes": {"no_such_parameter": 1}}, "no_such_parameter"),
        ({"kind": "sideways"}, "kind"),
    ],
    ids=[
        "letters",
        "offset-range",
        "ra-25h",
        "dec-minus-91",
        "tstop-before-tstart",
        "600-extras",
        "1MB-remarks",
        "unknown-name",
        "kind",
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["save", "dry"])
def test_bad_input_is_400_naming_the_field_and_writes_nothing(
    client: Any, body: dict[str, Any], field: str, dry_run: bool
) -> None:
    before = revision_count(client)
    response = post(client, {"obsid": OBSID, "dry_run": dry_run, **body})
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert field in answer["errors"], answer["errors"]
    assert field.split("[")[0] in answer["error"] or field in answer["error"]
    assert revision_count(client) == before


def test_unknown_obsid_is_404(client: Any) -> None:
    response = post(client, {"obsid": 99999999, "changes": {"y_det_offset": 2}})
    assert response.status_code == 404
    assert "99999999" in response.get_json()["error"]


def test_forged_submit_for_an_observed_target_is_400(client: Any) -> None:
    before = revision_count(client, OBSERVED)
    response = post(client, {"obsid": OBSERVED, "changes": {"y_det_offset": 2}})
    assert response.status_code == 400
    assert "status" in response.get_json()["errors"]
    assert "OBSERVED" in response.get_json()["error"]
    assert revision_count(client, OBSERVED) == before


def test_a_norm_without_a_real_change_is_400(client: Any) -> None:
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 1.0}})
    assert response.status_code == 400


def test_user_without_the_usint_group_is_403(client: Any) -> None:
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 2}}, **{"Remote-User": "erin"})
    assert response.status_code == 403
    assert "erin" in response.get_json()["error"]
    assert revision_count(client) >= 0


def test_anonymous_is_403(settings: dict[str, Any]) -> None:
    anonymous = create_app({**settings, "dev_user": None}).server.test_client()
    before = revision_count(anonymous)
    response = post(anonymous, {"obsid": OBSID, "changes": {"y_det_offset": 2}})
    assert response.status_code == 403
    assert revision_count(anonymous) == before


def test_non_json_is_415(client: Any) -> None:
    response = client.post(URL, data="obsid=12345", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "JSON" in response.get_json()["error"]


def test_cross_origin_is_403(client: Any) -> None:
    before = revision_count(client)
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 2}}, Origin="https://evil.example")
    assert response.status_code == 403
    assert revision_count(client) == before


def test_409_when_the_ocat_changed_under_the_request(client: Any, settings: dict[str, Any]) -> None:
    loaded = client.get(f"/api/v1/observations/{OBSID}").get_json()
    with sqlite3.connect(ocat_file(settings)) as db:
        db.execute("UPDATE target SET targname = 'Cas A (renamed by CDO)' WHERE obsid = ?", (OBSID,))
    before = revision_count(client)
    body = {"obsid": OBSID, "changes": {"targname": "Cassiopeia A"}, "loaded": loaded}
    for dry_run in (True, False):
        response = post(client, {**body, "dry_run": dry_run})
        assert response.status_code == 409, response.get_json()
        answer = response.get_json()
        assert answer["conflicts"]["targname"] == {
            "loaded": "Cas A",
            "now": "Cas A (renamed by CDO)",
            "requested": "Cassiopeia A",
        }
        assert "Target Name" in answer["error"]
    assert revision_count(client) == before
    # a change to another parameter goes through; the originals come from the fresh read
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 2}, "loaded": loaded})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["refreshed"] == ["targname"]
    view = client.get(f"{URL}/{response.get_json()['revisions'][0]}").get_json()
    assert view["originals"]["targname"] == "Cas A (renamed by CDO)"


def test_double_submit_with_the_same_token_gives_one_revision(client: Any) -> None:
    before = revision_count(client)
    body = {"obsid": OBSID, "changes": {"z_det_offset": 3}, "token": "retry-1"}
    first = post(client, body)
    second = post(client, body)
    assert (first.status_code, second.status_code) == (201, 201), second.get_json()
    assert first.get_json()["revisions"] == second.get_json()["revisions"]
    assert revision_count(client) == before + 1


def test_bad_revision_addresses_are_400_or_404(client: Any) -> None:
    assert client.get(f"{URL}?obsid=abc").status_code == 400
    assert client.get(f"{URL}/{OBSID}.999").status_code == 404
    assert client.get(f"{URL}/not-a-revision").status_code == 400


def test_a_range_error_names_the_label_and_the_allowed_range(client: Any) -> None:
    response = post(client, {"obsid": OBSID, "changes": {"y_det_offset": 500}, "dry_run": True})
    assert response.status_code == 400
    assert "Offset Y (y_det_offset): must be between -120 and 120" in response.get_json()["error"]
