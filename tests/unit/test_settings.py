"""Settings: names and defaults of INTERFACE.md, layering, and one clear line for a wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.settings import SettingsError, load_settings


def test_defaults_put_everything_under_the_instance(tmp_path: Path) -> None:
    s = load_settings({"instance_path": tmp_path}, environ={})
    assert s.database_url == f"sqlite:///{tmp_path / 'usint.db'}"
    assert s.ocat_url == f"sqlite:///{tmp_path / 'ocat_demo.db'}"
    assert s.demo is True and s.mail_suppress is True
    assert s.obs_ss == tmp_path / "obs_ss"
    assert s.auth_header == "Remote-User" and s.dev_user is None
    assert s.timezone == "America/New_York"
    assert (s.mail_server, s.mail_port, s.mail_use_tls) == ("localhost", 25, False)
    assert s.board_refresh_s == 180 and s.closed_window_h == 36
    assert s.cus_email == "cus@cfa.harvard.edu" and s.cache_url is None


def test_a_non_default_ocat_turns_demo_and_suppress_off(tmp_path: Path) -> None:
    s = load_settings({"instance_path": tmp_path, "ocat_url": "sqlite:///elsewhere.db"}, environ={})
    assert s.demo is False and s.mail_suppress is False


def test_environment_overrides_instance_config_and_overrides_win(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("USINT_MAIL_PORT = 2525\nUSINT_TIMEZONE = 'UTC'\nBOARD_REFRESH_S = 60\n")
    env = {"USINT_INSTANCE_PATH": str(tmp_path), "USINT_MAIL_PORT": "2626"}
    s = load_settings({"board_refresh_s": 30}, environ=env)
    assert s.mail_port == 2626 and s.timezone == "UTC" and s.board_refresh_s == 30


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("USINT_MAIL_PORT", "twenty-five", "USINT_MAIL_PORT: expected a number"),
        ("USINT_BOARD_REFRESH_S", "abc", "USINT_BOARD_REFRESH_S: expected a number"),
        ("USINT_CLOSED_WINDOW_H", "-3", "USINT_CLOSED_WINDOW_H: must not be negative"),
        ("USINT_DATABASE_URL", "not a url", "USINT_DATABASE_URL: not a database URL"),
        ("USINT_OCAT_URL", "sqsh://", "USINT_OCAT_URL: expected sqsh://"),
        ("USINT_MAIL_USE_TLS", "maybe", "USINT_MAIL_USE_TLS: expected 0 or 1"),
        ("USINT_TIMEZONE", "Mars/Olympus", "USINT_TIMEZONE: unknown time zone"),
        ("USINT_CACHE_URL", "memcached://x", "USINT_CACHE_URL: expected redis://"),
    ],
)
def test_a_wrong_value_names_the_setting(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ={"USINT_INSTANCE_PATH": str(tmp_path), name: value})


def test_sqsh_and_postgres_urls_are_accepted(tmp_path: Path) -> None:
    s = load_settings(
        {
            "instance_path": tmp_path,
            "ocat_url": "sqsh://ocatsqlsrv/axafocat?user=mtaops_internal_web&authdir=/tmp",
            "database_url": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        },
        environ={},
    )
    assert s.ocat_url.startswith("sqsh://") and s.demo is False
