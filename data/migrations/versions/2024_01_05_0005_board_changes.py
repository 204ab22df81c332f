"""`changes`: the database itself records which obsid any writer touched, for the status board (#15).

Revision ID: 0005_board_changes
Revises: 0004_revision_kind_ix
Create Date: 2024-01-05

During the switch-over v2.1 and this app write the same `usint.db`, and operators fix rows by hand in SQL; none
of those writes leaves an `events` row. Triggers on `revisions` and `signoffs` (INSERT, UPDATE, DELETE) append
`(obsid, at)` to `changes` in the writer's own transaction, whoever the writer is, so the live board
(`data.board.live`) sees every change and re-reads only the obsids named there. `events` stays the audit trail.

SQLite: `changes.id` is AUTOINCREMENT (an id is never reused, so the board's token never goes back); writers are
serialised by the database, so ids become visible in id order. PostgreSQL: the trigger function first takes the
writers' advisory lock (`data.db.WRITER_LOCK_KEY`, held to commit), so a hand-written transaction also commits in id
order and a reader that has seen change N has seen every change below N.

v2.1 knows nothing of this table: its inserts, updates and deletes simply fire the triggers. A later migration
that rebuilds `revisions` or `signoffs` in SQLite batch mode drops their triggers and must create them again
(`usint db check` reports missing triggers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_board_changes"
down_revision = "0004_revision_kind_ix"
branch_labels = None
depends_on = None

WRITER_LOCK_KEY = 0x55534E54  # 1431522900, in the trigger functions below
"""`data.db.WRITER_LOCK_KEY`, copied so the migration stays as written (a test checks they agree)."""

SQLITE_TRIGGERS: dict[str, str] = {
    "changes_revisions_insert": """
        CREATE TRIGGER changes_revisions_insert AFTER INSERT ON revisions
        BEGIN
            INSERT INTO changes (obsid, at) VALUES (NEW.obsid, CAST(strftime('%s', 'now') AS INTEGER));
        END""",
    "changes_revisions_update": """
        CREATE TRIGGER changes_revisions_update AFTER UPDATE ON revisions
        BEGIN
            INSERT INTO changes (obsid, at) VALUES (NEW.obsid, CAST(strftime('%s', 'now') AS INTEGER));
            INSERT INTO changes (obsid, at)
                SELECT OLD.obsid, CAST(strftime('%s', 'now') AS INTEGER) WHERE OLD.obsid <> NEW.obsid;
        END""",
    "changes_revisions_delete": """
        CREATE TRIGGER changes_revisions_delete AFTER DELETE ON revisions
        BEGIN
            INSERT INTO changes (obsid, at) VALUES (OLD.obsid, CAST(strftime('%s', 'now') AS INTEGER));
        END""",
    "changes_signoffs_insert": """
        CREATE TRIGGER changes_signoffs_insert AFTER INSERT ON signoffs
        BEGIN
            INSERT INTO changes (obsid, at)
                SELECT obsid, CAST(strftime('%s', 'now') AS INTEGER) FROM revisions WHERE id = NEW.revision_id;
        END""",
    "changes_signoffs_update": """
        CREATE TRIGGER changes_signoffs_update AFTER UPDATE ON signoffs
        BEGIN
            INSERT INTO changes (obsid, at)
                SELECT obsid, CAST(strftime('%s', 'now') AS INTEGER) FROM revisions WHERE id = NEW.revision_id;
            INSERT INTO changes (obsid, at)
                SELECT obsid, CAST(strftime('%s', 'now') AS INTEGER) FROM revisions
                WHERE id = OLD.revision_id AND OLD.revision_id <> NEW.revision_id;
        END""",
    "changes_signoffs_delete": """
        CREATE TRIGGER changes_signoffs_delete AFTER DELETE ON signoffs
        BEGIN
            INSERT INTO changes (obsid, at)
                SELECT obsid, CAST(strftime('%s', 'now') AS INTEGER) FROM revisions WHERE id = OLD.revision_id;
        END""",
}
"""A sign-off deleted with its revision (ON DELETE CASCADE) finds no revision: the revision's own trigger has
recorded the obsid already."""

PG_FUNCTIONS: dict[str, str] = {
    "usint_changes_revisions": """
        CREATE FUNCTION usint_changes_revisions() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(1431522900);
            IF TG_OP = 'DELETE' THEN
                INSERT INTO changes (obsid, at) VALUES (OLD.obsid, CAST(extract(epoch FROM now()) AS integer));
                RETURN OLD;
            END IF;
            INSERT INTO changes (obsid, at) VALUES (NEW.obsid, CAST(extract(epoch FROM now()) AS integer));
            IF TG_OP = 'UPDATE' THEN
                IF OLD.obsid <> NEW.obsid THEN
                    INSERT INTO changes (obsid, at) VALUES (OLD.obsid, CAST(extract(epoch FROM now()) AS integer));
                END IF;
            END IF;
            RETURN NEW;
        END $$""",
    "usint_changes_signoffs": """
        CREATE FUNCTION usint_changes_signoffs() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(1431522900);
            IF TG_OP = 'DELETE' THEN
                INSERT INTO changes (obsid, at)
                    SELECT obsid, CAST(extract(epoch FROM now()) AS integer) FROM revisions WHERE id = OLD.revision_id;
                RETURN NULL;
            END IF;
            INSERT INTO changes (obsid, at)
                SELECT obsid, CAST(extract(epoch FROM now()) AS integer) FROM revisions WHERE id = NEW.revision_id;
            IF TG_OP = 'UPDATE' THEN
                IF OLD.revision_id <> NEW.revision_id THEN
                    INSERT INTO changes (obsid, at)
                        SELECT obsid, CAST(extract(epoch FROM now()) AS integer) FROM revisions
                        WHERE id = OLD.revision_id;
                END IF;
            END IF;
            RETURN NULL;
        END $$""",
}
PG_TRIGGERS: dict[str, str] = {
    "changes_revisions": """
        CREATE TRIGGER changes_revisions AFTER INSERT OR UPDATE OR DELETE ON revisions
        FOR EACH ROW EXECUTE FUNCTION usint_changes_revisions()""",
    "changes_signoffs": """
        CREATE TRIGGER changes_signoffs AFTER INSERT OR UPDATE OR DELETE ON signoffs
        FOR EACH ROW EXECUTE FUNCTION usint_changes_signoffs()""",
}


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obsid", sa.Integer(), nullable=False),
        sa.Column("at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        for ddl in SQLITE_TRIGGERS.values():
            op.execute(ddl)
    else:
        for ddl in (*PG_FUNCTIONS.values(), *PG_TRIGGERS.values()):
            op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS changes_revisions ON revisions")
        op.execute("DROP TRIGGER IF EXISTS changes_signoffs ON signoffs")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("changes")
