"""indexes for the pages a supervisor and a manager live on (issue 21)

Revision ID: 0022_mgrpages
Revises: 0022_pagefast
Create Date: 2026-12-03 14:00:00

On the county data set (50,000 cases, 200,000 contacts, 1,000,000 Diamond ratings) team oversight
and team cases grouped a team's contacts and young people's ratings by hash-joining the whole
table. Two covering indexes let each case's rows be read alone, index only:
- contact (case_id, attended, occurred_on, seen_alone, direct_minutes): the last attended contact
  (the caseload, team cases, the dormant register), the missed visits since it, the contact
  figures of oversight;
- diamond_rating (case_id, person_id, rated_on): when the young person last rated (the voice flag).
And the whole service's team cases by name walk ix_case_sort_name (the sort expression, then
reference and id) 25 rows at a time instead of sorting 40,000 open cases.
"""

import sqlalchemy as sa
from alembic import op

SORT_NAME_SQL = "lower(coalesce(nullif(preferred_name, ''), young_person_name))"

revision = "0022_mgrpages"
down_revision = "0022_pagefast"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_case_attended_on",
            ["case_id", "attended", "occurred_on", "seen_alone", "direct_minutes"],
            unique=False,
        )
    with op.batch_alter_table("diamond_rating", schema=None) as batch_op:
        batch_op.create_index("ix_diamond_rating_case_person_on", ["case_id", "person_id", "rated_on"], unique=False)
    op.create_index("ix_case_sort_name", "case", [sa.text(SORT_NAME_SQL), "reference", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_sort_name", table_name="case")
    with op.batch_alter_table("diamond_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_diamond_rating_case_person_on")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_case_attended_on")
