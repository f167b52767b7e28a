"""the audit chain runs in lanes, one per database connection that writes (issue 21)

Revision ID: 0023_repeat
Revises: 0023_caseflag
Create Date: 2026-12-03 17:00:00

`audit_entry.lane` says which chain an entry belongs to (app/audit/chain.py): each connection
that writes audit entries owns a lane for as long as it lives, so concurrent writers no longer
take turns at the end of one chain. Every entry before this revision is in lane 0, which goes on
from where the single chain ended. The index finds a lane's last entry and lets
`homeward audit verify` walk each lane.
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_repeat"
down_revision = "0023_caseflag"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_audit_entry_lane_id", ["lane", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_lane_id")
        batch_op.drop_column("lane")
