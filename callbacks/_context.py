"""What a callback needs from the request (E11): a session per user event, the user, the clock, the Ocat."""

from __future__ import annotations

from datetime import datetime

from data import clock
from data.settings import Settings
from web.db import live_boards, ocat_lookups, ocat_source, resources, session_scope
from web.identity import Identity, current_identity

__all__ = ["session_scope", "ocat_source", "ocat_lookups", "live_boards", "current_user", "now", "settings"]


def current_user() -> Identity:
    return current_identity()


def now() -> datetime:
    return clock.now()


def settings() -> Settings:
    return resources().settings
