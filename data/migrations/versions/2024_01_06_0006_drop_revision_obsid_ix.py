"""Drop `ix_revisions_obsid`: the unique (obsid, revision_number) index and `ix_revisions_obsid_kind` lead with obsid.

Revision ID: 0006_drop_revision_obsid_ix
Revises: 0005_board_changes
Create Date: 2024-01-06

Every look-up by obsid is served as well by either of the two wider indexes. The narrow one did harm: for "is a
higher revision of this obsid closed?" (the status board's `higher_signed`, `data.board.rows`) PostgreSQL chose it
and filtered the obsid's whole history by revision number, where the unique index walks only the revisions above
the row's own. One index fewer also makes every insert a little cheaper. v2.1 never had this index (migration 2
added it); dropping it changes nothing for v2.1's queries.
"""

from __future__ import annotations

from alembic import op

revision = "0006_drop_revision_obsid_ix"
down_revision = "0005_board_changes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_revisions_obsid", "revisions")


def downgrade() -> None:
    op.create_index("ix_revisions_obsid", "revisions", ["obsid"])
