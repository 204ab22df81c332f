"""Typed ORM models of the revision DB: v2.1's `usint.db` tables unchanged, plus D1's additive parts.

v2.1 tables: users, revisions, signoffs, parameters, originals, requests, schedules (data-layer §3.2).
Additive (migration 2): UNIQUE(obsid, revision_number), board indexes, `events` (append-only audit) and
`outbox` (queued e-mail, D21); (migration 5) `changes`, filled by triggers on `revisions` and `signoffs`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from data.parameters.catalogue import DISCARD as DISCARD  # the sign-off statuses, re-exported for the services
from data.parameters.catalogue import NOT_REQUIRED as NOT_REQUIRED
from data.parameters.catalogue import PENDING, REVISION_KINDS, SIGNOFF_COLUMNS, SIGNOFF_STATUSES
from data.parameters.catalogue import SIGNED as SIGNED

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SIGNOFF_PREFIXES = SIGNOFF_COLUMNS
"""The five sign-off column prefixes of the `signoffs` table (v2.1 schema)."""
EDIT_COLUMNS = SIGNOFF_COLUMNS[:4]
"""The four edit columns; `usint` (verification) comes after them."""

STATUSES = SIGNOFF_STATUSES
KINDS = REVISION_KINDS


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String, unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[str | None] = mapped_column(String)
    groups: Mapped[str | None] = mapped_column(String)
    full_name: Mapped[str | None] = mapped_column(String)

    def __repr__(self) -> str:
        return f"User({self.username!r}, groups={self.groups!r}, active={self.is_active})"


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("obsid", "revision_number"),
        Index("ix_revisions_time", "time"),
        Index("ix_revisions_obsid_kind", "obsid", "kind", "revision_number"),
        Index("ix_revisions_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obsid: Mapped[int] = mapped_column(Integer)
    revision_number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String)
    sequence_number: Mapped[int] = mapped_column(Integer)
    time: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(String)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    signoff: Mapped[Signoff] = relationship(
        back_populates="revision", uselist=False, cascade="all, delete", passive_deletes=True
    )
    originals: Mapped[list[Original]] = relationship(
        back_populates="revision", cascade="all, delete, delete-orphan", passive_deletes=True
    )
    requests: Mapped[list[Request]] = relationship(
        back_populates="revision", cascade="all, delete, delete-orphan", passive_deletes=True
    )

    @property
    def obsidrev(self) -> str:
        return f"{self.obsid}.{self.revision_number:03}"

    def __repr__(self) -> str:
        return f"Revision({self.obsidrev}, {self.kind})"


class Signoff(Base):
    __tablename__ = "signoffs"
    __table_args__ = (
        *(Index(f"ix_signoffs_{p}_status", f"{p}_status") for p in SIGNOFF_PREFIXES),
        *(Index(f"ix_signoffs_{p}_time", f"{p}_time") for p in SIGNOFF_PREFIXES),
        *(Index(f"ix_signoffs_{p}_signoff_id", f"{p}_signoff_id", "revision_id") for p in SIGNOFF_PREFIXES),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"), unique=True)
    general_status: Mapped[str] = mapped_column(String)
    general_signoff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    general_time: Mapped[int | None] = mapped_column(Integer)
    acis_status: Mapped[str] = mapped_column(String)
    acis_signoff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acis_time: Mapped[int | None] = mapped_column(Integer)
    acis_si_status: Mapped[str] = mapped_column(String)
    acis_si_signoff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acis_si_time: Mapped[int | None] = mapped_column(Integer)
    hrc_si_status: Mapped[str] = mapped_column(String)
    hrc_si_signoff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hrc_si_time: Mapped[int | None] = mapped_column(Integer)
    usint_status: Mapped[str] = mapped_column(String)
    usint_signoff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    usint_time: Mapped[int | None] = mapped_column(Integer)

    revision: Mapped[Revision] = relationship(back_populates="signoff")

    def status(self, column: str) -> str:
        return getattr(self, f"{column}_status")

    @property
    def statuses(self) -> dict[str, str]:
        return {p: getattr(self, f"{p}_status") for p in SIGNOFF_PREFIXES}

    @property
    def is_open(self) -> bool:
        return any(getattr(self, f"{p}_status") == PENDING for p in SIGNOFF_PREFIXES)


class Parameter(Base):
    __tablename__ = "parameters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String, unique=True)
    is_modifiable: Mapped[bool] = mapped_column(Boolean)
    data_type: Mapped[str] = mapped_column(String)
    description: Mapped[str] = mapped_column(String)


class Original(Base):
    __tablename__ = "originals"
    __table_args__ = (Index("ix_originals_revision_id", "revision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    parameter_id: Mapped[int] = mapped_column(ForeignKey("parameters.id"))
    value: Mapped[str | None] = mapped_column(String)

    revision: Mapped[Revision] = relationship(back_populates="originals")
    parameter: Mapped[Parameter] = relationship(lazy="joined")


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_revision_id", "revision_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    parameter_id: Mapped[int] = mapped_column(ForeignKey("parameters.id"))
    value: Mapped[str | None] = mapped_column(String)

    revision: Mapped[Revision] = relationship(back_populates="requests")
    parameter: Mapped[Parameter] = relationship(lazy="joined")


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    start: Mapped[datetime]
    stop: Mapped[datetime]
    assigner_id: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User | None] = relationship(lazy="joined")


class Event(Base):
    """Append-only audit trail: who did what to which target, with the state before and after."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_target", "target", postgresql_ops={"target": "text_pattern_ops"}),  # prefix LIKE (0008)
        Index("ix_events_time", "time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    target: Mapped[str] = mapped_column(String)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


class Change(Base):
    """One row per row written to `revisions` or `signoffs`, by any writer (this app, v2.1, SQL by hand): the
    obsid whose status-board rows may differ. Written only by the database's own triggers (migration 5); the live
    board (`data.board.live`) reads the rows after the id it last saw. AUTOINCREMENT on SQLite: no id is reused."""

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obsid: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(Integer)
    """Epoch seconds of the writing transaction."""


OUTBOX_STATUSES = ("queued", "sent", "failed", "suppressed")


class Outbox(Base):
    """One e-mail queued in the transaction of the change that caused it, sent after commit (D21)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String)
    sender: Mapped[str | None] = mapped_column(String)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    cc: Mapped[list[str]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[int | None] = mapped_column(Integer)
    acting_email: Mapped[str | None] = mapped_column(String)
    obsidrevs: Mapped[str | None] = mapped_column(String)
