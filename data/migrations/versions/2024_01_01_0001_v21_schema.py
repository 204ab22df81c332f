"""The USINT v2.1 schema of usint.db, unchanged (data-layer §3.2).

Revision ID: 0001_v21
Revises:
Create Date: 2024-01-01

A v2.1 file already holds these tables; `data.schema.upgrade` stamps it at this revision instead of running it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_v21"
down_revision = None
branch_labels = None
depends_on = None

SIGNOFF_PREFIXES = ("general", "acis", "acis_si", "hrc_si", "usint")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("groups", sa.String(), nullable=True),
        sa.Column("full_name", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "parameters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("is_modifiable", sa.Boolean(), nullable=False),
        sa.Column("data_type", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obsid", sa.Integer(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("sequence_number", sa.Integer(), nullable=False),
        sa.Column("time", sa.Integer(), nullable=False),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    columns: list[sa.Column] = []
    fks: list[sa.ForeignKeyConstraint] = []
    for p in SIGNOFF_PREFIXES:
        columns += [
            sa.Column(f"{p}_status", sa.String(), nullable=False),
            sa.Column(f"{p}_signoff_id", sa.Integer(), nullable=True),
            sa.Column(f"{p}_time", sa.Integer(), nullable=True),
        ]
        fks.append(sa.ForeignKeyConstraint([f"{p}_signoff_id"], ["users.id"]))
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], ondelete="CASCADE"),
        *fks,
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("revision_id"),
    )
    for name in ("originals", "requests"):
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("revision_id", sa.Integer(), nullable=False),
            sa.Column("parameter_id", sa.Integer(), nullable=False),
            sa.Column("value", sa.String(), nullable=True),
            sa.ForeignKeyConstraint(["parameter_id"], ["parameters.id"]),
            sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("stop", sa.DateTime(), nullable=False),
        sa.Column("assigner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for name in ("schedules", "requests", "originals", "signoffs", "revisions", "parameters", "users"):
        op.drop_table(name)
