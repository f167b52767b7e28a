"""notifications tied to what they are about, cleared when it is acted on

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-02 15:15:00

Issue 19: a notification names what it is about ("item:<kind>:<id>", "case:<id>") so a decision
or a resubmission clears the ones it answers; cleared ones leave the list and the header count.
Existing notifications are about nothing in particular ("") and stay until read.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("about", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("cleared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_notification_about", ["about", "cleared_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_about")
        batch_op.drop_column("cleared_at")
        batch_op.drop_column("about")
