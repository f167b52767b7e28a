"""a partial index for the reports of wrong PINs typed on a tablet offline (issue 21)

Revision ID: 0025_offline_pins
Revises: 0024_flags
Create Date: 2026-12-05 04:30:00

The case page (its Diamond section) shows the latest reports of wrong Worker PINs typed on a
tablet without a signal, and the team oversight flag looks for those of the last four weeks. Both
read audit_entry by action, which no index had: the case page read every entry of the case (one
per view of it, most of them reads: 126 entries, 0.55 ms on the county set, growing with every
view of the case for as long as it is open), the flag every entry of the log since its date. The
index holds those reports alone, so each reads only the rows it shows. Built once over the whole
log (a few seconds a million entries), while `homeward migrate` runs, before the app serves.
"""

import sqlalchemy as sa
from alembic import op

OFFLINE_PINS = "action = 'family_offline_wrong_pins'"

revision = "0025_offline_pins"
down_revision = "0024_flags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_entry_offline_pins",
        "audit_entry",
        ["case_id", "id"],
        unique=False,
        postgresql_where=sa.text(OFFLINE_PINS),
        sqlite_where=sa.text(OFFLINE_PINS),
    )


def downgrade() -> None:
    op.drop_index("ix_audit_entry_offline_pins", table_name="audit_entry")
