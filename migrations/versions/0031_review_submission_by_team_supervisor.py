"""a submission records whether a supervisor of its team sent it

Revision ID: 0031_submission_by_supervisor
Revises: 0030_base_feedback_rater_person
Create Date: 2026-12-07 07:10:00

What a supervisor of the team sends (a case they key-work) a service manager decides too. That was
read from the sender's role at each look, so a supervisor who stepped down or moved team left the
managers a notice for work they could no longer open to decide, and a worker made supervisor later
turned their earlier work into the managers'. `by_team_supervisor` is set when the item is sent.

Submissions already held are set from their senders' roles now, the only record there is: for
those waiting, what the queue showed until this upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_submission_by_supervisor"
down_revision = "0030_base_feedback_rater_person"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: the table is not copied (SQLite's batch copy would check
    # every row's foreign keys again).
    op.add_column(
        "review_submission", sa.Column("by_team_supervisor", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.execute(
        sa.text(
            'UPDATE review_submission SET by_team_supervisor = true WHERE EXISTS (SELECT 1 FROM "user"'
            ' WHERE "user".id = review_submission.submitted_by_id AND "user".role = \'supervisor\''
            ' AND "user".team_id = review_submission.team_id)'
        )
    )


def downgrade() -> None:
    # A plain DROP COLUMN too (SQLite 3.35 and later): the batch copy dropped review_submission,
    # which review comments' foreign keys refuse on SQLite once any comment is held.
    op.drop_column("review_submission", "by_team_supervisor")
