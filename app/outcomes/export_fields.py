"""What the evaluator export holds: each CSV's columns (FIELDS, the only columns written), their
codes and meanings, and the descriptor written beside them as datapackage.json.

The descriptor is a Frictionless Tabular Data Package (https://specs.frictionlessdata.io/): every
field's type, meaning and, for codes, each code with its meaning.
"""

from __future__ import annotations

from app.cases.models import (
    CLOSURE_REASONS,
    CONTACT_KINDS,
    ETHNICITIES,
    GENDERS,
    PRACTICE_CONTEXT_LABELS,
    REFERRAL_ROUTES,
    STATUTORY_STATUSES,
    YES_NO_NOT_KNOWN,
    CaseStatus,
)
from app.endings.models import ENDING_CLOSURE_REASONS
from app.outcomes import rules
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
)

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
