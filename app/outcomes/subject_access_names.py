"""Who a subject access entry names besides the subject: the case's people, and people the case
records by name only (its referrer, network members who are not one of its people, meeting
attendees). Split from subject_access.py, which finds the rows; this says whose they are.
"""

from __future__ import annotations

import re

from app.cases.models import Case
from app.core.text import fold

MIN_NAME = 3  # a name shorter than this is not searched for (it would match inside ordinary words)
# A title is not a name: "Mrs" alone would flag every entry that mentions any Mrs.
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "pc", "dc", "ds", "sgt", "rev", "prof", "sir", "dame"}
# Fields that are someone else's details, offered to withhold even as a single word (an email
# address, a phone number), with whose they are said beside them (see `owner_of`).
ABOUT_SOMEONE_ELSE = {
    "case": ("referrer_name", "referrer_contact"),
    "contact": ("professionals",),
    "network_member": ("name", "phone"),
    "meeting_attendee": ("name",),
}


def family_patterns(people, subject_id: str | None) -> tuple[dict[str, str], dict[str, re.Pattern]]:
    """Names of a case's people by id, and for each but the subject a pattern of their names."""
    names: dict[str, str] = {}
    others: dict[str, re.Pattern] = {}  # person id -> their names (whole words) or their id
    for p in people:
        names[p.id] = p.name
        if p.id != subject_id:
            others[p.id] = name_pattern(p.name, p.given_name, p.preferred_name, ident=p.id)
    return names, others


def name_pattern(*names: str, ident: str | None) -> re.Pattern | None:
    words = {n for n in names if len(n or "") >= MIN_NAME}
    words |= {
        first
        for n in names[:1]
        if n and len(first := n.split()[0]) >= MIN_NAME and first.lower().rstrip(".") not in TITLES
    }
    alternatives = [rf"\b(?:{'|'.join(re.escape(w) for w in sorted(words, key=len, reverse=True))})\b"] if words else []
    alternatives += [re.escape(ident)] if ident else []
    return re.compile("|".join(alternatives), re.I) if alternatives else None


def third_parties(*, case: Case, people, rows, subject_id: str, subject_names: re.Pattern | None) -> dict:
    """Key -> (who, pattern) for people a case records by name but not among its people: its
    referrer, network members who are not one of its people, meeting attendees by name."""
    seen = {fold(p.name) for p in people}
    candidates = [("referrer", case.referrer_name, "referrer", None)]
    candidates += [
        (f"{t}:{r['id']}", r["name"], t.replace("_", " "), r["id"])
        for t, r in rows
        if t in ("network_member", "meeting_attendee") and not r["person_id"] and r["id"] != subject_id
    ]
    found = {}
    for key, name, what, ident in candidates:
        name = " ".join((name or "").split())
        if not fold(name) or fold(name) in seen or (subject_names and subject_names.fullmatch(name)):
            continue  # one of the family (named twice), or the subject themself
        seen.add(fold(name))
        if pattern := name_pattern(name, ident=ident):
            found[key] = (f"{name} ({what})", pattern)
    return found


def names_in(text: str, names: dict[str, str], others: dict[str, re.Pattern]) -> set[str]:
    return {names[key] for key, pattern in others.items() if pattern.search(text)}


def owner_of(table: str, row: dict, names: dict[str, str]) -> str | None:
    """Whose details the row's ABOUT_SOMEONE_ELSE fields are, when they are someone else's."""
    if table == "case" and (row.get("referrer_name") or row.get("referrer_contact")):
        return names.get("referrer") or (None if row.get("referrer_name") else "the referrer")
    if table == "contact" and row.get("professionals"):
        return "professionals present"
    if table in ("network_member", "meeting_attendee"):
        return names.get(f"{table}:{row['id']}")
    return None
