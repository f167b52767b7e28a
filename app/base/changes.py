"""How a draft BASE version changes: one way for every stage's items.

Every change reads the content with `_content`, which refuses a submitted version (immutable: a
change makes a new version), and writes it with `_save`, which writes an audit entry. New items
arrive with the UUID the form made (on the tablet when offline), so a replayed create changes
nothing. An item (and the resilience checklist and the risk judgement) has a revision, its version
for the one offline edit mechanism: the routes merge an edit field by field with `sync.merge_edit`
and hand the merged fields here (docs/offline.md).
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from app import features
from app.audit import service as audit
from app.base.models import BaseVersion, VersionStatus
from app.refused import Refused
from app.security.auth import Actor
from app.timeutil import today as today_local
from app.timeutil import utcnow


class ItemMissing(Refused):
    """An edit of an item this version does not hold."""

    status_code = 404


class VersionLocked(Refused):
    """The version was submitted and is immutable; start a new version to change it."""

    status_code = 409


def _content(version: BaseVersion) -> dict[str, Any]:
    if version.status != VersionStatus.draft:
        raise VersionLocked()
    return copy.deepcopy(version.content)


def _save(
    *, session: Session, version: BaseVersion, content: dict[str, Any], by: Actor, what: str, item_id: str = ""
) -> None:
    version.content = content
    flag_modified(version, "content")
    version.updated_at = utcnow()
    session.add(version)
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="base_version",
        object_id=version.id,
        case_id=version.case_id,
        detail=f"{what} {item_id}".strip(),
    )
    if what.startswith("risk"):  # "Update the BASE risk assessment" prompts close on this save
        features.fulfil(session=session, case_id=version.case_id, event="base_risk", by=by, on=today_local())


def _add(
    items: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any], by: Actor
) -> tuple[dict[str, Any], bool]:
    """Add a new item; (item, added). A replayed create (its id is there already) changes nothing."""
    for item in items:
        if item["id"] == item_id:
            return item, False
    item = {"id": item_id, **fields, "by": by.user.full_name, "at": utcnow().isoformat(), "revision": 1}
    items.append(item)
    return item, True


def find_item(items: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    """The item with this id; Refused (404) when the version holds none."""
    for item in items:
        if item["id"] == item_id:
            return item
    raise ItemMissing("This item is not in this version of the assessment.")


def _edit(
    items: list[dict[str, Any]], *, item_id: str, fields: dict[str, Any], by: Actor
) -> tuple[dict[str, Any], bool]:
    """Set an existing item's fields (already merged by the route); a new revision when any differs."""
    item = find_item(items, item_id)
    if all(item.get(k) == v for k, v in fields.items()):
        return item, False
    item.update(fields, by=by.user.full_name, at=utcnow().isoformat(), revision=item["revision"] + 1)
    return item, True
