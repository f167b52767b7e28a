"""BASE engagement (the secure base): one entry per person, removed with a reason when made by mistake."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.base.changes import _add, _content, _edit, _save, find_item
from app.base.models import BaseVersion
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import utcnow

ENGAGEMENT_FIELDS = (
    "expectations",
    "aspirations",
    "motivation",
    "motivation_evidence",
    "capacity",
    "capacity_evidence",
    "involvement",
)


def save_engagement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Add one person's engagement: expectations, aspirations, motivation and capacity."""
    content = _content(version)
    if not any(e["id"] == item_id for e in content["engagement"]):  # a replayed add returns what it made
        _one_entry_per_person(content["engagement"], item_id=item_id, fields=fields)
    item, added = _add(content["engagement"], item_id=item_id, fields=fields, by=by)
    if added:
        _save(session=session, version=version, content=content, by=by, what="engagement", item_id=item_id)
    return item


def edit_engagement(
    *, session: Session, version: BaseVersion, by: Actor, item_id: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Change one person's engagement (the fields as merged by the route). Only a change of whom
    it is for is checked against the others: a version may hold two entries for one person, saved
    before that was refused and copied into new versions, and each must stay editable."""
    content = _content(version)
    if find_item(content["engagement"], item_id).get("removed"):
        raise Refused("This engagement entry was removed from the assessment, so the change was not saved.")
    if find_item(content["engagement"], item_id).get("person_id") != fields.get("person_id"):
        _one_entry_per_person(content["engagement"], item_id=item_id, fields=fields)
    item, changed = _edit(content["engagement"], item_id=item_id, fields=fields, by=by)
    if changed:
        _save(session=session, version=version, content=content, by=by, what="engagement", item_id=item_id)
    return item


def remove_engagement(*, session: Session, version: BaseVersion, by: Actor, item_id: str, reason: str, revision: int):
    """Remove an entry made by mistake (entered twice, or for the wrong person), with the reason.

    The entry is kept, marked removed (who, when, why), and left out of every count, so the record
    still shows what was entered and that it was taken out (the audit entry says so too).
    Removing again changes nothing. A removal from a page drawn before the entry was changed since
    is refused, so the worker reads it as it is now before taking it out."""
    content = _content(version)
    item = find_item(content["engagement"], item_id)
    if item.get("removed"):
        return item
    if revision and revision != item["revision"]:
        raise Refused(
            f"{item.get('person_name') or 'This entry'}'s engagement was changed after this page was opened, so it was "
            "not removed. Read it as it is now, and remove it again if it should go.",
            field=f"reason-{item_id}",
        )
    item.update(
        removed={"reason": reason, "by": by.user.full_name, "at": utcnow().isoformat()}, revision=item["revision"] + 1
    )
    _save(session=session, version=version, content=content, by=by, what="engagement removed", item_id=item_id)
    return item


def engagement(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The version's engagement entries that stand: those removed as a mistake are left out."""
    return [e for e in content.get("engagement", []) if not e.get("removed")]


def _one_entry_per_person(entries: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any]) -> None:
    """Each person has one engagement entry in a version: a second would be read as two people."""
    for entry in entries:
        if entry.get("removed"):
            continue
        if entry["id"] != item_id and entry.get("person_id") == fields.get("person_id"):
            raise Refused(
                f"{entry.get('person_name') or 'This person'} already has an engagement entry: edit that one.",
                field="person_id",
            )
