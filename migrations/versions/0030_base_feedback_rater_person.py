"""BASE feedback from the family is stored under the person who gave it, not only their name

Revision ID: 0030_base_feedback_rater_person
Revises: 0029_review_submission_version
Create Date: 2026-12-07 07:00:00

Feedback from the young person or a parent was known by the name it was given in: a parent who
shares a name with another person on the case, or is renamed later, could not be told apart, and a
second person's answers sent under a reused form id with the same scores were taken for a replay
of the first's and dropped. `rater_person_id` now names the person (empty for the social worker's
feedback, whose name is typed in, and for feedback no one on the case can be matched to).

Feedback already held is matched to the case's person of that name where exactly one person on the
case has it; where none or several do, it stays known by name alone, as before.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0030_base_feedback_rater_person"
down_revision = "0029_review_submission_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("base_feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rater_person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.create_foreign_key("fk_base_feedback_rater_person_id_person", "person", ["rater_person_id"], ["id"])
    op.execute(
        sa.text(
            "UPDATE base_feedback SET rater_person_id = ("
            " SELECT person.id FROM person"
            " WHERE person.case_id = base_feedback.case_id AND person.name = base_feedback.rater_name)"
            " WHERE perspective <> 'social_worker' AND ("
            " SELECT count(*) FROM person"
            " WHERE person.case_id = base_feedback.case_id AND person.name = base_feedback.rater_name) = 1"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("base_feedback", schema=None) as batch_op:
        batch_op.drop_constraint("fk_base_feedback_rater_person_id_person", type_="foreignkey")
        batch_op.drop_column("rater_person_id")
