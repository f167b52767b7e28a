"""case.page_version: the version the rendered case page is cached by (issue 21)

Revision ID: 0022_pagefast
Revises: 0022_feeds
Create Date: 2026-12-03 13:40:00

Every flush that writes a row the case page shows moves its case's page_version on in the same
transaction (app/page_versions.py); the case page caches its rendered body per (case, page_version, viewer,
hour), so an unchanged case is not rebuilt on every view. Existing cases start at 0.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_pagefast"
down_revision = "0022_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("page_version")
