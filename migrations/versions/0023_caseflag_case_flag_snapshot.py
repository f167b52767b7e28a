"""each open case's oversight flags as the tick last worked them out (issue 21)

Revision ID: 0023_caseflag
Revises: 0022_workday
Create Date: 2026-12-03 17:00:00

A manager's whole-service team cases sorted by flags, or filtered by a flag, worked out every flag
of every open case on each view (about 3 s of CPU on the county data set, 40,000 open cases). The
hourly `homeward tick` already works them all out for the weekly counts (flag_week); it now keeps
them per case here too, replaced whole each time, and that page reads them (saying when they were
taken) while they are less than a day old. The key to the case is `flagged_case_id`, not
`case_id`: the hourly rewrite is not a change to the case and must not move its page version.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0023_caseflag"
down_revision = "0022_workday"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_flag",
        sa.Column("flagged_case_id", sa.Integer(), nullable=False),
        sa.Column("flag_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["flagged_case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("flagged_case_id", "flag_key"),
    )
    op.create_index("ix_case_flag_key", "case_flag", ["flag_key", "flagged_case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_flag_key", table_name="case_flag")
    op.drop_table("case_flag")
