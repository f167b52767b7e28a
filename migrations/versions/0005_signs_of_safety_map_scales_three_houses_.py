"""signs of safety map, scales, three houses, words and pictures

Seven tables, all prefixed sos_: map versions and their items, scale ratings, three houses
entries, and the words-and-pictures storyboard (versions, panels, shares). Reviewed by hand.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-22 03:39:22.346745
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sos_map_version",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("safety_plan_review_on", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_sos_map_version_case_number"),
    )
    with op.batch_alter_table("sos_map_version", schema=None) as batch_op:
        batch_op.create_index("ix_sos_map_version_case_status", ["case_id", "status"], unique=False)

    op.create_table(
        "sos_story_version",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_sos_story_version_case_number"),
    )
    op.create_table(
        "sos_map_item",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("map_version_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("item_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("by_key_worker", sa.Boolean(), nullable=False),
        sa.Column("family_agrees", sa.Boolean(), nullable=True),
        sa.Column("goal", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("sustain_for", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["map_version_id"],
            ["sos_map_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sos_map_item", schema=None) as batch_op:
        batch_op.create_index("ix_sos_map_item_key", ["item_key"], unique=False)
        batch_op.create_index("ix_sos_map_item_version_category", ["map_version_id", "category"], unique=False)

    op.create_table(
        "sos_scale_rating",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("pair_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("map_version_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("rater_role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rater_person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("rater_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("anchor_low", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("anchor_high", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("why_not_lower", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("one_step_higher", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("rated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["map_version_id"],
            ["sos_map_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rater_person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sos_scale_rating", schema=None) as batch_op:
        batch_op.create_index("ix_sos_scale_rating_case_at", ["case_id", "rated_at"], unique=False)

    op.create_table(
        "sos_story_panel",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("story_version_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("panel_key", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("image_description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_version_id"],
            ["sos_story_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sos_story_panel", schema=None) as batch_op:
        batch_op.create_index("ix_sos_story_panel_version", ["story_version_id", "position"], unique=False)

    op.create_table(
        "sos_story_share",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("story_version_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("shared_with", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("shared_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["story_version_id"],
            ["sos_story_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sos_story_share", schema=None) as batch_op:
        batch_op.create_index("ix_sos_story_share_version", ["story_version_id"], unique=False)

    op.create_table(
        "sos_three_houses_entry",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("house", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("own_words", sa.Boolean(), nullable=False),
        sa.Column("drawing_png", sa.LargeBinary(), nullable=True),
        sa.Column("drawing_description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("consent_to_share", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sos_three_houses_entry", schema=None) as batch_op:
        batch_op.create_index("ix_sos_three_houses_case_at", ["case_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sos_three_houses_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_three_houses_case_at")

    op.drop_table("sos_three_houses_entry")
    with op.batch_alter_table("sos_story_share", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_story_share_version")

    op.drop_table("sos_story_share")
    with op.batch_alter_table("sos_story_panel", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_story_panel_version")

    op.drop_table("sos_story_panel")
    with op.batch_alter_table("sos_scale_rating", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_scale_rating_case_at")

    op.drop_table("sos_scale_rating")
    with op.batch_alter_table("sos_map_item", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_map_item_version_category")
        batch_op.drop_index("ix_sos_map_item_key")

    op.drop_table("sos_map_item")
    op.drop_table("sos_story_version")
    with op.batch_alter_table("sos_map_version", schema=None) as batch_op:
        batch_op.drop_index("ix_sos_map_version_case_status")

    op.drop_table("sos_map_version")
