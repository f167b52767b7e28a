"""the Worker PIN also wraps the key of pages kept on a device

Revision ID: 0021_issue_15
Revises: 0020
Create Date: 2026-12-03 08:00:00

`user.pin_wrap_key` is PBKDF2-SHA256 of the PIN under a second salt, made when the PIN is set
(docs/offline.md "Locked at rest"). PINs set before this revision have none: until the worker sets
their PIN again, pages they keep on a device open only while the device is unlocked online.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_issue_15"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_wrap_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("pin_wrap_key")
