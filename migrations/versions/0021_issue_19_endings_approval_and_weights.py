"""endings awaiting approval, caseload weights set by an administrator, weekly flag counts

Revision ID: 0021_issue_19
Revises: 0020
Create Date: 2026-12-03 08:10:00

Issue 19: a worker's ending waits for the supervisor's approval as `pending`, without moving the
case; endings made before this revision had moved the case when they were recorded (false). The caseload weights an administrator
sets live in `caseload_weight` (no rows: the defaults count). `flag_week` keeps each team's flag
counts per week (written by `homeward tick`) for oversight's 12-week trend.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_issue_19"
down_revision = "0021_issue_15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ending", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index("ix_ending_pending", ["pending"], unique=False)
    op.create_table(
        "caseload_weight",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "flag_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("flag_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week_start", "team_id", "flag_key", name="uq_flag_week"),
    )
    with op.batch_alter_table("flag_week", schema=None) as batch_op:
        batch_op.create_index("ix_flag_week_team_week", ["team_id", "week_start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flag_week", schema=None) as batch_op:
        batch_op.drop_index("ix_flag_week_team_week")
    op.drop_table("flag_week")
    op.drop_table("caseload_weight")
    with op.batch_alter_table("ending", schema=None) as batch_op:
        batch_op.drop_index("ix_ending_pending")
        batch_op.drop_column("pending")
