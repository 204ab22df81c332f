"""`/healthz` tells anonymous callers statuses only (no Ocat role, host, port or mirror path); admins also get the
details, and the error log has them. The editor names no mirror path either.

Real faults: an Ocat URL on a closed port with a role name in it, a missing SQLite mirror file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dashboard import create_app
from tests.factories import page_route_request

ROLE = "mtaops_internal_web"
STATUSES = {"ok", "degraded", "error"}


@pytest.fixture(params=["closed-port", "missing-mirror"])
def ocat_down(request: pytest.FixtureRequest, settings: dict[str, Any], tmp_path: Path) -> tuple[Any, list[str]]:
    """An app whose Ocat is down, no development user; and the words that must not reach anonymous callers."""
    if request.param == "closed-port":
        settings["ocat_url"] = f"postgresql+psycopg://{ROLE}@127.0.0.1:1/axafocat"
        secrets = [ROLE, "127.0.0.1", "port 1", "axafocat"]
    else:
        missing = tmp_path / "mirror-folder" / "ocat_mirror.db"
        settings["ocat_url"] = f"sqlite:///{missing}"
        secrets = [str(missing.parent), "ocat_mirror.db"]
    settings.update(dev_user=None, ocat_timeout_s=1.0, demo=False)
    return create_app(settings), secrets


def test_anonymous_healthz_gives_statuses_only(ocat_down: tuple[Any, list[str]]) -> None:
    app, secrets = ocat_down
    response = app.server.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"status": "error", "revision_db": "ok", "ocat": "error"}, body
    assert not [word for word in secrets if word in response.get_data(as_text=True)]


def test_a_user_without_the_admin_group_gets_statuses_only(ocat_down: tuple[Any, list[str]]) -> None:
    app, secrets = ocat_down
    response = app.server.test_client().get("/healthz", headers={"Remote-User": "alice"})
    assert set(response.get_json()) == {"status", "revision_db", "ocat"}
    assert not [word for word in secrets if word in response.get_data(as_text=True)]


def test_admins_get_the_details_and_the_error_log_has_them(ocat_down: tuple[Any, list[str]]) -> None:
    app, secrets = ocat_down
    response = app.server.test_client().get("/healthz", headers={"Remote-User": "demo"})  # demo: usint, too, admin
    body = response.get_json()
    assert body["status"] == "error" and body["ocat"] == "error"
    detail = body["details"]["ocat"]
    assert "Ocat" in detail and any(word in detail for word in secrets), detail
    error_log = (app.server.config["USINT"].log_dir / "error.log").read_text()
    assert any(word in error_log for word in secrets), "the details are in the error log"


def test_the_editor_names_no_path_host_or_role(ocat_down: tuple[Any, list[str]]) -> None:
    """Opening the editor with the Ocat down says so (in the page, or the toast), naming no path, host or role."""
    app, secrets = ocat_down
    response = app.server.test_client().post("/_dash-update-component", json=page_route_request("/ocatdatapage/12345"))
    assert response.status_code == 200
    shown = response.get_data(as_text=True)
    assert "The Ocat" in shown, shown[:2000]
    assert not [word for word in secrets if word in shown]


def test_healthz_statuses_are_words(client: Any) -> None:
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "revision_db": "ok", "ocat": "ok"}
    assert set(body.values()) <= STATUSES
