"""each case's count of the flags the tick kept, with indexes for the page that sorts by it (issue 21)

Revision ID: 0024_flags
Revises: 0023_repeat
Create Date: 2026-12-05 00:00:00

A manager's whole-service team cases by flags (`?flag=any&sort=attention`) grouped case_flag per
case, joined it to every flagged case and sorted all 32,000 of them by (flags, name, reference, id)
to show 25, and counted them with an EXISTS over case_flag: 120-180 ms at county scale, nearly all
SQL. `case.kept_flag_count` is written by `homeward tick` in the same transaction that replaces
case_flag (only where it moved), so the page walks ix_case_kept_flags 25 rows at a time and counts
the flagged cases by status from ix_case_flagged_status, index only. Filled here from the case_flag
already kept, so the page keeps its order until the next tick.
"""

import sqlalchemy as sa
from alembic import op

SORT_NAME_SQL = "lower(coalesce(nullif(preferred_name, ''), young_person_name))"
FLAGGED = "kept_flag_count > 0"

revision = "0024_flags"
down_revision = "0023_repeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("case", sa.Column("kept_flag_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        'UPDATE "case" SET kept_flag_count = '
        '(SELECT count(*) FROM case_flag WHERE case_flag.flagged_case_id = "case".id) '
        'WHERE EXISTS (SELECT 1 FROM case_flag WHERE case_flag.flagged_case_id = "case".id)'
    )
    op.create_index(
        "ix_case_kept_flags",
        "case",
        [sa.text("kept_flag_count DESC"), sa.text(SORT_NAME_SQL), "reference", "id"],
        unique=False,
    )
    op.create_index(
        "ix_case_flagged_status",
        "case",
        ["status"],
        unique=False,
        postgresql_where=sa.text(FLAGGED),
        sqlite_where=sa.text(FLAGGED),
    )


def downgrade() -> None:
    op.drop_index("ix_case_flagged_status", table_name="case")
    op.drop_index("ix_case_kept_flags", table_name="case")
    # ALTER TABLE ... DROP COLUMN, not a batch: copying the table again on SQLite would drop the
    # expression index ix_case_sort_name, which reflection cannot see (SQLite 3.35+ drops in place).
    op.drop_column("case", "kept_flag_count")
