"""which device reported each waiting item, so another device of the same worker is not told it was lost

Revision ID: 0027_device_item_device
Revises: 0026_diamond_distance
Create Date: 2026-12-06 10:00:00

`sync_device_item` held what a worker's devices said they hold, by worker alone: a second device
(the office PC, a phone) reporting nothing waiting made Homeward tell it that the tablet's items
were lost, and ask for them to be entered again (duplicates once the tablet synced). Each row now
names the device that reported it, and when a browser new to the worker was told it may be
elsewhere (once); `sync_device_seen` notes which workers have reported from which browser, so a
shared tablet is new to each worker in turn. Rows from before are deleted: they name no device, and every
device reports what it holds again at its next sync (a loss in between goes unnoticed once).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0027_device_item_device"
down_revision = "0026_diamond_distance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM sync_device_item")
    op.add_column(
        "sync_device_item", sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
    )
    op.add_column("sync_device_item", sa.Column("told_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "sync_device_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("user_id", "device_id"),
    )


def downgrade() -> None:
    op.drop_table("sync_device_seen")
    with op.batch_alter_table("sync_device_item", schema=None) as batch_op:
        batch_op.drop_column("told_at")
        batch_op.drop_column("device_id")
