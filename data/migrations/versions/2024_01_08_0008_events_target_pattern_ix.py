"""PostgreSQL: ix_events_target with `text_pattern_ops`, so a prefix LIKE ('12345.%') reads it in any collation.

Revision ID: 0008_events_target_pattern_ix
Revises: 0007_user_revisions_ix
Create Date: 2024-01-08

The history page reads the audit events of one obsid's revisions by target prefix. A plain b-tree index answers a
LIKE only in the "C" collation (not in C.UTF-8 or en_US.UTF-8), so PostgreSQL scanned every event. The pattern
operator class answers equality (`events_for`) as well. SQLite keeps its index: it reads the prefix as a range.
"""

from __future__ import annotations

from alembic import op

revision = "0008_events_target_pattern_ix"
down_revision = "0007_user_revisions_ix"
branch_labels = None
depends_on = None


def _recreate(**ops: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_events_target", "events")
    op.create_index("ix_events_target", "events", ["target"], postgresql_ops=ops)


def upgrade() -> None:
    _recreate(target="text_pattern_ops")


def downgrade() -> None:
    _recreate()
