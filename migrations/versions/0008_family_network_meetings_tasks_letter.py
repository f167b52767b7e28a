"""family network: members, meetings, tasks and updates, FGDM, family letters

Revision ID: 0008
Revises: 0001
Create Date: 2026-11-22 03:25:28.913727
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fgdm_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("offered_to", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
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
    with op.batch_alter_table("fgdm_record", schema=None) as batch_op:
        batch_op.create_index("ix_fgdm_record_case_at", ["case_id", "recorded_at"], unique=False)

    op.create_table(
        "network_meeting",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("chair", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("young_person_attended", sa.Boolean(), nullable=False),
        sa.Column("views_given", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("young_person_views", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("information_shared", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("private_family_time", sa.Boolean(), nullable=False),
        sa.Column("plan_agreed", sa.Boolean(), nullable=False),
        sa.Column("worries", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("working_well", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("needs_to_happen", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("next_meeting_on", sa.Date(), nullable=True),
        sa.Column("finalised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("network_meeting", schema=None) as batch_op:
        batch_op.create_index("ix_network_meeting_case_held", ["case_id", "held_on"], unique=False)

    op.create_table(
        "family_letter",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("finalised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", name="uq_family_letter_meeting"),
    )
    op.create_table(
        "meeting_addendum",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_addendum", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_addendum_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "meeting_attendee",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("attendance", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_attendee_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "meeting_contingency",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("if_this", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("then_this", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_contingency", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_contingency_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "meeting_decision",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_decision_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "network_member",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("circle", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("agreed_to_help", sa.Boolean(), nullable=False),
        sa.Column("how_they_help", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "person_id", name="uq_network_member_case_person"),
    )
    with op.batch_alter_table("network_member", schema=None) as batch_op:
        batch_op.create_index("ix_network_member_case", ["case_id"], unique=False)

    op.create_table(
        "network_task",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("what", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("checked_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("safety_rule", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("network_task", schema=None) as batch_op:
        batch_op.create_index("ix_network_task_case_status", ["case_id", "status"], unique=False)
        batch_op.create_index("ix_network_task_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "support_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("support", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("agreed", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.create_index("ix_support_request_meeting", ["meeting_id"], unique=False)

    op.create_table(
        "network_task_update",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["network_meeting.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["network_task.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "meeting_id", name="uq_task_update_task_meeting"),
    )
    with op.batch_alter_table("network_task_update", schema=None) as batch_op:
        batch_op.create_index("ix_network_task_update_meeting", ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("network_task_update", schema=None) as batch_op:
        batch_op.drop_index("ix_network_task_update_meeting")

    op.drop_table("network_task_update")
    with op.batch_alter_table("support_request", schema=None) as batch_op:
        batch_op.drop_index("ix_support_request_meeting")

    op.drop_table("support_request")
    with op.batch_alter_table("network_task", schema=None) as batch_op:
        batch_op.drop_index("ix_network_task_meeting")
        batch_op.drop_index("ix_network_task_case_status")

    op.drop_table("network_task")
    with op.batch_alter_table("network_member", schema=None) as batch_op:
        batch_op.drop_index("ix_network_member_case")

    op.drop_table("network_member")
    with op.batch_alter_table("meeting_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_decision_meeting")

    op.drop_table("meeting_decision")
    with op.batch_alter_table("meeting_contingency", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_contingency_meeting")

    op.drop_table("meeting_contingency")
    with op.batch_alter_table("meeting_attendee", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_attendee_meeting")

    op.drop_table("meeting_attendee")
    with op.batch_alter_table("meeting_addendum", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_addendum_meeting")

    op.drop_table("meeting_addendum")
    op.drop_table("family_letter")
    with op.batch_alter_table("network_meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_network_meeting_case_held")

    op.drop_table("network_meeting")
    with op.batch_alter_table("fgdm_record", schema=None) as batch_op:
        batch_op.drop_index("ix_fgdm_record_case_at")

    op.drop_table("fgdm_record")
