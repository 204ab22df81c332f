"""Every component id of the app, one StrEnum per page (E7), and builders for pattern-matching ids (E8)."""

from __future__ import annotations

from enum import StrEnum


class ShellIds(StrEnum):
    URL = "shell-url"
    NOTICE = "shell-notice"
    IDENTITY_NOTICE = "shell-identity-notice"
    JUMP_INPUT = "shell-jump-input"
    JUMP_BUTTON = "shell-jump-button"
    JUMP_FEEDBACK = "shell-jump-feedback"
    JUMP_REDIRECT = "shell-jump-redirect"
    USER = "shell-user"


class HomeIds(StrEnum):
    MY_REVISIONS = "home-my-revisions"
    LOAD = "home-load"
