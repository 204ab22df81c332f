"""Users and permissions (D14): lookups, CLI edits, `can` and `require`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from data.errors import Conflict, Forbidden, NotFound
from data.models import User
from data.settings import DEFAULT_PERMISSIONS as PERMS
from data.users import (
    activate_user,
    add_user,
    can,
    change_groups,
    deactivate_user,
    get_user,
    groups_of,
    list_users,
    parse_groups,
    require,
)


def user(groups: str, active: bool = True, name: str = "alice") -> User:
    return User(username=name, groups=groups, is_active=active)


def test_groups_are_lower_case_and_deduplicated():
    assert parse_groups(" usint:TOO::usint ") == ("usint", "too")
    assert groups_of(user("Usint:too")) == {"usint", "too"}
    assert groups_of(None) == frozenset()


@pytest.mark.parametrize(
    ("groups", "action", "allowed"),
    [
        ("usint", "submit", True),
        ("arcops", "submit", False),
        ("arcops", "general", True),
        ("arcops", "acis", False),
        ("acis", "acis_si", True),
        ("hrc", "hrc_si", True),
        ("hrc", "acis", False),
        ("too", "schedule", True),
        ("admin", "submit", True),
        ("admin", "anything-new", True),
        ("usint", "anything-new", False),
    ],
)
def test_can_follows_the_permission_table(groups, action, allowed):
    assert can(user(groups), action, PERMS) is allowed


def test_inactive_and_unknown_users_are_read_only():
    assert not can(user("usint:admin", active=False), "submit", PERMS)
    assert not can(None, "submit", PERMS)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        (user("arcops"), "alice is not in the usint group"),
        (user("usint", active=False), "alice is not an active USINT user"),
        (None, "You are not registered in USINT"),
    ],
)
def test_require_says_why(who, message):
    with pytest.raises(Forbidden, match=message):
        require(who, "submit", PERMS)


def test_require_accepts_an_identity_like_object():
    @dataclass
    class Identity:
        username: str
        groups: tuple[str, ...]
        registered: bool
        active: bool

    assert require(Identity("alice", ("usint",), True, True), "submit", PERMS)
    with pytest.raises(Forbidden, match="zed is not registered in USINT"):
        require(Identity("zed", (), False, False), "submit", PERMS)


def test_add_list_deactivate_and_change_groups(session):
    add_user(session, "zoe", email="zoe@cfa", full_name="Zoe Z")
    add_user(session, "yan", groups="arcops:too")
    assert get_user(session, "zoe").groups == "usint"
    with pytest.raises(Conflict):
        add_user(session, "zoe")
    assert [u.username for u in list_users(session, group="too")] == ["yan"]
    deactivate_user(session, "zoe")
    assert [u.username for u in list_users(session, active_only=True)] == ["yan"]
    activate_user(session, "zoe")
    assert change_groups(session, "yan", add=["HRC"], remove=["TOO"]).groups == "arcops:hrc"
    with pytest.raises(NotFound):
        deactivate_user(session, "nobody")
