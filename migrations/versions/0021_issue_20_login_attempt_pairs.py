"""login attempts: kind and cleared_at, for throttling per account and address

Revision ID: 0021_issue_20
Revises: 0020
Create Date: 2026-12-03 08:00:00

Failures are counted per pair of account and client address with growing waits instead of a
lock from anywhere (app/security/throttle.py). `kind` tells a password from an authenticator
code or a PIN check; `cleared_at` is set when a success from the same address or an
administrator's unlock clears a failure. An index on (email, address, at) serves the pair count.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_issue_20"
down_revision = "0021_issue_18b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="login")
        )
        batch_op.add_column(sa.Column("cleared_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_login_attempt_email_address_at", ["email", "address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_email_address_at")
        batch_op.drop_column("cleared_at")
        batch_op.drop_column("kind")
