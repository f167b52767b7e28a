"""Cases: referral details, eligibility decisions, consent, contacts, event reasons.

New NOT NULL columns on existing tables get server defaults so existing rows stay valid.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:27:50.954205
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("present", sa.JSON(), nullable=False),
        sa.Column("young_person_seen", sa.Boolean(), nullable=False),
        sa.Column("seen_alone", sa.Boolean(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("direct_minutes", sa.Integer(), nullable=False),
        sa.Column("admin_minutes", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index("ix_contact_case_on", ["case_id", "occurred_on"], unique=False)

    op.create_table(
        "eligibility_decision",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("criteria_set", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("set_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("ticked", sa.JSON(), nullable=False),
        sa.Column("age_in_range", sa.Boolean(), nullable=True),
        sa.Column("rule_met", sa.Boolean(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eligibility_decision", schema=None) as batch_op:
        batch_op.create_index("ix_eligibility_decision_case_at", ["case_id", "decided_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_eligibility_decision_criteria_set"), ["criteria_set"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("agency", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("how_given", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index("ix_consent_case_person", ["case_id", "person_id"], unique=False)

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "gender",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default=sa.text("'not_known'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "ethnicity",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default=sa.text("'not_known'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "age_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(
            sa.Column(
                "referral_route",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default=sa.text("'other'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "referrer_agency",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "referrer_name",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "referrer_contact",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "referral_reason",
                sqlmodel.sql.sqltypes.AutoString(length=4000),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "statutory_status_at_referral",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                nullable=False,
                server_default=sa.text("'none'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "prior_cin",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default=sa.text("'not_known'"),
            )
        )
        batch_op.add_column(sa.Column("prior_cin_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "prior_cp",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default=sa.text("'not_known'"),
            )
        )
        batch_op.add_column(sa.Column("prior_cp_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "prior_cla",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default=sa.text("'not_known'"),
            )
        )
        batch_op.add_column(sa.Column("prior_cla_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("first_contact_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "closure_reason",
                sqlmodel.sql.sqltypes.AutoString(length=30),
                nullable=False,
                server_default=sa.text("''"),
            )
        )
        batch_op.create_index(batch_op.f("ix_case_referral_date"), ["referral_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_referral_route"), ["referral_route"], unique=False)

    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reason", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(
            sa.Column(
                "destination", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False, server_default=sa.text("''")
            )
        )
        batch_op.add_column(sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.create_foreign_key("fk_case_event_person_id_person", "person", ["person_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_event_person_id_person", type_="foreignkey")
        batch_op.drop_column("person_id")
        batch_op.drop_column("destination")
        batch_op.drop_column("reason")

    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_referral_route"))
        batch_op.drop_index(batch_op.f("ix_case_referral_date"))
        batch_op.drop_column("closure_reason")
        batch_op.drop_column("first_contact_at")
        batch_op.drop_column("prior_cla_on")
        batch_op.drop_column("prior_cla")
        batch_op.drop_column("prior_cp_on")
        batch_op.drop_column("prior_cp")
        batch_op.drop_column("prior_cin_on")
        batch_op.drop_column("prior_cin")
        batch_op.drop_column("statutory_status_at_referral")
        batch_op.drop_column("referral_reason")
        batch_op.drop_column("referrer_contact")
        batch_op.drop_column("referrer_name")
        batch_op.drop_column("referrer_agency")
        batch_op.drop_column("referral_route")
        batch_op.drop_column("age_note")
        batch_op.drop_column("ethnicity")
        batch_op.drop_column("gender")

    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_case_person")

    op.drop_table("consent")
    with op.batch_alter_table("eligibility_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_eligibility_decision_criteria_set"))
        batch_op.drop_index("ix_eligibility_decision_case_at")

    op.drop_table("eligibility_decision")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_case_on")

    op.drop_table("contact")
