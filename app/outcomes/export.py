"""The evaluator export: a pseudonymised data set as a streamed ZIP of CSVs with a data dictionary.

What leaves the service (DESIGN.md "Security"; issue 17): stable ids made by a keyed hash (HMAC-SHA256
with a key derived from SECRET_KEY, so they cannot be reversed or recomputed without the service's
secret, yet the same case has the same id in every export), age bands instead of dates of birth,
months instead of days, codes instead of words. No names, addresses, phone numbers or free text:
every column is listed in FIELDS, and only listed columns are written.

The descriptor is a Frictionless Tabular Data Package (https://specs.frictionlessdata.io/): every
field's type, meaning and, for codes, each code with its meaning.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from itertools import islice

from sqlalchemy import Integer, case, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cases.models import (
    CLOSURE_REASONS,
    CONTACT_KINDS,
    ETHNICITIES,
    GENDERS,
    PRACTICE_CONTEXT_LABELS,
    REFERRAL_ROUTES,
    STATUTORY_STATUSES,
    YES_NO_NOT_KNOWN,
    Case,
    CaseEvent,
    CaseStatus,
    Contact,
    Person,
)
from app.diamond.models import DiamondRating
from app.endings.models import ENDING_CLOSURE_REASONS, Ending
from app.outcomes import corrections, rules
from app.outcomes.models import (
    CARE_STATUSES,
    COUNTERFACTUALS,
    EDUCATION,
    LEVELS,
    LIVING,
    PLACEMENTS,
    POINTS,
    SOURCES,
    YES_NO,
    OutcomeRecord,
)
from app.signs_of_safety.models import ScaleRating
from app.timeutil import local, today

BATCH = 1000  # rows written between hand-overs of the ZIP's bytes
FETCH = 10000  # rows per fetch from the server-side cursor: fewer round trips, memory still flat
# Deflate's fastest level: the CSVs shrink almost as much (ids and codes repeat) for a third of
# the CPU of the default level, and CPU is what the export waits for on a busy machine.
COMPRESSION_LEVEL = 1
# Tables whose rows come as ready CSV lines: a county's million ratings hold only hex ids, codes,
# integers and months, so formatting them directly saves the csv module's per-field work (about
# a second of CPU) with the same bytes (tests/outcomes/test_export_rows.py reads them back).
LINES = {"ratings"}
AGE_BANDS = [(c, w) for c, w, _, _ in rules.AGE_BANDS] + [("not_known", "Not known")]
CASE_STATUSES = [(s.value, s.value.capitalize()) for s in CaseStatus]
CONTEXTS = [(k.value, v) for k, v in PRACTICE_CONTEXT_LABELS.items()]
RATERS = [("young_person", "The young person"), ("parent", "A parent or family member"), ("worker", "A worker")]
RATERS += [("parent_carer", "Parent or carer"), ("network_member", "Network member"), ("key_worker", "Key worker")]
RATERS += [("supervisor", "Supervisor"), ("other", "Other")]


def _id(name: str, meaning: str) -> dict:
    return {"name": name, "type": "string", "description": meaning, "constraints": {"pattern": "[0-9a-f]{16}"}}


def _code(name: str, meaning: str, options, required: bool = True) -> dict:
    first: dict[str, str] = {}
    for code, words in options:
        first.setdefault(code, words)  # one entry per code, with its first wording
    options = list(first.items())
    codes = [c for c, _ in options] + ([] if required else [""])
    return {
        "name": name,
        "type": "string",
        "description": meaning,
        "constraints": {"enum": codes},
        "categories": [{"value": c, "label": w} for c, w in options],
    }


def _int(name: str, meaning: str) -> dict:
    return {
        "name": name,
        "type": "integer",
        "description": meaning + " Empty: not known.",
        "constraints": {"minimum": 0},
    }


def _month(name: str, meaning: str) -> dict:
    return {"name": name, "type": "yearmonth", "description": meaning + " (year and month only)."}


MONTH_DESCR = "Month of the record"
FIELDS: dict[str, list[dict]] = {
    "cases": [
        _id("case_id", "Pseudonymous id of the case (stable across exports)."),
        _id("team_id", "Pseudonymous id of the team."),
        _code("age_band", "Age band of the young person at referral.", AGE_BANDS),
        _code("gender", "Gender of the young person.", GENDERS),
        _code("ethnicity", "Ethnic group of the young person.", ETHNICITIES),
        _code("referral_route", "How the referral came.", REFERRAL_ROUTES),
        _month("referral_month", "Month of referral"),
        _code("statutory_status_at_referral", "Statutory status when referred.", STATUTORY_STATUSES),
        _code("prior_cin", "Ever had a child in need plan before.", YES_NO_NOT_KNOWN),
        _code("prior_cp", "Ever had a child protection plan before.", YES_NO_NOT_KNOWN),
        _code("prior_cla", "Ever looked after before.", YES_NO_NOT_KNOWN),
        _code("practice_context", "Practice context of the work.", CONTEXTS),
        _code("status", "Status of the case on the day of the export.", CASE_STATUSES),
        _code("closure_reason", "Why the case closed, if it has.", CLOSURE_REASONS + ENDING_CLOSURE_REASONS, False),
        _month("opened_month", "Month the case was opened"),
        _month("closed_month", "Month the case was closed"),
    ],
    "outcome_records": [
        _id("record_id", "Pseudonymous id of the outcome record."),
        _id("case_id", "The case (see cases)."),
        _code("point", "When in the work the record was taken.", POINTS),
        _month("taken_month", MONTH_DESCR),
        _code("living", "Where the young person lives.", LIVING),
        _code("placement", "Placement type when in care.", PLACEMENTS, False),
        _month("living_since_month", "Living there since"),
        _code("care_status", "Care status.", CARE_STATUSES),
        _month("care_status_since_month", "Care status since"),
        _month("care_status_until_month", "Care status ended"),
        _code("education", "Education, training or employment.", EDUCATION),
        _int("attendance_percent", "School attendance, per cent."),
        _int("missing_episodes", "Missing episodes since the last record."),
        _int("police_contacts", "Police contacts since the last record."),
        _int("arrests", "Arrests since the last record."),
        _code("anti_social_behaviour", "Anti-social behaviour since the last record.", YES_NO),
        _code("sexual_exploitation_risk", "Risk of sexual exploitation.", LEVELS),
        _code("criminal_exploitation_risk", "Risk of criminal exploitation.", LEVELS),
        _code("substance_concern", "Concern about substance use.", YES_NO),
        _code("mental_health_service", "Involved with a mental-health service.", YES_NO),
        _int("ae_attendances", "A&E attendances since the last record."),
        _code(
            "counterfactual_worker",
            "Worker's judgement at baseline of what would have happened without the service.",
            COUNTERFACTUALS,
            False,
        ),
        _code("counterfactual_manager", "Team manager's judgement at baseline.", COUNTERFACTUALS, False),
        _code("source", "How the record was made.", SOURCES),
        _code(
            "current",
            "Whether the record stands: no when a later record for the same case, point and spell puts it"
            " right (records are never edited); the scorecard counts only those that stand.",
            [("yes", "Yes"), ("no", "No")],
        ),
    ],
    "ratings": [
        _id("case_id", "The case (see cases)."),
        _code(
            "instrument",
            "Which scale.",
            [("diamond", "Diamond aim or goal (1-10)"), ("safety_scale", "Signs of Safety style scale (0-10)")],
        ),
        _code("rater", "Who gave the rating.", RATERS),
        _id("item", "Pseudonymous id of what was rated (an aim, a goal or a statement pair)."),
        {"name": "score", "type": "integer", "description": "The score given."},
        _month("rated_month", "Month of the rating"),
    ],
    "contacts_summary": [
        _id("case_id", "The case (see cases)."),
        _month("month", "Month of the contacts"),
        _code("kind", "Kind of contact.", CONTACT_KINDS),
        _int("contacts", "Contacts recorded."),
        _int("attended", "Contacts that took place (not missed)."),
        _int("young_person_seen", "Contacts where the young person was seen."),
        _int("seen_alone", "Contacts where the young person was seen alone."),
        _int("direct_minutes", "Minutes spent with the family."),
        _int("admin_minutes", "Minutes of recording and admin."),
    ],
    "events": [
        _id("case_id", "The case (see cases)."),
        {
            "name": "kind",
            "type": "string",
            "description": "What happened (referral, status_change, step_up, step_down, consent, dormant, reactivated ...).",
        },
        _code("from_status", "Status before.", CASE_STATUSES, False),
        _code("to_status", "Status after.", CASE_STATUSES, False),
        {"name": "reason", "type": "string", "description": "Coded reason, e.g. a closure reason."},
        {"name": "destination", "type": "string", "description": "Coded step-up or step-down destination."},
        _month("month", "Month of the event"),
    ],
    "endings": [
        _id("ending_id", "Pseudonymous id of the ending."),
        _id("case_id", "The case (see cases)."),
        _code("outcome", "Where active work went.", [("dormant", "Dormant"), ("closed", "Closed")]),
        _code("closure_reason", "Why the work ended.", ENDING_CLOSURE_REASONS, False),
        {"name": "destination", "type": "string", "description": "Coded step-up or step-down destination."},
        _int("goals", "Goals reviewed at the ending."),
        _int("goals_met", "Goals rated met."),
        _int("goals_partly_met", "Goals rated partly met."),
        _month("month", "Month of the ending"),
    ],
}


# Tables of events and summaries have no key of their own; every table but cases points at a case.
PRIMARY_KEYS = {"cases": ["case_id"], "outcome_records": ["record_id"], "endings": ["ending_id"]}


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


def descriptor() -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "homeward-evaluator-export",
        "title": "Homeward evaluator export (pseudonymised)",
        "description": "Ids are keyed hashes; ages are bands; dates are months; no names, contact details or free text.",
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": fields,
                    "missingValues": [""],
                    **({"primaryKey": PRIMARY_KEYS[name]} if name in PRIMARY_KEYS else {}),
                    **(
                        {}
                        if name == "cases"
                        else {
                            "foreignKeys": [
                                {"fields": ["case_id"], "reference": {"resource": "cases", "fields": ["case_id"]}}
                            ]
                        }
                    ),
                },
            }
            for name, fields in FIELDS.items()
        ],
    }


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


class _Sink(io.RawIOBase):
    """A write-only stream the ZIP writes into; the generator hands its bytes on as they come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


def stream_zip(*, engine: Engine, secret_key: str) -> Iterator[bytes]:
    """The export as ZIP bytes, yielded as each batch of rows is written (memory stays flat)."""
    key = id_key(secret_key)
    sink = _Sink()
    with (
        Session(engine) as session,
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as archive,
    ):
        archive.writestr("datapackage.json", json.dumps(descriptor(), indent=2))
        yield sink.drain()
        for name, fields in FIELDS.items():
            with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow([f["name"] for f in fields])
                rows = _rows(session, name, key)
                while batch := list(islice(rows, BATCH)):
                    if name in LINES:
                        text.write("".join(batch))
                    else:
                        writer.writerows(batch)  # None is written as an empty field
                    text.flush()
                    yield sink.drain()
                text.flush()
                text.detach()
            yield sink.drain()
    yield sink.drain()
