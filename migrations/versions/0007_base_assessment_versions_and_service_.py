"""base assessment versions and service-user feedback

BASE versions hold the five stages as a JSON document (immutable once submitted); feedback rows are append-only.

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-22 03:22:43.379032
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "base_feedback",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("perspective", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rater_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("about_worker_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("question_set", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("given_in_family_mode", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["about_worker_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("base_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_base_feedback_case_round", ["case_id", "round"], unique=False)

    op.create_table(
        "base_version",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("overall_risk", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("plan_finalised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("competency_self", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("competency_supervisor", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("competency_supervisor_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["competency_supervisor_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_base_version_case_number"),
    )
    with op.batch_alter_table("base_version", schema=None) as batch_op:
        batch_op.create_index("ix_base_version_case_status", ["case_id", "status"], unique=False)
        batch_op.create_index("ix_base_version_status_risk", ["status", "overall_risk"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("base_version", schema=None) as batch_op:
        batch_op.drop_index("ix_base_version_status_risk")
        batch_op.drop_index("ix_base_version_case_status")

    op.drop_table("base_version")
    with op.batch_alter_table("base_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_base_feedback_case_round")

    op.drop_table("base_feedback")
