"""Indexes on the five sign-off time columns, for the status board's closed-within-window query.

Revision ID: 0003_signoff_time_ix
Revises: 0002_d1
Create Date: 2024-01-03

The board lists revisions closed within the window by their last sign-off time; without these indexes
that query scans every `signoffs` row. With them SQLite answers the OR of five ranges with its multi-index
OR optimisation (and PostgreSQL with a BitmapOr).
"""

from __future__ import annotations

from alembic import op

revision = "0003_signoff_time_ix"
down_revision = "0002_d1"
branch_labels = None
depends_on = None

SIGNOFF_PREFIXES = ("general", "acis", "acis_si", "hrc_si", "usint")


def upgrade() -> None:
    for p in SIGNOFF_PREFIXES:
        op.create_index(f"ix_signoffs_{p}_time", "signoffs", [f"{p}_time"])


def downgrade() -> None:
    for p in SIGNOFF_PREFIXES:
        op.drop_index(f"ix_signoffs_{p}_time", "signoffs")
