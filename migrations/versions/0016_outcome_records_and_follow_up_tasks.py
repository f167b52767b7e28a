"""outcome records (coded indicators, counterfactual) and follow-up tasks raised by tick (issue 17)

Indexes: records by case and date (case page, distance travelled) and by point and date
(scorecard); follow-ups by case and by assignee, each with done_at for the open ones.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 14:52:16
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outcome_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("point", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_user_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outcome_follow_up", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_follow_up_case_done", ["case_id", "done_at"], unique=False)
        batch_op.create_index("ix_outcome_follow_up_user_done", ["assigned_user_id", "done_at"], unique=False)

    op.create_table(
        "outcome_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("point", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("living", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("placement", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("living_since", sa.Date(), nullable=True),
        sa.Column("care_status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("care_status_since", sa.Date(), nullable=True),
        sa.Column("care_status_until", sa.Date(), nullable=True),
        sa.Column("education", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attendance_percent", sa.Integer(), nullable=True),
        sa.Column("missing_episodes", sa.Integer(), nullable=True),
        sa.Column("police_contacts", sa.Integer(), nullable=True),
        sa.Column("arrests", sa.Integer(), nullable=True),
        sa.Column("anti_social_behaviour", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sexual_exploitation_risk", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("criminal_exploitation_risk", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("substance_concern", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("mental_health_service", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("ae_attendances", sa.Integer(), nullable=True),
        sa.Column("counterfactual_worker", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("counterfactual_worker_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("counterfactual_manager", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("counterfactual_manager_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outcome_record", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_record_case_taken", ["case_id", "taken_on"], unique=False)
        batch_op.create_index("ix_outcome_record_point_taken", ["point", "taken_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outcome_record", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_record_point_taken")
        batch_op.drop_index("ix_outcome_record_case_taken")

    op.drop_table("outcome_record")
    with op.batch_alter_table("outcome_follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_follow_up_user_done")
        batch_op.drop_index("ix_outcome_follow_up_case_done")

    op.drop_table("outcome_follow_up")
