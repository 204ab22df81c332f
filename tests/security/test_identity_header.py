"""The identity header is read exactly: ASCII whitespace around it is stripped and nothing else; a value that is too
long, or holds control characters or other spaces, is refused (400), never cut or trimmed into someone's name."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from data.errors import UsintError
from data.users import change_groups, groups_of, parse_groups
from tests.security._helpers import OBSID, snapshot
from web.db import session_scope
from web.identity import current_identity

WRITE = {"obsid": OBSID, "changes": {"y_det_offset": 1.5}}


@pytest.fixture(scope="module")
def shared_settings(shared_settings: Any) -> Any:
    """No development user: a request without the header is anonymous."""
    return MappingProxyType({**shared_settings, "dev_user": None})


@pytest.fixture
def app(shared_app: Any) -> Any:
    """One app for the module (tests/conftest.py `shared_app`): the tests here write only new revisions and alice's
    groups, which none of them reads; `settings` is its instance."""
    return shared_app


@pytest.fixture
def settings(shared_settings: Any) -> Any:
    return shared_settings


REFUSED = {
    "cut-at-64": "alice" + " " * 59 + "X",
    "65-chars": "a" * 65,
    "nbsp": "alice\xa0",
    "leading-nbsp": "\xa0alice",
    "next-line": "alice\x85",
    "unit-separator": "alice\x1f",
    "file-separator": "\x1calice",
    "inner-control": "ali\x01ce",
    "delete": "alice\x7f",
    "utf8-em-space-as-latin1": "alice" + "\u2003".encode().decode("latin-1"),
}


@pytest.mark.parametrize("value", REFUSED.values(), ids=REFUSED.keys())
def test_a_malformed_identity_header_is_refused(client: Any, settings: dict[str, Any], value: str) -> None:
    before = snapshot(settings)
    response = client.post("/api/v1/revisions", json=WRITE, headers={"Remote-User": value})
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert "Remote-User" in response.get_json()["error"]
    assert value not in response.get_json()["error"], "the refused value is not echoed"
    assert client.get("/orupdate", headers={"Remote-User": value}).status_code == 400
    assert snapshot(settings) == before


@pytest.mark.parametrize("value", ["alice", " alice", "alice\t", "\t alice \r\n".strip("\r\n")])
def test_ascii_whitespace_around_the_name_is_stripped(client: Any, value: str) -> None:
    response = client.post("/api/v1/revisions", json=WRITE, headers={"Remote-User": value})
    assert response.status_code == 201, response.get_json()
    obsidrev = response.get_json()["revisions"][0]
    assert client.get(f"/api/v1/revisions/{obsidrev}").get_json()["user"] == "alice"


@pytest.mark.parametrize("value", ["ALICE", "alice.", "alic", "a" * 64, "ali ce"])
def test_names_are_matched_exactly(client: Any, settings: dict[str, Any], value: str) -> None:
    before = snapshot(settings)
    response = client.post("/api/v1/revisions", json=WRITE, headers={"Remote-User": value})
    assert response.status_code == 403, response.get_json()
    assert "not registered" in response.get_json()["error"]
    assert snapshot(settings) == before


def test_the_callbacks_see_the_same_rule(app: Any) -> None:
    with app.server.test_request_context(headers={"Remote-User": " alice "}):
        assert current_identity().username == "alice" and current_identity().registered
    with app.server.test_request_context(headers={"Remote-User": REFUSED["cut-at-64"]}):
        with pytest.raises(UsintError) as err:
            current_identity()
        assert err.value.status == 400


def test_groups_are_read_by_the_one_parser(app: Any) -> None:
    """`users.groups` ' USINT : too ::admin' gives the same groups to the pages as to data.users."""
    with app.server.app_context(), session_scope() as session:
        user = change_groups(session, "alice", add=["too"])
        user.groups = " USINT : too ::Admin:usint"
    with app.server.test_request_context(headers={"Remote-User": "alice"}):
        assert current_identity().groups == parse_groups(" USINT : too ::Admin:usint") == ("usint", "too", "admin")
        assert frozenset(current_identity().groups) == groups_of(user)
