"""Settings: defaults, then `instance/config.py`, then `USINT_*` environment variables, then explicit overrides.

Every name is the one of INTERFACE.md. A wrong value raises `SettingsError` naming the setting, so start-up
stops with one clear line.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from data.reference_links import Section, default_sections, parse_sections

V21_ADDRESSES = {
    "cus_email": "cus@cfa.harvard.edu",
    "arcops_email": "arcops@cfa.harvard.edu",
    "mp_email": "mp@cfa.harvard.edu",
    "acis_email": "acisdude@cfa.harvard.edu",
    "hrc_email": "hrcdude@cfa.harvard.edu",
    "admin_email": "bwargelin@cfa.harvard.edu",
}
V21_TECH_EMAIL = "william.aaron@cfa.harvard.edu"
"""v2.1's footer: the Admin (`admin_email`) and the Tech contact for questions about the app."""

DEFAULT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "submit": ("usint",),
    "approve": ("usint",),
    "discard": ("usint",),
    "usint": ("usint",),
    "general": ("arcops", "usint"),
    "acis": ("acis", "usint"),
    "acis_si": ("acis", "usint"),
    "hrc_si": ("hrc", "usint"),
    "schedule": ("too", "usint"),
}


class SettingsError(ValueError):
    """A setting has a value the application cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults of INTERFACE.md."""

    instance_path: Path = Path("instance")
    database_url: str = ""
    ocat_url: str = ""
    demo: bool = False
    obs_ss: Path = Path("instance/obs_ss")
    auth_header: str = "Remote-User"
    dev_user: str | None = None
    timezone: str = "America/New_York"
    mail_server: str = "localhost"
    mail_port: int = 25
    mail_use_tls: bool = False
    mail_username: str | None = None
    mail_password: str | None = None
    mail_suppress: bool = False
    mail_test_mode: bool = False
    mail_sender: str = "cus@cfa.harvard.edu"
    cus_email: str = V21_ADDRESSES["cus_email"]
    arcops_email: str = V21_ADDRESSES["arcops_email"]
    mp_email: str = V21_ADDRESSES["mp_email"]
    acis_email: str = V21_ADDRESSES["acis_email"]
    hrc_email: str = V21_ADDRESSES["hrc_email"]
    admin_email: str = V21_ADDRESSES["admin_email"]
    tech_email: str = V21_TECH_EMAIL
    board_refresh_s: int = 180
    closed_window_h: float = 36.0
    cache_url: str | None = None
    base_url: str = "http://127.0.0.1:8050"
    ocat_timeout_s: float = 10.0
    target_image_dir: Path = Path("/data/targets")
    """Sky-survey images, one folder per sequence number (the editor's DSS / ROSAT / RASS links)."""
    permissions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PERMISSIONS))
    reference_links: tuple[Section, ...] = field(default_factory=default_sections)
    """The home page's links (`data/reference_links.py`); v2.1's by default."""

    @property
    def log_dir(self) -> Path:
        return self.instance_path / "logs"


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off", ""}


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    raise SettingsError(f"USINT_{name.upper()}: expected 0 or 1, got {value!r}")


def _as_number(name: str, value: Any, kind: type) -> int | float:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SettingsError(f"USINT_{name.upper()}: expected a number, got {value!r}") from None
    if number < 0:
        raise SettingsError(f"USINT_{name.upper()}: must not be negative, got {value!r}")
    return number


def _check_url(name: str, value: str) -> str:
    """Accept a SQLAlchemy URL or `sqsh://server/database`; refuse anything else with the setting's name."""
    if value.startswith("sqsh://"):
        parsed = urlparse(value)
        if not parsed.hostname or not parsed.path.strip("/"):
            raise SettingsError(f"USINT_{name.upper()}: expected sqsh://<server>/<database>, got {value!r}")
        return value
    try:
        make_url(value)
    except ArgumentError:
        raise SettingsError(f"USINT_{name.upper()}: not a database URL: {value!r}") from None
    return value


def _file_settings(instance_path: Path) -> dict[str, Any]:
    """Names set in `instance/config.py` (either `USINT_X = ...` or `X = ...`)."""
    path = instance_path / "config.py"
    if not path.is_file():
        return {}
    namespace = runpy.run_path(str(path))
    return {k: v for k, v in namespace.items() if k.isupper()}


def _normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Map `USINT_MAIL_PORT` / `MAIL_PORT` / `mail_port` to the field name `mail_port`."""
    names = {f.name for f in fields(Settings)}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.lower().removeprefix("usint_")
        if name in names:
            out[name] = value
    return out


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from the layers, in order: defaults, instance/config.py, environment, overrides."""
    environ = os.environ if environ is None else environ
    overrides = _normalise(overrides or {})
    env = _normalise({k: v for k, v in environ.items() if k.startswith("USINT_")})
    instance = Path(overrides.get("instance_path") or env.get("instance_path") or "instance").resolve()
    layered: dict[str, Any] = {**_normalise(_file_settings(instance)), **env, **overrides}
    layered["instance_path"] = instance

    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in layered:
            continue
        value = layered[f.name]
        if f.name in {"demo", "mail_use_tls", "mail_suppress", "mail_test_mode"}:
            value = _as_bool(f.name, value)
        elif f.name in {"mail_port", "board_refresh_s"}:
            value = int(_as_number(f.name, value, float))
        elif f.name in {"closed_window_h", "ocat_timeout_s"}:
            value = float(_as_number(f.name, value, float))
        elif f.name in {"instance_path", "obs_ss", "target_image_dir"}:
            value = Path(value)
        elif f.name in {"dev_user", "cache_url", "mail_username", "mail_password"}:
            value = str(value) if value not in (None, "") else None
        elif f.name == "reference_links":
            try:
                value = parse_sections(value)
            except ValueError as err:
                raise SettingsError(f"USINT_REFERENCE_LINKS: {err}") from None
        values[f.name] = value

    default_db = f"sqlite:///{instance / 'usint.db'}"
    default_ocat = f"sqlite:///{instance / 'ocat_demo.db'}"
    database_url = _check_url("database_url", str(values.get("database_url") or default_db))
    ocat_url = _check_url("ocat_url", str(values.get("ocat_url") or default_ocat))
    demo_default = ocat_url == default_ocat
    demo = values.get("demo", demo_default)
    settings = replace(
        Settings(),
        **{
            **values,
            "instance_path": instance,
            "database_url": database_url,
            "ocat_url": ocat_url,
            "demo": demo,
            "obs_ss": Path(values.get("obs_ss") or instance / "obs_ss"),
            "mail_suppress": values.get("mail_suppress", demo),
        },
    )
    if settings.mail_port <= 0 or settings.mail_port > 65535:
        raise SettingsError(f"USINT_MAIL_PORT: expected a port number, got {settings.mail_port!r}")
    if settings.board_refresh_s < 5:
        raise SettingsError(f"USINT_BOARD_REFRESH_S: must be at least 5 seconds, got {settings.board_refresh_s}")
    if settings.cache_url and not settings.cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"USINT_CACHE_URL: expected redis://host:port/db, got {settings.cache_url!r}")
    try:
        ZoneInfo(settings.timezone)
    except Exception:
        raise SettingsError(f"USINT_TIMEZONE: unknown time zone {settings.timezone!r}") from None
    return settings
