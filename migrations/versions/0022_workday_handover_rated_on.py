"""the worker dates the family's ratings before handing over; prompted tasks say what closed them (issue 18)

Revision ID: 0022_workday
Revises: 0022_mgrpages
Create Date: 2026-12-03 13:40:00

`family_handover.rated_on` is the day the worker says the family's ratings were given (today by
default, earlier for work recorded afterwards). NULL for hand-overs before this revision: their
ratings kept the day they were recorded.

`ending_task.closed_by` says, in words, the save that closed a prompted task by itself
(app/endings/fulfils.py); empty for a task ticked by hand.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0022_workday"
down_revision = "0022_mgrpages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("family_handover", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rated_on", sa.Date(), nullable=True))
    with op.batch_alter_table("ending_task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closed_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=sa.text("''")
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("ending_task", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
    with op.batch_alter_table("family_handover", schema=None) as batch_op:
        batch_op.drop_column("rated_on")
