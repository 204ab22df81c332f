"""An index on revisions (obsid, kind, revision_number), for the approved-list rule of many obsids at once.

Revision ID: 0004_revision_kind_ix
Revises: 0003_signoff_time_ix
Create Date: 2024-01-04

"Approved" (v2.1 `is_approved`) asks, per obsid, whether its newest asis/remove revision is an asis. With this
index the status board answers that for all its obsids in one grouped, index-only query (two short range
seeks per obsid) instead of walking each obsid's whole history.
"""

from __future__ import annotations

from alembic import op

revision = "0004_revision_kind_ix"
down_revision = "0003_signoff_time_ix"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_revisions_obsid_kind", "revisions", ["obsid", "kind", "revision_number"])


def downgrade() -> None:
    op.drop_index("ix_revisions_obsid_kind", "revisions")
