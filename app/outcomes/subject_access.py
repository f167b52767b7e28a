"""Subject access: everything Homeward holds about one person, for a data-protection request.

The data is found from the schema itself rather than a hand-kept list, so a table a feature adds
later is included without anyone remembering to: every table with a `case_id` column (the family's
case), and every table that hangs off one of those by a foreign key (meeting attendees, map items,
story shares). One statement per table, so the cost does not grow with what the case holds beyond
its rows.

What is left out, and said so on the page: security material (PIN and token salts and hashes, the
audit chain's hashes) and the bytes of drawings (listed as "a drawing is held"). Entries that name
or point at another member of the family are flagged, so the manager reviews them before release
(another person's data may have to be withheld or redacted). So are entries naming someone outside
the family whom the case records by name only (subject_access_names.py): its referrer, a network member
who is not one of its people (a neighbour, a professional), a meeting attendee; and the fields that
are theirs (the referrer's name and contact, the professionals at a visit) can be withheld on their
own.

A person may also appear on another family's case (subject_access_elsewhere.py finds where), and
`gather` adds what each of those cases holds about them: the whole case where they are one of its
people, and only the entries that name them or point at them where they are a network member.
Every entry from another family's case is flagged "another family" for review, and starts left out
(`from_another_family`): the match is by name, so it may be a namesake, and even when it is them
that case is mostly about another family; the manager releases what they have read. The copy names
only the other cases something was released from (`Bundle.also_on`): naming one it holds nothing
of would tell the person of a namesake's family, or of a record the manager kept back.

Private words: a row with `consent_to_share` not given (a young person's three houses words they
kept to themselves), or marked `private`, is left out of anyone's copy but its author's, and not
offered for release: DESIGN.md, family mode, "a young person's private words are shown to nobody
else in the room". The review page says how many were left out; the audit log counts them.

Partial redaction: every text of a flagged entry is split into sentences (`parts`), and the
manager may withhold single sentences (`withhold`); the copy shows WITHHELD in their place, and the
record itself is never changed.
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
from app.outcomes import subject_access_names as naming
from app.outcomes.subject_access_elsewhere import Appearance
from app.sync.models import HeldItem
from app.timeutil import local, utcnow

WITHHELD = "[withheld: names another person]"
# A sentence ends at . ! or ? followed by space, or at a line break; the spaces are kept so the
# text is put back together exactly as written, less the withheld sentences.
_SENTENCE_END = re.compile(r"((?<=[.!?])\s+|\n+)")

# Columns never released: they protect the record rather than describe the person.
WITHHELD_COLUMNS = {"pin_salt", "pin_check", "token_salt", "token_hash", "prev_hash", "entry_hash", "password_hash"}
# Per table: staff's own details in the access log (their device's address; the chain's lane), not the person's data.
WITHHELD_IN = {"audit_entry": {"address", "user_agent", "request_id", "lane"}}
# The audit entries of copies made (this one's and others'): whose copy and which other families'
# cases it searched are someone else's request, kept in the audit log, not given in a copy.
COPY_AUDIT = {"subject_access", "subject_access_entry"}
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
    "sos_three_houses_entry": "Three houses",
}
# A row is private to its author when one of these says so (False: not agreed to share; True: private).
PRIVATE_UNLESS = ("consent_to_share",)
PRIVATE_IF = ("private",)


@dataclass
class Entry:
    table: str
    key: str
    recorded_by: str
    recorded_at: str
    fields: dict[str, Any]
    others: list[str] = field(default_factory=list)  # other family members it names or points at
    case_reference: str = ""
    from_another_family: bool = False  # held on a case other than the request's: left out unless released
    # For entries to review: (field, sentence index, sentence, the others it names) of each text.
    parts: list[tuple[str, int, str, list[str]]] = field(default_factory=list)
    withheld_parts: list[str] = field(default_factory=list)  # "field:index" withheld from the copy


@dataclass
class Bundle:
    case: Case
    subject: Person
    made_at: datetime
    made_by: str
    entries: list[Entry]
    withheld: list[str]
    elsewhere: list[Appearance] = field(default_factory=list)  # on other families' cases
    private_left_out: list[str] = field(default_factory=list)  # keys of others' private entries, never released

    @property
    def sentences_withheld(self) -> int:
        return sum(len(e.withheld_parts) for e in self.entries)

    @property
    def also_on(self) -> list[Appearance]:
        """The other cases the copy holds an entry of, to name in it: only those the manager released
        something from (so call it once the entries left out are removed)."""
        released = {e.case_reference for e in self.entries if e.from_another_family}
        return [a for a in self.elsewhere if a.case_reference in released]

    @property
    def to_review(self) -> list[Entry]:
        return [e for e in self.entries if e.others]

    def sections(self) -> list[tuple[str, list[Entry]]]:
        grouped: dict[tuple[str, str], list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault((entry.case_reference, entry.table), []).append(entry)
        own = self.case.reference
        return [
            (label(t) if ref in ("", own) else f"{label(t)}, case {ref}", rows) for (ref, t), rows in grouped.items()
        ]

    def withhold(self, chosen: set[str]) -> list[str]:
        """Withhold the chosen sentences ("entry key|field|index") of entries flagged for review;
        returns what was withheld. Only the copy changes: the entries' fields are copies."""
        done = []
        for entry in self.to_review:
            wanted = {(f, i) for f, i, _, _ in entry.parts if f"{entry.key}|{f}|{i}" in chosen}
            if not wanted:
                continue
            for name in sorted({f for f, _ in wanted}):
                entry.fields[name] = redact(entry.fields[name], {i for f, i in wanted if f == name})
            entry.withheld_parts = [f"{f}:{i}" for f, i in sorted(wanted)]
            done.append(f"{entry.key}|{','.join(entry.withheld_parts)}")
        return done


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order (see _SENTENCE_END)."""
    return _SENTENCE_END.split(text)[::2]


def redact(text: str, indexes: set[int]) -> str:
    """The text with the sentences at `indexes` replaced by WITHHELD, spacing kept."""
    pieces = _SENTENCE_END.split(text)
    return "".join(WITHHELD if i % 2 == 0 and i // 2 in indexes else p for i, p in enumerate(pieces))


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


def _rows_of(session: Session, case: Case) -> tuple[list, list[tuple[str, dict]]]:
    """The case's people and every row held on the case: one statement per table."""
    people = session.execute(select(Person.__table__).where(Person.__table__.c.case_id == case.id)).all()
    rows: list[tuple[str, dict]] = [("case", {c.name: getattr(case, c.name) for c in Case.__table__.c})]
    for table, parent, fk in _tables():
        query = select(table)
        if parent is None:
            query = query.where(table.c.case_id == case.id)
        else:
            query = query.where(table.c[fk].in_(select(parent.c.id).where(parent.c.case_id == case.id)))
        order = [table.c[n] for n in AT_COLUMNS if n in table.c][:1] or list(table.primary_key.columns)
        rows += [(table.name, dict(r._mapping)) for r in session.execute(query.order_by(*order)).all()]
    return people, rows


def _held_fields(table: str, row: dict) -> dict | None:
    """An offline item kept for the supervisor (`sync_held_item`), as the fields its form sent; None
    for any other row. Its words are the record it would have made, with the same privacy."""
    if table != HeldItem.__tablename__:
        return None
    try:
        return {str(name): value for name, value in json.loads(row["fields"] or "[]")}
    except (ValueError, TypeError):
        return {}


def _private_to_someone_else(table: str, row: dict, people, subject_id: str) -> bool:
    """Whether the row is private (see PRIVATE_UNLESS) and written by someone other than the subject:
    by its `person_id`, or, where it names nobody, by the case's young person (three houses are theirs).
    An offline item held for the supervisor counts as the record it carries: a three houses entry sent
    without the box to share ticked is as private as one saved (its fields name no `consent_to_share`)."""
    held = _held_fields(table, row)
    if held is not None:
        if "three-houses" not in str(row.get("target")):
            return False
        private, row = held.get("consent_to_share") not in ("1", "on", "true", "yes"), held
    else:
        private = any(n in row and not row[n] for n in PRIVATE_UNLESS) or any(row.get(n) is True for n in PRIVATE_IF)
    if not private:
        return False
    author = row.get("person_id") or next((p.id for p in people if p.is_young_person), None)
    return author != subject_id


def _text_fields(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields written in words (not ids or single codes): the ones split into sentences."""
    return [
        (n, v)
        for n, v in fields.items()
        if isinstance(v, str) and n != "id" and not n.endswith("_id") and (" " in v.strip() or "\n" in v)
    ]


def _entries(
    *, case: Case, people, rows, subject_id: str, users: dict, withheld: set[str], member: Appearance | None = None,
    subject_names: re.Pattern | None = None, elsewhere: bool = False, private: list[str] | None = None,
) -> list[Entry]:  # fmt: skip
    """Entries of one case for the subject. With `elsewhere` (another family's case), each is flagged
    "another family" for review; with `member` too (the subject is a network member there), only
    rows naming them or pointing at them. Someone else's private rows go to `private`, not the entries."""
    names, others = naming.family_patterns(people, subject_id)
    for key, (who, pattern) in naming.third_parties(
        case=case, people=people, rows=rows, subject_id=subject_id, subject_names=subject_names
    ).items():
        names[key], others[key] = who, pattern
    entries = []
    for table, row in rows:
        by = next((row[n] for n in BY_COLUMNS if row.get(n) is not None), None)
        at = next((row[n] for n in AT_COLUMNS if row.get(n) is not None), None)
        fields = {}
        copy_made = table == "audit_entry" and row.get("object_type") in COPY_AUDIT
        for name, value in row.items():
            if name in WITHHELD_COLUMNS or name in WITHHELD_IN.get(table, ()):
                withheld.add(f"{label(table)}: {name.replace('_', ' ')}")
                continue
            if copy_made and name in ("detail", "object_id"):
                withheld.add(f"{label(table)}: whose copy was made, and from which cases")
                continue
            fields[name] = _plain(value)
        text = " ".join(_text_of(v) for n, v in fields.items() if isinstance(v, str | list | dict) and n != "id")
        if member is not None:
            points = member.member_id in row.values() or member.member_id in text
            if not points and not (subject_names and subject_names.search(text)):
                continue
        key = f"{table}:{row.get('id', row.get('op_id', ''))}"
        if _private_to_someone_else(table, row, people, subject_id):
            if private is not None:
                private.append(key)
            continue
        named = set()
        for name, value in row.items():
            if name.endswith("person_id") and value and value != subject_id and value in names:
                named.add(names[value])
        if table == "person" and row["id"] != subject_id:
            named.add(row["name"])
        named |= naming.names_in(text, names, others)
        if owner := naming.owner_of(table, row, names):
            named.add(owner)
        if elsewhere:
            named.add(f"another family (case {case.reference})")
        entry = Entry(
            table=table,
            key=key,
            recorded_by=users.get(by, f"user {by}") if by is not None else "",
            recorded_at=_plain(at) if at is not None else "",
            fields=fields,
            others=sorted(named),
            case_reference=case.reference,
            from_another_family=elsewhere,
        )
        if named:
            theirs = {n for n in naming.ABOUT_SOMEONE_ELSE.get(table, ()) if owner and isinstance(fields.get(n), str)}
            texts = dict(_text_fields(fields)) | {n: fields[n] for n in theirs if fields[n].strip()}
            entry.parts = [
                (n, i, sentence, sorted(naming.names_in(sentence, names, others) | ({owner} if n in theirs else set())))
                for n, v in fields.items()
                if n in texts
                for i, sentence in enumerate(sentences(v))
                if sentence.strip()
            ]
        entries.append(entry)
    return entries


def gather(
    *, session: Session, case: Case, subject: Person, made_by: str, elsewhere: list[Appearance] | None = None
) -> Bundle:
    """Every row held on the subject's case, each with who recorded it and when, and whom else it
    names; with `elsewhere` (see `appearances`), also what the other cases hold about them."""
    held = [(case, *_rows_of(session, case), subject.id, None)]
    others = {a.case_id: a for a in elsewhere or []}
    if others:
        cases = session.execute(select(Case).where(Case.id.in_(others)).order_by(Case.reference)).scalars().all()
        for other in cases:
            a = others[other.id]
            held.append((other, *_rows_of(session, other), a.person_id or a.member_id, a if a.member_id else None))
    user_ids = {v for _, _, rows, _, _ in held for _, r in rows for n in BY_COLUMNS if isinstance(v := r.get(n), int)}
    users = (
        dict(session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    )
    subject_names = naming.name_pattern(subject.name, subject.given_name, subject.preferred_name, ident=subject.id)
    entries, withheld, private = [], set(), []
    for c, people, rows, subject_id, member in held:
        entries += _entries(case=c, people=people, rows=rows, subject_id=subject_id, users=users, withheld=withheld,
                            member=member, subject_names=subject_names, elsewhere=c.id != case.id,
                            private=private)  # fmt: skip
    return Bundle(
        case=case, subject=subject, made_at=local(utcnow()), made_by=made_by, entries=entries,
        withheld=sorted(withheld), elsewhere=list(others.values()), private_left_out=private,
    )  # fmt: skip


def as_json(bundle: Bundle) -> bytes:
    """The machine-readable copy: every entry with its table, who recorded it and when.

    Whom else an entry names stays on the manager's review page and in the audit log: putting
    those names in the copy would release the very thing a withheld sentence keeps back."""
    body = {
        "about": {
            "name": bundle.subject.name,
            "case_reference": bundle.case.reference,
            "also_on_cases": [
                {"case_reference": a.case_reference, "as": a.as_what, "role": a.role} for a in bundle.also_on
            ],
        },
        "made_at": bundle.made_at.isoformat(timespec="seconds"),
        "made_by": bundle.made_by,
        "withheld": bundle.withheld,
        "entries": [
            {
                "record": e.table,
                "id": e.key,
                "recorded_by": e.recorded_by,
                "recorded_at": e.recorded_at,
                "case_reference": e.case_reference,
                "reviewed_before_release": bool(e.others),
                "withheld_parts": e.withheld_parts,
                "fields": e.fields,
            }
            for e in bundle.entries
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()
