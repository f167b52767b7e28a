"""issue 18 (framework half): folded names for search, a drawn consent signature, referral time,
professionals at a contact, where the young person lives (with history)

Revision ID: 0021_issue_18b
Revises: 0020
Create Date: 2026-12-03 08:15:00

`case.search_text` holds the young person's names and the reference folded (lower case, accents
removed: app/core/text.py), so "Wisniewska" finds "Wiśniewska" on SQLite and PostgreSQL alike.
The app keeps it up to date on every write; this revision fills it for the cases already there.
"""

import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0021_issue_18b"
down_revision = "0021_issue_19"
branch_labels = None
depends_on = None

# A frozen copy of app.core.text.fold, so this revision means the same whatever the app becomes.
_EXTRA = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    plain = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(plain.casefold().replace("ß", "ss").split())


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False, server_default="")
        )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.Text(), nullable=True))
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referral_time", sa.Time(), nullable=True))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("professionals", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default="")
        )
    op.create_table(
        "living_situation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("living", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("with_whom", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_living_situation_case_since", "living_situation", ["case_id", "since"], unique=False)
    bind = op.get_bind()
    case = sa.table(
        "case",
        sa.column("id", sa.Integer),
        sa.column("young_person_name", sa.String),
        sa.column("preferred_name", sa.String),
        sa.column("reference", sa.String),
        sa.column("search_text", sa.String),
    )
    rows = bind.execute(sa.select(case.c.id, case.c.young_person_name, case.c.preferred_name, case.c.reference)).all()
    for row in rows:
        folded = _fold(" ".join((row.young_person_name or "", row.preferred_name or "", row.reference or "")))[:400]
        bind.execute(case.update().where(case.c.id == row.id).values(search_text=folded))


def downgrade() -> None:
    op.drop_index("ix_living_situation_case_since", table_name="living_situation")
    op.drop_table("living_situation")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("professionals")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("referral_time")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_column("signature")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("search_text")
