"""The rows of each of the evaluator export's CSVs, streamed from the database: ids made pseudonymous
by a keyed hash (id_key, pseudonym), dates made months, codes as stored."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import Integer, case, func
from sqlmodel import Session, select

from app.cases.models import Case, CaseEvent, Contact, Person
from app.diamond.models import DiamondRating
from app.endings.models import Ending
from app.outcomes import corrections, rules
from app.outcomes.export_fields import RATERS
from app.outcomes.models import OutcomeRecord
from app.signs_of_safety.models import ScaleRating
from app.timeutil import local, today

FETCH = 10000  # rows per fetch from the server-side cursor: fewer round trips, memory still flat
# Tables whose rows come as ready CSV lines: a county's million ratings hold only hex ids, codes,
# integers and months, so formatting them directly saves the csv module's per-field work (about
# a second of CPU) with the same bytes (tests/outcomes/test_export_rows.py reads them back).
LINES = {"ratings"}


def id_key(secret_key: str) -> bytes:
    """The export's own key, derived from SECRET_KEY so the secret itself is never used twice."""
    return hmac.new(secret_key.encode(), b"homeward evaluator export ids v1", hashlib.sha256).digest()


def pseudonym(key: bytes, kind: str, value: object) -> str:
    """A stable, irreversible id for `value`: the first 64 bits of HMAC-SHA256."""
    if value is None or value == "":
        return ""
    return hmac.digest(key, f"{kind}:{value}".encode(), "sha256")[:8].hex()


class _Pseudonyms(dict):
    """Pseudonyms remembered for one export: a case's id is written on every one of its rows (a
    case has about twenty ratings), so each is computed once. Holds one short string per case."""

    def __init__(self, key: bytes) -> None:
        super().__init__()
        self.key = key

    def __call__(self, kind: str, value: object) -> str:
        found = self.get((kind, value))
        if found is None:
            found = self[(kind, value)] = pseudonym(self.key, kind, value)
        return found


def _month_of(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.year:04d}-{value.month:02d}"


class _Months(dict):
    """Months of dates, each worked out once per export: a million ratings fall on a few hundred
    days, so a dictionary look-up replaces the formatting (datetimes are not remembered)."""

    def __missing__(self, value: date) -> str:
        month = self[value] = _month_of(value)
        return month

    def __call__(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return _month_of(value)
        return self[value]


def _code_of(value):
    """An enum's stored code (Core rows give the enum itself)."""
    return getattr(value, "value", value)


def _sql_month(session: Session, column):
    """The "YYYY-MM" of a date column, worked out by the database (dates only: no time zone)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _rows(session: Session, name: str, key: bytes) -> Iterator[list]:
    """The rows of one CSV, one statement each, fetched in batches (streamed, not loaded whole)."""
    p = _Pseudonyms(key)
    once = lambda kind, v: pseudonym(key, kind, v)  # noqa: E731  (ids seen once: not remembered)
    month = _Months()
    opts = {"yield_per": FETCH}

    def rows(query) -> Iterator:
        """Plain rows, not ORM objects, streamed from a server-side cursor a fetch at a time.

        On PostgreSQL the statement goes to psycopg's own named cursor: its tuples hold the
        same values SQLAlchemy's rows would (psycopg converts every type used here), at a fifth
        of the CPU for a county's million ratings. SQLite streams through SQLAlchemy."""
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
            with connection.connection.dbapi_connection.cursor(name="homeward_export") as cursor:
                cursor.execute(str(compiled), compiled.params)
                while part := cursor.fetchmany(FETCH):
                    yield from part
            return
        result = connection.execution_options(stream_results=True, yield_per=FETCH).execute(query)
        for part in result.partitions():
            yield from part

    if name == "cases":
        columns = [Case.id, Case.team_id, Case.date_of_birth, Case.gender, Case.ethnicity, Case.referral_route,
                   Case.referral_date, Case.statutory_status_at_referral, Case.prior_cin, Case.prior_cp, Case.prior_cla,
                   Case.practice_context, Case.status, Case.closure_reason, Case.opened_at, Case.closed_at]  # fmt: skip
        for (case_id, team_id, born, gender, ethnicity, route, referred, statutory, cin, cp, cla, context, status,
             reason, opened_at, closed_at) in rows(select(*columns).order_by(Case.id)):  # fmt: skip
            on = referred or local(opened_at).date()
            yield [
                p("case", case_id), p("team", team_id), rules.age_band(born, on), gender, ethnicity, route,
                month(referred), statutory, cin, cp, cla, _code_of(context), _code_of(status), reason,
                month(opened_at), month(closed_at),
            ]  # fmt: skip
    elif name == "outcome_records":
        r = OutcomeRecord
        columns = [r.id, r.case_id, r.point, r.taken_on, r.living, r.placement, r.living_since, r.care_status,
                   r.care_status_since, r.care_status_until, r.education, r.attendance_percent, r.missing_episodes,
                   r.police_contacts, r.arrests, r.anti_social_behaviour, r.sexual_exploitation_risk,
                   r.criminal_exploitation_risk, r.substance_concern, r.mental_health_service, r.ae_attendances,
                   r.counterfactual_worker, r.counterfactual_manager, r.source]  # fmt: skip
        # As the scorecard decides it (corrections.not_corrected), baselines included.
        stands = corrections.not_corrected(session, None, None, (2000, today().year + 1), baseline=True)
        columns.append(case((stands, "yes"), else_="no"))
        months = {3, 6, 8, 9}  # positions of dates, written as months
        for row in rows(select(*columns).order_by(r.case_id, r.taken_on, r.recorded_at)):
            out = [once("outcome", row[0]), p("case", row[1])]
            out += [month(v) if i in months else v for i, v in enumerate(row[2:], start=2)]
            yield out
    elif name == "ratings":
        # Who rated and the month are worked out by the database (a date has no time zone), so
        # the million rows of a county need only their two ids looked up here.
        who = case(
            (DiamondRating.person_id.is_(None), "worker"),
            (func.coalesce(Person.is_young_person, False), "young_person"),
            else_="parent",
        )
        query = (
            select(DiamondRating.case_id, who, func.coalesce(DiamondRating.goal_id, DiamondRating.aim),
                   DiamondRating.score, _sql_month(session, DiamondRating.rated_on))
            .join(Person, Person.id == DiamondRating.person_id, isouter=True)
            .order_by(DiamondRating.case_id, DiamondRating.rated_on)
        )  # fmt: skip
        # Ready-made lines (see LINES): hex ids, codes, an integer and a month never need quoting.
        for case_id, rater, item, score, on in rows(query):
            yield f"{p('case', case_id)},diamond,{rater},{p('item', item)},{score},{on}\r\n"
        query = select(
            ScaleRating.case_id, ScaleRating.rater_role, ScaleRating.pair_key, ScaleRating.score, ScaleRating.rated_at
        )
        raters = dict(RATERS)
        for case_id, role, pair, score, at in rows(query.order_by(ScaleRating.case_id)):
            role = role if role in raters else "other"
            yield f"{p('case', case_id)},safety_scale,{role},{p('item', pair or 'overall')},{score},{month(at)}\r\n"
    elif name == "contacts_summary":
        by_month = _sql_month(session, Contact.occurred_on)
        as_int = lambda flag: func.sum(func.cast(flag, Integer))  # noqa: E731
        query = (
            select(Contact.case_id, by_month, Contact.kind, func.count(), as_int(Contact.attended),
                   as_int(Contact.young_person_seen), as_int(Contact.seen_alone),
                   func.sum(Contact.direct_minutes), func.sum(Contact.admin_minutes))
            .group_by(Contact.case_id, by_month, Contact.kind)
            .order_by(Contact.case_id, by_month, Contact.kind)
        )  # fmt: skip
        for case_id, m, kind, *counts in rows(query):
            yield [p("case", case_id), m, kind, *[int(n or 0) for n in counts]]
    elif name == "events":
        query = select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.from_status, CaseEvent.to_status, CaseEvent.reason,
                       CaseEvent.destination, CaseEvent.occurred_at).order_by(CaseEvent.case_id, CaseEvent.occurred_at)  # fmt: skip
        for case_id, kind, from_status, to_status, reason, destination, at in rows(query):
            yield [p("case", case_id), kind, _code_of(from_status) or "", _code_of(to_status) or "", reason, destination,
                   month(at)]  # fmt: skip
    elif name == "endings":
        for e in session.exec(
            select(Ending)
            .where(Ending.pending.is_(False))
            .order_by(Ending.case_id, Ending.recorded_at)
            .execution_options(**opts)
        ):
            ratings = [g.get("rating") for g in e.goals or []]
            yield [
                once("ending", e.id), p("case", e.case_id), e.outcome, e.closure_reason, e.destination, len(ratings),
                ratings.count("met"), ratings.count("partly"), month(e.recorded_at),
            ]  # fmt: skip
