"""offline worker PIN check for family mode without a signal

Revision ID: 0011
Revises: 0012
Create Date: 2026-11-22 06:20:00

The hand-over page carries a salted PBKDF2 check of the Worker PIN (never the PIN), so the tablet
can hand over to the family and back offline (docs/family-mode.md). It is made whenever the PIN is
set; a PIN set before this revision has none until the worker sets it again (the Argon2 hash
cannot be turned into it).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
# Given the id 0011 when 0010 was the head; 0012 (reopen requests) reached main first, from 0010,
# so this follows it: a database already at 0012 upgrades to here without a second head.
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("pin_check", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column("pin_iterations", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("pin_iterations")
        batch_op.drop_column("pin_check")
        batch_op.drop_column("pin_salt")
