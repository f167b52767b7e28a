"""audit entries form a hash chain

Revision ID: 0020
Revises: 0013
Create Date: 2026-12-02 15:40:00

Each audit entry holds the previous entry's hash and its own (app/audit/chain.py), so an edited or
deleted entry is found by `homeward audit verify`. Entries written before this revision keep empty
hashes: the chain begins with the first entry written after it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("entry_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
