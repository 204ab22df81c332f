"""Indexes for "a user's newest revisions": revisions (user_id, id) and each sign-off column's (signer, revision).

Revision ID: 0007_user_revisions_ix
Revises: 0006_drop_revision_obsid_ix
Create Date: 2024-01-07

Remove Accidental Submission lists a user's newest revisions (submitted or signed by them) when nothing can be
undone. Without these indexes that is one scan of every revision for a user with few of them; with them, a short
descending range per column, merged.
"""

from __future__ import annotations

from alembic import op

revision = "0007_user_revisions_ix"
down_revision = "0006_drop_revision_obsid_ix"
branch_labels = None
depends_on = None

SIGNOFF_PREFIXES = ("general", "acis", "acis_si", "hrc_si", "usint")


def upgrade() -> None:
    op.create_index("ix_revisions_user_id", "revisions", ["user_id", "id"])
    for p in SIGNOFF_PREFIXES:
        op.create_index(f"ix_signoffs_{p}_signoff_id", "signoffs", [f"{p}_signoff_id", "revision_id"])


def downgrade() -> None:
    for p in SIGNOFF_PREFIXES:
        op.drop_index(f"ix_signoffs_{p}_signoff_id", "signoffs")
    op.drop_index("ix_revisions_user_id", "revisions")
