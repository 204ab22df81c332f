"""The factory: an app on a temp instance, health, identity, 404 and the error funnel."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from dashboard import create_app
from data.parameters.catalogue import HELP_ANCHORS, PARAMETERS
from tests.factories import page_route_request


@pytest.fixture
def client(shared_client: Any) -> Any:
    """The tests that take `client` only read: one app for the module (tests/conftest.py `shared_app`)."""
    return shared_client


def layout_text(client: Any, headers: dict[str, str] | None = None) -> str:
    response = client.get("/_dash-layout", headers=headers or {})
    assert response.status_code == 200
    return json.dumps(response.get_json())


def test_healthz_answers_ok(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "revision_db": "ok", "ocat": "ok"}


def test_healthz_names_the_failing_part(settings: dict[str, Any], tmp_path: Any) -> None:
    missing = tmp_path / "nowhere" / "ocat.db"
    app = create_app({**settings, "ocat_url": f"sqlite:///{missing}", "demo": False})
    body = app.server.test_client().get("/healthz")
    assert body.status_code == 503
    assert body.get_json()["revision_db"] == "ok" and body.get_json()["ocat"].startswith("error")


def test_the_dev_user_is_shown_when_no_header(client: Any) -> None:
    text = layout_text(client)
    assert "Demo User" in text or "demo" in text
    assert "usint" in text


def test_the_header_wins_over_the_dev_user(client: Any) -> None:
    text = layout_text(client, {"Remote-User": "alice"})
    assert "alice" in text.lower() and "Demo User" not in text


def test_no_header_and_no_dev_user_is_anonymous_read_only(settings: dict[str, Any]) -> None:
    app = create_app({**settings, "dev_user": None})
    text = layout_text(app.server.test_client())
    assert "Anonymous" in text and "read only" in text


@pytest.mark.parametrize("who", ["nobody-known", "x" * 64, "<script>alert(1)</script>", "O'Brien; DROP TABLE users"])
def test_an_unregistered_user_gets_a_notice_not_a_500(client: Any, who: str) -> None:
    response = client.get("/_dash-layout", headers={"Remote-User": who})
    assert response.status_code == 200
    assert "not registered in USINT" in json.dumps(response.get_json())


def test_an_inactive_user_is_told_they_are_read_only(client: Any) -> None:
    assert "inactive in USINT" in layout_text(client, {"Remote-User": "frank"})


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ocatdatapage",
        "/ocatdatapage/12345",
        "/chkupdata/12345.001",
        "/orupdate",
        "/express",
        "/rm_submission",
        "/scheduler",
        "/history/12345",
        "/analytics",
    ],
)
def test_every_page_path_answers_200(client: Any, path: str) -> None:
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/nope", "/ocatdatapage/1/2", "/admin.php"])
def test_unknown_paths_answer_404(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_unknown_api_paths_answer_json_404(client: Any) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()


def test_an_unexpected_error_shows_a_reference_that_is_in_the_error_log(app: Any, settings: dict[str, Any]) -> None:
    @app.server.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("kaboom")

    response = app.server.test_client().get("/boom-for-test")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "An unexpected error has occurred" in page and "kaboom" not in page and "Traceback" not in page
    ref = page.split("reference ")[1][:8]
    log = (Path(settings["instance_path"]) / "logs" / "error.log").read_text()
    assert f"ref={ref}" in log and "kaboom" in log


def test_the_field_reference_is_built_from_the_catalogue(client: Any) -> None:
    page = client.get("/help/ocat")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for anchor in HELP_ANCHORS.values():
        assert f'id="{anchor}"' in text
    assert PARAMETERS["y_det_offset"].label in text and "-120 … 120" in text


def test_first_requests_arriving_together_all_find_the_page_router(settings: dict[str, Any]) -> None:
    """Dash sets itself up on the first request without a lock; the factory does it before serving."""
    route = page_route_request("/orupdate", "?kiosk=1")
    app = create_app(settings)
    # Ready before the first request: the pages router is in the callback map with its function.
    assert "callback" in app.callback_map.get(route["output"], {})
    for _ in range(3):
        server = create_app(settings).server
        barrier = threading.Barrier(8)
        codes: list[int] = []

        def first_request(server: Any = server, barrier: threading.Barrier = barrier, codes: list[int] = codes) -> None:
            client = server.test_client()
            barrier.wait()
            codes.append(client.post("/_dash-update-component", json=route).status_code)

        threads = [threading.Thread(target=first_request) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert codes == [200] * 8
