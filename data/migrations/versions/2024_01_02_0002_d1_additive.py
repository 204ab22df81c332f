"""D1's additive parts: UNIQUE(obsid, revision_number), board indexes, `events` and `outbox`.

Revision ID: 0002_d1
Revises: 0001_v21
Create Date: 2024-01-02

v2.1 computed the next revision number without a lock, so an old file may hold a duplicate
(obsid, revision_number). Such later duplicates get the next free number; each renumbering is an
`events` row (action `migrate.renumber`) so nothing is lost silently.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0002_d1"
down_revision = "0001_v21"
branch_labels = None
depends_on = None

SIGNOFF_PREFIXES = ("general", "acis", "acis_si", "hrc_si", "usint")
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _name_unnamed_uniques() -> None:
    """A v2.1 SQLite file has unnamed UNIQUE constraints; rebuild those tables so they carry the convention's names."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = sa.inspect(bind)
    for table in ("users", "parameters", "signoffs"):
        if any(uq["name"] is None for uq in inspector.get_unique_constraints(table)):
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
                pass


def _renumber_duplicates() -> None:
    bind = op.get_bind()
    dupes = bind.execute(
        sa.text("SELECT obsid, revision_number FROM revisions GROUP BY obsid, revision_number HAVING COUNT(*) > 1")
    ).all()
    events = sa.table(
        "events",
        sa.column("time", sa.Integer),
        sa.column("username", sa.String),
        sa.column("action", sa.String),
        sa.column("target", sa.String),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    now = int(time.time())
    for obsid, number in dupes:
        ids = bind.execute(
            sa.text("SELECT id FROM revisions WHERE obsid = :o AND revision_number = :n ORDER BY id"),
            {"o": obsid, "n": number},
        ).scalars()
        for rid in list(ids)[1:]:
            top = bind.execute(sa.text("SELECT MAX(revision_number) FROM revisions WHERE obsid = :o"), {"o": obsid})
            new = top.scalar_one() + 1
            bind.execute(sa.text("UPDATE revisions SET revision_number = :n WHERE id = :i"), {"n": new, "i": rid})
            bind.execute(
                events.insert().values(
                    time=now,
                    username="migration",
                    action="migrate.renumber",
                    target=f"{obsid}.{new:03}",
                    before={"revision_id": rid, "obsidrev": f"{obsid}.{number:03}"},
                    after={"revision_id": rid, "obsidrev": f"{obsid}.{new:03}"},
                )
            )


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_target", "events", ["target"])
    op.create_index("ix_events_time", "events", ["time"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("sender", sa.String(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.Integer(), nullable=True),
        sa.Column("acting_email", sa.String(), nullable=True),
        sa.Column("obsidrevs", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"])

    _renumber_duplicates()
    _name_unnamed_uniques()
    with op.batch_alter_table("revisions", naming_convention=NAMING_CONVENTION) as batch:
        batch.create_unique_constraint("uq_revisions_obsid_revision_number", ["obsid", "revision_number"])
    op.create_index("ix_revisions_obsid", "revisions", ["obsid"])
    op.create_index("ix_revisions_time", "revisions", ["time"])
    for p in SIGNOFF_PREFIXES:
        op.create_index(f"ix_signoffs_{p}_status", "signoffs", [f"{p}_status"])
    op.create_index("ix_originals_revision_id", "originals", ["revision_id"])
    op.create_index("ix_requests_revision_id", "requests", ["revision_id"])


def downgrade() -> None:
    op.drop_index("ix_requests_revision_id", "requests")
    op.drop_index("ix_originals_revision_id", "originals")
    for p in SIGNOFF_PREFIXES:
        op.drop_index(f"ix_signoffs_{p}_status", "signoffs")
    op.drop_index("ix_revisions_time", "revisions")
    op.drop_index("ix_revisions_obsid", "revisions")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_constraint("uq_revisions_obsid_revision_number", type_="unique")
    op.drop_index("ix_outbox_status", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_events_time", "events")
    op.drop_index("ix_events_target", "events")
    op.drop_table("events")
