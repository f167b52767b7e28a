"""the scorecard's distance travelled groups a worker's ratings by worker; its endings read moves out of active work

Revision ID: 0028_scorecard_raters_endings
Revises: 0027_device_item_device
Create Date: 2026-12-06 13:20:00

The distance travelled now compares a worker's Diamond ratings with that worker's own (a case
reallocated no longer compares one worker's first rating with the next one's latest), so it groups
by `user_id` too: the index it reads alone (0026) gains that column, last, in the grouping's order.
The endings are now counted from the case's moves out of active work (`case_event` into dormant or
closed, whichever way the work ended), read by status and time.
"""

from alembic import op

revision = "0028_scorecard_raters_endings"
down_revision = "0027_device_item_device"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_diamond_rating_distance", table_name="diamond_rating")
    op.create_index(
        "ix_diamond_rating_distance",
        "diamond_rating",
        ["case_id", "person_id", "aim", "goal_id", "user_id"],
        unique=False,
        postgresql_include=["rated_on", "recorded_at", "score"],
    )
    op.create_index("ix_case_event_to_status_at", "case_event", ["to_status", "occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_case_event_to_status_at", table_name="case_event")
    op.drop_index("ix_diamond_rating_distance", table_name="diamond_rating")
    op.create_index(
        "ix_diamond_rating_distance",
        "diamond_rating",
        ["case_id", "person_id", "aim", "goal_id"],
        unique=False,
        postgresql_include=["rated_on", "recorded_at", "score"],
    )
