"""The rules of the Signs of Safety map that touch the database (no HTTP here).

Versioning (DESIGN.md "Assessments as versioned documents"): writes name the version they were
made from (`base_version`). A write lands in the current draft when that draft is the version
named, or was copied from it; when the version named is the latest and submitted, the write
starts the next version as a copy. Anything else means someone submitted a newer version since,
and the write is refused as stale (a conflict for the worker to resolve, never an overwrite).

Creation is idempotent by id: an offline outbox replaying the same operation changes nothing.

Here: the map's versions and what is written on them (items, the safety plan's review date,
submitting). Reading the map is reading.py, the safety scales' ratings scales.py and the three
houses three_houses.py; this module re-exports their names, so `service.latest_version`,
`service.add_rating` and the rest read as before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case
from app.refused import Refused, WrongCase
from app.review import service as review
from app.signs_of_safety.models import Category, MapItem, MapStatus, MapVersion
from app.signs_of_safety.reading import (
    get_version,
    items,
    latest_version,
    pair_keys,
    people,
    safety_plan_rules,
    versions,
)
from app.signs_of_safety.scales import (
    CHOOSE_SUPERVISOR,
    SOME_SUPERVISOR,
    Rater,
    add_rating,
    default_rater,
    legacy_supervisor,
    raters,
    ratings,
    scale_series,
)
from app.signs_of_safety.three_houses import (
    MAX_DRAWING_BYTES,
    PNG_SIGNATURE,
    add_house_entry,
    has_drawing,
    house_entries,
)
from app.timeutil import utcnow

__all__ = [
    "CHOOSE_SUPERVISOR",
    "ItemChanged",
    "ItemFields",
    "MAX_DRAWING_BYTES",
    "NotInMap",
    "NothingToSubmit",
    "PNG_SIGNATURE",
    "Rater",
    "SOME_SUPERVISOR",
    "StaleVersion",
    "add_house_entry",
    "add_item",
    "add_rating",
    "default_rater",
    "edit_item",
    "find_item",
    "get_version",
    "has_drawing",
    "house_entries",
    "item_seen",
    "items",
    "latest_version",
    "legacy_supervisor",
    "pair_keys",
    "people",
    "raters",
    "ratings",
    "remove_item",
    "safety_plan_rules",
    "scale_series",
    "set_safety_plan_review",
    "start_next_version",
    "submit",
    "submit_from",
    "versions",
    "working_version",
]


class StaleVersion(Refused):
    """The write was made from a version that is no longer the one being worked on."""

    status_code = 409

    def __init__(self, *, base_version: int, current: int) -> None:
        super().__init__(f"made from version {base_version}, current version is {current}")
        self.base_version = base_version
        self.current = current


class NotInMap(Refused):
    """The item named is not in the version being worked on: answered as not found."""

    status_code = 404


class ItemChanged(Refused):
    """A removal sent from a page drawn before the item was changed: the item stays, for the worker
    to look at again (a removal must not take a correction made since with it)."""

    status_code = 409


class NothingToSubmit(Refused):
    """The case has no map yet, so there is no version to submit."""


# --- Writing the map ----------------------------------------------------------------------------


def working_version(*, session: Session, case: Case, base_version: int, by: User) -> MapVersion:
    """The draft a write made from `base_version` goes into, starting one if needed."""
    latest = latest_version(session=session, case=case)
    if latest is None:
        if base_version != 0:
            raise StaleVersion(base_version=base_version, current=0)
        draft = MapVersion(case_id=case.id, number=1, based_on=0, created_by_id=by.id)
        session.add(draft)
        session.flush()
        return draft
    if latest.is_draft and base_version in (latest.number, latest.based_on):
        return latest
    if not latest.is_draft and base_version == latest.number:
        return start_next_version(session=session, submitted=latest, by=by)
    raise StaleVersion(base_version=base_version, current=latest.number)


def start_next_version(*, session: Session, submitted: MapVersion, by: User) -> MapVersion:
    """A new draft copied from a submitted version, which stays as it was."""
    draft = MapVersion(
        case_id=submitted.case_id,
        number=submitted.number + 1,
        based_on=submitted.number,
        created_by_id=by.id,
        safety_plan_review_on=submitted.safety_plan_review_on,
    )
    session.add(draft)
    session.flush()
    copied = [
        MapItem(**{**item.model_dump(exclude={"id", "map_version_id"}), "map_version_id": draft.id})
        for item in items(session=session, map_version=submitted)
    ]
    session.add_all(copied)
    session.flush()
    return draft


@dataclass
class ItemFields:
    """What a person can write on a map item; which fields matter depends on the category."""

    text: str
    person_id: str | None = None
    by_key_worker: bool = False
    family_agrees: bool | None = None
    goal: str = ""
    sustain_for: str = ""
    family_text: str = ""
    detail: str = ""
    due_on: date | None = None
    done: bool = False


def add_item(
    *, session: Session, case: Case, item_id: str, base_version: int, category: Category, fields: ItemFields, by: User
) -> tuple[MapItem, bool]:
    """Add an item to the map; (item, created). The same id twice adds it once; another case's
    item's id is refused as not found (WrongCase), never answered as this case's item saved."""
    existing = session.get(MapItem, item_id)
    if existing is not None:
        version = session.get(MapVersion, existing.map_version_id)
        if version is None or version.case_id != case.id:
            raise WrongCase()
        return existing, False
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    position = (
        session.exec(
            select(func.coalesce(func.max(MapItem.position), 0)).where(MapItem.map_version_id == draft.id)
        ).one()
        + 1
    )
    item = MapItem(
        id=item_id, item_key=item_id, map_version_id=draft.id, category=category, position=position, **vars(fields)
    )
    session.add(item)
    draft.updated_at = utcnow()
    session.flush()
    return item, True


def _item_in(session: Session, draft: MapVersion, item_key: str) -> MapItem:
    item = session.exec(select(MapItem).where(MapItem.map_version_id == draft.id, MapItem.item_key == item_key)).first()
    if item is None:
        raise NotInMap(item_key)
    return item


def find_item(*, session: Session, map_version: MapVersion, item_key: str) -> MapItem | None:
    """The item with `item_key` in one version, if it is there."""
    return session.exec(
        select(MapItem).where(MapItem.map_version_id == map_version.id, MapItem.item_key == item_key)
    ).first()


def edit_item(
    *, session: Session, case: Case, item_key: str, base_version: int, fields: ItemFields, by: User
) -> MapItem:
    """Change an item in the working draft (a submitted version is copied first, never changed)."""
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    item = _item_in(session, draft, item_key)
    if item.family_agrees is False and fields.family_agrees is None:
        # The family's disagreement is part of the record (PRACTICE.md); it can change to
        # agreement, but it is not wiped back to "not asked".
        fields.family_agrees = False
    for name, value in vars(fields).items():
        setattr(item, name, value)
    draft.updated_at = utcnow()
    session.flush()
    return item


def item_seen(item: MapItem) -> str:
    """A short fingerprint of what an item says, drawn into its Remove form: a removal carries the
    item as the worker saw it, and `remove_item` refuses it if the item has changed since."""
    fields = {name: getattr(item, name) for name in ItemFields.__dataclass_fields__}
    text = json.dumps(fields, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def remove_item(
    *, session: Session, case: Case, item_key: str, base_version: int, by: User, seen: str = ""
) -> MapVersion:
    """Take an item out of the working draft; earlier versions keep it. Removing twice is fine,
    but another case's item, named through this case's URL, is not found and nothing is written.

    `seen` is the item's fingerprint on the page the removal came from (`item_seen`). A removal
    kept on a device lands in the same draft as a correction made in the office since; if the item
    no longer says what the worker saw, it is not removed (ItemChanged). Without `seen` (a form
    from before fingerprints) the removal goes ahead, as it always did."""
    owners = set(
        session.exec(
            select(MapVersion.case_id)
            .join(MapItem, MapItem.map_version_id == MapVersion.id)
            .where(MapItem.item_key == item_key)
        ).all()
    )
    if owners and case.id not in owners:
        raise NotInMap("That item is not in this case's map.")
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    item = find_item(session=session, map_version=draft, item_key=item_key)
    if item is not None and seen and item_seen(item) != seen:
        raise ItemChanged("This changed after the page you removed it from was drawn, so it is still on the map.")
    if item is not None:
        session.delete(item)
        draft.updated_at = utcnow()
        session.flush()
    return draft


def set_safety_plan_review(
    *, session: Session, case: Case, base_version: int, review_on: date | None, by: User
) -> MapVersion:
    """Set when the safety plan is next reviewed."""
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    draft.safety_plan_review_on = review_on
    draft.updated_at = utcnow()
    session.flush()
    return draft


def submit(*, session: Session, map_version: MapVersion, by: User) -> MapVersion:
    """Submit a version for review: from now on it is immutable. Submitting twice changes nothing.

    The supervision feature hooks in here to add the version to the review queue.
    """
    if map_version.is_draft:
        map_version.status = MapStatus.submitted
        map_version.submitted_at = utcnow()
        map_version.submitted_by_id = by.id
        session.flush()

        review.submit_item(
            session=session,
            kind="sos_map",
            case=session.get(Case, map_version.case_id),
            item_id=str(map_version.case_id),
            version_id=map_version.id,
            version_number=map_version.number,
            by=by,
        )
    return map_version


def submit_from(*, session: Session, case: Case, base_version: int, by: User) -> MapVersion:
    """Submit the version a worker was looking at (`base_version`), refusing a stale one."""
    latest = latest_version(session=session, case=case)
    if latest is None:
        if base_version == 0:
            raise NothingToSubmit()
        raise StaleVersion(base_version=base_version, current=0)
    if latest.is_draft and base_version in (latest.number, latest.based_on):
        return submit(session=session, map_version=latest, by=by)
    if not latest.is_draft and base_version == latest.number:
        return latest  # already submitted: a replay, or a second tap
    raise StaleVersion(base_version=base_version, current=latest.number)
