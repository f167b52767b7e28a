"""case facts feed the outcome records: education (with history) and missing episodes on the case

Revision ID: 0022_feeds
Revises: 0021_issue_22
Create Date: 2026-12-03 13:45:00

The outcome records read where the young person lives, their education and their missing episodes
from the case (issue 18: one place for each fact). Education had no place on the case: each case's
latest known education from a worker's outcome record becomes its first entry, dated as that record,
so the first new outcome record opens with what was already known.
"""

import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0022_feeds"
down_revision = "0021_issue_22"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "education_status",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("education", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attendance_percent", sa.Integer(), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_education_status_case_since", "education_status", ["case_id", "since"], unique=False)
    op.create_table(
        "missing_episode",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("went_missing_on", sa.Date(), nullable=False),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_missing_episode_case_on", "missing_episode", ["case_id", "went_missing_on"], unique=False)

    bind = op.get_bind()
    record = sa.table(
        "outcome_record",
        sa.column("case_id", sa.Integer),
        sa.column("taken_on", sa.Date),
        sa.column("recorded_at", sa.DateTime),
        sa.column("education", sa.String),
        sa.column("attendance_percent", sa.Integer),
        sa.column("source", sa.String),
        sa.column("by_user_id", sa.Integer),
    )
    education = sa.table(
        "education_status",
        sa.column("id", sa.String),
        sa.column("case_id", sa.Integer),
        sa.column("education", sa.String),
        sa.column("attendance_percent", sa.Integer),
        sa.column("since", sa.Date),
        sa.column("recorded_at", sa.DateTime),
        sa.column("recorded_by_id", sa.Integer),
    )
    rows = bind.execute(
        sa.select(
            record.c.case_id,
            record.c.taken_on,
            record.c.recorded_at,
            record.c.education,
            record.c.attendance_percent,
            record.c.by_user_id,
        )
        .where(record.c.source == "form", record.c.education != "not_known")
        .order_by(record.c.case_id, record.c.taken_on.desc(), record.c.recorded_at.desc())
    ).all()
    latest: dict[int, dict] = {}
    for case_id, taken_on, recorded_at, code, attendance, by in rows:
        latest.setdefault(
            case_id,
            {
                "id": str(uuid.uuid4()),
                "case_id": case_id,
                "education": code,
                "attendance_percent": attendance,
                "since": taken_on,
                "recorded_at": recorded_at,
                "recorded_by_id": by,
            },
        )
    if latest:
        op.bulk_insert(education, list(latest.values()))


def downgrade() -> None:
    op.drop_index("ix_missing_episode_case_on", table_name="missing_episode")
    op.drop_table("missing_episode")
    op.drop_index("ix_education_status_case_since", table_name="education_status")
    op.drop_table("education_status")
