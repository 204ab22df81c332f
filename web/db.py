"""The app's resources: one engine and sessionmaker for the revision DB, one Ocat source, the outbox's background
sender (E17)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, has_request_context
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from data.board.live import LiveBoards
from data.db import make_engine, make_sessionmaker, on_outbox_commit
from data.db import session_scope as scope
from data.mail.sender import BackgroundSender
from data.ocat.cache import Cache, LocalCache, make_cache
from data.ocat.sources import make_source
from data.settings import Settings

if TYPE_CHECKING:
    from data.mail.sender import BackgroundSender


@dataclass
class Resources:
    """What `create_app` attaches to `server.extensions["usint"]`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    lookups: Cache = field(default_factory=LocalCache)
    """Ocat look-ups kept 10 minutes: in process, or shared through Redis (`USINT_CACHE_URL`)."""
    mail: BackgroundSender | None = None
    """Sends the outbox after a request's commit queued mail (one thread per worker)."""
    boards: LiveBoards = field(default_factory=LiveBoards)
    """This worker's live status boards (`data.board.live`), read in full once, then kept current."""
    _ocat: Any = field(default=None, repr=False)

    @property
    def ocat(self) -> Any:
        """The Ocat source, made on first use (a down Ocat must not stop start-up)."""
        if self._ocat is None:
            self._ocat = make_source(self.settings.ocat_url, timeout_s=self.settings.ocat_timeout_s)
        return self._ocat


def init_app(server: Flask, settings: Settings) -> Resources:
    """Make the engine, the sessionmaker and the outbox's sender once per app."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    sender = BackgroundSender(settings, sessions)
    resources = Resources(
        settings=settings, engine=engine, sessions=sessions, lookups=make_cache(settings.cache_url), mail=sender
    )
    on_outbox_commit(sessions, lambda: _after_outbox_commit(sender))
    server.extensions["usint"] = resources
    return resources


def _after_outbox_commit(sender: BackgroundSender) -> None:
    """A request's commit queued mail: the worker's sender mails it after the response. Outside requests (CLI
    commands, scripts) the caller sends itself (`usint reminders`, `usint mail retry`), or the cron retry does."""
    if has_request_context():
        sender.wake()


def resources() -> Resources:
    return current_app.extensions["usint"]


@contextmanager
def session_scope(*, readonly: bool = False) -> Iterator[Session]:
    """One user event, one transaction (`data.db.session_scope` on the app's sessionmaker).

    `readonly=True` takes no write lock on SQLite (a deferred BEGIN), so reads go on while a writer holds it."""
    with scope(resources().sessions, readonly=readonly) as session:
        yield session


def ocat_source() -> Any:
    return resources().ocat


def ocat_lookups() -> Cache:
    return resources().lookups


def live_boards() -> LiveBoards:
    return resources().boards
