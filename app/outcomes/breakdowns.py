"""The scorecard's breakdowns: the groups a case is counted in (age band, gender, ethnicity, referral
route, prior history), their words, and the SQL that puts a case in its group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, literal
from sqlalchemy.sql.elements import ColumnElement

from app.cases.models import ETHNICITIES, GENDERS, REFERRAL_ROUTES, Case
from app.outcomes import rules

BREAKDOWNS = [
    ("age_band", "Age band"),
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("referral_route", "Referral route"),
    ("prior_history", "Prior CIN, CP or CLA"),
]
PRIOR = [
    ("cla", "Previously looked after"),
    ("cp", "Previous child protection plan"),
    ("cin", "Previous child in need plan"),
    ("none", "None"),
    ("not_known", "Not known"),
]
BREAKDOWN_LABELS = {
    "age_band": dict([(c, w) for c, w, _, _ in rules.AGE_BANDS] + [("not_known", "Not known")]),
    "gender": dict(GENDERS),
    "ethnicity": dict(ETHNICITIES),
    "referral_route": dict(REFERRAL_ROUTES),
    "prior_history": dict(PRIOR),
}


def group_column(breakdown: str, on: date) -> ColumnElement:
    if breakdown == "age_band":
        whens = []
        for code, _, low, _high in reversed(rules.AGE_BANDS):
            if low is not None:
                # Born on or before this date: at least `low` years old on `on`.
                whens.append((Case.date_of_birth <= _years_before(on, low), literal(code)))
        return case((Case.date_of_birth.is_(None), literal("not_known")), *whens, else_=literal("under_12"))
    if breakdown == "prior_history":
        return case(
            (Case.prior_cla == "yes", literal("cla")),
            (Case.prior_cp == "yes", literal("cp")),
            (Case.prior_cin == "yes", literal("cin")),
            (and_(Case.prior_cla == "no", Case.prior_cp == "no", Case.prior_cin == "no"), literal("none")),
            else_=literal("not_known"),
        )
    return getattr(Case, breakdown)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)
