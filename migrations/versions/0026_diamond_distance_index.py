"""an index the scorecard's distance travelled reads instead of the Diamond ratings table (issue 21)

Revision ID: 0026_diamond_distance
Revises: 0025_offline_pins
Create Date: 2026-12-06 03:50:00

The scorecard's distance travelled groups every Diamond rating by case, rater, aim and goal and
takes the first and latest of each group. On the county set (a million ratings) PostgreSQL sorted
the whole table for that grouping on every scorecard (1.2-1.7 s on this machine, about two thirds
of a year's scorecard). This index holds the ratings in that order with the three columns the
statement reads (PostgreSQL: INCLUDE), so it reads the index alone: 0.9-1.0 s. SQLite has no
INCLUDE: the grouping columns alone, in order. Built once while `homeward migrate` runs.
"""

from alembic import op

revision = "0026_diamond_distance"
down_revision = "0025_offline_pins"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_diamond_rating_distance",
        "diamond_rating",
        ["case_id", "person_id", "aim", "goal_id"],
        unique=False,
        postgresql_include=["rated_on", "recorded_at", "score"],
    )


def downgrade() -> None:
    op.drop_index("ix_diamond_rating_distance", table_name="diamond_rating")
