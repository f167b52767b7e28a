"""diamond ratings goals and family hand-over: append-only Diamond ratings, family goals,
hand-over records, and UserSession.family_person_id as a Person UUID

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-22 03:54:13.827976
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diamond_goal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("chosen_by_person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by_person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("diamond_goal", schema=None) as batch_op:
        batch_op.create_index("ix_diamond_goal_case", ["case_id"], unique=False)

    op.create_table(
        "family_handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_session_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_how", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("pin_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("pin_check", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("token_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_session_id"],
            ["user_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("family_handover", schema=None) as batch_op:
        batch_op.create_index("ix_family_handover_case", ["case_id"], unique=False)
        batch_op.create_index("ix_family_handover_session", ["user_session_id"], unique=False)

    op.create_table(
        "diamond_rating",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("aim", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("goal_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("positive_experiences", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("next_step", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("rated_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("in_family_mode", sa.Boolean(), nullable=False),
        sa.CheckConstraint("(person_id IS NULL) <> (user_id IS NULL)", name="ck_diamond_rating_one_rater"),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="ck_diamond_rating_score"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["diamond_goal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("diamond_rating", schema=None) as batch_op:
        batch_op.create_index("ix_diamond_rating_case_rated_on", ["case_id", "rated_on"], unique=False)

    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.alter_column(
            "family_person_id",
            existing_type=sa.INTEGER(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=36),
            existing_nullable=True,
            # A Person's id is a UUID string; the foundation declared this column an integer.
            postgresql_using="family_person_id::varchar",
        )


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.alter_column(
            "family_person_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=36),
            type_=sa.INTEGER(),
            existing_nullable=True,
            # Hand-overs in progress are forgotten on downgrade: UUIDs do not fit an integer.
            postgresql_using="NULL::integer",
        )

    with op.batch_alter_table("diamond_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_diamond_rating_case_rated_on")

    op.drop_table("diamond_rating")
    with op.batch_alter_table("family_handover", schema=None) as batch_op:
        batch_op.drop_index("ix_family_handover_session")
        batch_op.drop_index("ix_family_handover_case")

    op.drop_table("family_handover")
    with op.batch_alter_table("diamond_goal", schema=None) as batch_op:
        batch_op.drop_index("ix_diamond_goal_case")

    op.drop_table("diamond_goal")
