"""one review submission for each version of an item

Revision ID: 0029_review_submission_version
Revises: 0028_scorecard_raters_endings
Create Date: 2026-12-06 18:40:00

Each version of an item (a map, a meeting, an ending) goes into the review queue once. The code
looks for the version before adding it, and since December 2026 the case writers' turn serialises
the paths that submit; this unique index is the database's own guarantee, so two versions numbered
alike can never both wait for a supervisor's decision.

A database that already holds such a pair is not changed: the upgrade stops and names the pairs,
since which of the two a supervisor meant to decide is for a person to settle, not a migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_review_submission_version"
down_revision = "0028_scorecard_raters_endings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    repeated = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT kind, item_id, version_number, count(*) FROM review_submission"
                " GROUP BY kind, item_id, version_number HAVING count(*) > 1"
                " ORDER BY kind, item_id, version_number"
            )
        )
        .all()
    )
    if repeated:
        listed = "; ".join(f"{kind} {item} version {number} ({n} rows)" for kind, item, number, n in repeated)
        raise RuntimeError(
            "review_submission holds the same version of an item more than once; settle these by hand "
            f"(keep the one a supervisor decided) and run the upgrade again: {listed}"
        )
    op.create_index(
        "uq_review_submission_version",
        "review_submission",
        ["kind", "item_id", "version_number"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_review_submission_version", table_name="review_submission")
