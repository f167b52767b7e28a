"""single sign-on link and a second factor for password sign-ins (issue 23)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 15:10:00

A person's council identity (the provider's `sub`) is linked on their first single sign-on; a
session records how it began, so logging out can offer the provider's sign-out; the authenticator
app's secret (encrypted) and ten one-use recovery codes (keyed hashes) live in their own tables.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.create_unique_constraint("uq_user_oidc_subject", ["oidc_subject"])
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "signed_in_with",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default="password",
            )
        )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.alter_column("signed_in_with", server_default=None)
    op.create_table(
        "second_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_sealed", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recovery_code_user_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    op.drop_table("second_factor")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("signed_in_with")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_oidc_subject", type_="unique")
        batch_op.drop_column("oidc_subject")
