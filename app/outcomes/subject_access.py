"""Subject access: everything Homeward holds about one person, for a data-protection request.

The data is found from the schema itself rather than a hand-kept list, so a table a feature adds
later is included without anyone remembering to: every table with a `case_id` column (the family's
case), and every table that hangs off one of those by a foreign key (meeting attendees, map items,
story shares). One statement per table, so the cost does not grow with what the case holds beyond
its rows.

What is left out, and said so on the page: security material (PIN and token salts and hashes, the
audit chain's hashes) and the bytes of drawings (listed as "a drawing is held"). Entries that name
or point at another member of the family are flagged, so the manager reviews them before release
(another person's data may have to be withheld or redacted).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel

from app.accounts.models import User
from app.cases.models import Case, Person
from app.timeutil import local, utcnow

# Columns never released: they protect the record rather than describe the person.
WITHHELD_COLUMNS = {"pin_salt", "pin_check", "token_salt", "token_hash", "prev_hash", "entry_hash", "password_hash"}
# Per table: staff's own details in the access log (their device's address), not the person's data.
WITHHELD_IN = {"audit_entry": {"address", "user_agent", "request_id"}}
BY_COLUMNS = ("by_user_id", "recorded_by_id", "created_by_id", "recorded_by_user_id", "submitted_by_id", "user_id")
AT_COLUMNS = ("recorded_at", "created_at", "at", "decided_at", "occurred_at", "submitted_at", "raised_at", "held_at")
LABELS = {
    "audit_entry": "Who opened or changed the record (audit log)",
    "person": "Family and network members",
    "contact": "Contacts and visits",
    "case_event": "Case history",
    "consent": "Consent",
    "eligibility_decision": "Eligibility screening",
    "diamond_rating": "Diamond ratings",
    "diamond_goal": "Diamond goals",
    "outcome_record": "Outcome records",
    "ending": "Endings",
    "base_version": "BASE assessment",
    "base_feedback": "Feedback given",
}
MIN_NAME = 3  # a name shorter than this is not searched for (it would match inside ordinary words)


@dataclass
class Entry:
    table: str
    key: str
    recorded_by: str
    recorded_at: str
    fields: dict[str, Any]
    others: list[str] = field(default_factory=list)  # other family members it names or points at


@dataclass
class Bundle:
    case: Case
    subject: Person
    made_at: datetime
    made_by: str
    entries: list[Entry]
    withheld: list[str]

    @property
    def to_review(self) -> list[Entry]:
        return [e for e in self.entries if e.others]

    def sections(self) -> list[tuple[str, list[Entry]]]:
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.table, []).append(entry)
        return [(label(t), rows) for t, rows in grouped.items()]


def label(table: str) -> str:
    return LABELS.get(table, table.replace("_", " ").capitalize())


def _tables() -> list[tuple[Table, Table | None, str | None]]:
    """(table, parent, foreign key column): tables with a case_id, then tables hanging off them."""
    direct = [t for t in SQLModel.metadata.sorted_tables if "case_id" in t.c and t.name != "case"]
    names = {t.name for t in direct}
    children = []
    for t in SQLModel.metadata.sorted_tables:
        if t.name in names or t.name == "case":
            continue
        for column in t.c:
            parents = [fk.column.table for fk in column.foreign_keys if fk.column.table.name in names]
            if parents and parents[0].name != "person":
                children.append((t, parents[0], column.name))
                break
    return [(t, None, None) for t in direct] + children


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return local(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return f"(a drawing or file is held: {len(bytes(value))} bytes)"
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def gather(*, session: Session, case: Case, subject: Person, made_by: str) -> Bundle:
    """Every row held on the subject's case, each with who recorded it and when, and whom else it names."""
    people = session.execute(select(Person.__table__).where(Person.__table__.c.case_id == case.id)).all()
    others: dict[str, re.Pattern] = {}  # person id -> their names (whole words) or their id
    names: dict[str, str] = {}
    for p in people:
        names[p.id] = p.name
        if p.id != subject.id:
            words = {n for n in (p.name, p.given_name, p.preferred_name) if len(n or "") >= MIN_NAME}
            words |= {n.split()[0] for n in [p.name] if n and len(n.split()[0]) >= MIN_NAME}
            alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            others[p.id] = re.compile(rf"\b(?:{alternatives})\b|{re.escape(p.id)}" if words else re.escape(p.id), re.I)
    rows: list[tuple[str, dict]] = [("case", {c.name: getattr(case, c.name) for c in Case.__table__.c})]
    for table, parent, fk in _tables():
        query = select(table)
        if parent is None:
            query = query.where(table.c.case_id == case.id)
        else:
            query = query.where(table.c[fk].in_(select(parent.c.id).where(parent.c.case_id == case.id)))
        order = [table.c[n] for n in AT_COLUMNS if n in table.c][:1] or list(table.primary_key.columns)
        rows += [(table.name, dict(r._mapping)) for r in session.execute(query.order_by(*order)).all()]
    user_ids = {v for _, r in rows for n in BY_COLUMNS if isinstance(v := r.get(n), int)}
    users = (
        dict(session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    )
    entries, withheld = [], set()
    for table, row in rows:
        by = next((row[n] for n in BY_COLUMNS if row.get(n) is not None), None)
        at = next((row[n] for n in AT_COLUMNS if row.get(n) is not None), None)
        fields = {}
        for name, value in row.items():
            if name in WITHHELD_COLUMNS or name in WITHHELD_IN.get(table, ()):
                withheld.add(f"{label(table)}: {name.replace('_', ' ')}")
                continue
            fields[name] = _plain(value)
        named = set()
        for name, value in row.items():
            if name.endswith("person_id") and value and value != subject.id and value in names:
                named.add(names[value])
        if table == "person" and row["id"] != subject.id:
            named.add(row["name"])
        text = " ".join(_text_of(v) for n, v in fields.items() if isinstance(v, str | list | dict) and n != "id")
        named |= {names[pid] for pid, pattern in others.items() if pattern.search(text)}
        entries.append(
            Entry(
                table=table,
                key=f"{table}:{row.get('id', row.get('op_id', ''))}",
                recorded_by=users.get(by, f"user {by}") if by is not None else "",
                recorded_at=_plain(at) if at is not None else "",
                fields=fields,
                others=sorted(named),
            )
        )
    return Bundle(
        case=case, subject=subject, made_at=local(utcnow()), made_by=made_by, entries=entries,
        withheld=sorted(withheld),
    )  # fmt: skip


def as_json(bundle: Bundle) -> bytes:
    """The machine-readable copy: every entry with its table, who recorded it, when, and whom else it names."""
    body = {
        "about": {"name": bundle.subject.name, "case_reference": bundle.case.reference},
        "made_at": bundle.made_at.isoformat(timespec="seconds"),
        "made_by": bundle.made_by,
        "withheld": bundle.withheld,
        "entries": [
            {
                "record": e.table,
                "id": e.key,
                "recorded_by": e.recorded_by,
                "recorded_at": e.recorded_at,
                "names_other_family_members": e.others,
                "fields": e.fields,
            }
            for e in bundle.entries
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()
