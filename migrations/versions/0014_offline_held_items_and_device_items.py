"""offline items held for the supervisor, and the items devices say they hold

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-02 14:45:15

sync_held_item: an offline item for a case that moved on while it waited (now another worker's, or
closed), kept unapplied for the team's supervisor. sync_device_item: the waiting items a device
reported, so Homeward can say when a device lost some (site data cleared, storage evicted).
Both are new tables: nothing to convert (docs/offline.md).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_device_item",
        sa.Column("op_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("op_id"),
    )
    with op.batch_alter_table("sync_device_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_device_item_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sync_held_item",
        sa.Column("op_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("held_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("settled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["settled_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("op_id"),
    )
    with op.batch_alter_table("sync_held_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_held_item_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_held_item_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_held_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_held_item_team_id"))
        batch_op.drop_index(batch_op.f("ix_sync_held_item_case_id"))

    op.drop_table("sync_held_item")
    with op.batch_alter_table("sync_device_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_device_item_user_id"))

    op.drop_table("sync_device_item")
