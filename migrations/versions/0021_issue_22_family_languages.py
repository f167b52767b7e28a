"""family screens in the family's language: a person's language, the letter's, languages switched off

Revision ID: 0021_issue_22
Revises: 0020
Create Date: 2026-12-03 08:20:00

Everyone existing keeps English (the screens' language until now); an administrator's choice per
language starts empty (every language offered).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_issue_22"
down_revision = "0021_issue_20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "preferred_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="en"
            )
        )
    with op.batch_alter_table("family_letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False, server_default="en")
        )
    op.create_table(
        "family_language",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["changed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("family_language")
    with op.batch_alter_table("family_letter", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("preferred_language")
