"""family mode safeguarding: names people go by, family versions of worries, PIN change due

Revision ID: 0013
Revises: 0019
Create Date: 2026-12-02 14:45:00

- person.given_name, person.preferred_name: the family screens greet people by the name they go
  by, never the first word of a full name.
- sos_map_item.family_text: a worry statement in words the worker chose for family members who
  do not know the worries.
- user.pin_change_due: Worker PINs are now at least 6 digits. The Argon2 hash cannot tell how
  long an existing PIN is, so every PIN set before this revision must be set again at the next
  login (its offline check was also made at the old, cheaper PBKDF2 cost).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("preferred_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False, server_default="")
        )
    with op.batch_alter_table("sos_map_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("family_text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default="")
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pin_change_due", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text('UPDATE "user" SET pin_change_due = :yes WHERE pin_hash IS NOT NULL').bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("pin_change_due")
    with op.batch_alter_table("sos_map_item", schema=None) as batch_op:
        batch_op.drop_column("family_text")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("preferred_name")
        batch_op.drop_column("given_name")
