"""The rules of the Signs of Safety map that touch the database (no HTTP here).

Versioning (DESIGN.md "Assessments as versioned documents"): writes name the version they were
made from (`base_version`). A write lands in the current draft when that draft is the version
named, or was copied from it; when the version named is the latest and submitted, the write
starts the next version as a copy. Anything else means someone submitted a newer version since,
and the write is refused as stale (a conflict for the worker to resolve, never an overwrite).

Creation is idempotent by id: an offline outbox replaying the same operation changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case, Person
from app.refused import Refused, WrongCase
from app.review import service as review
from app.signs_of_safety import rules
from app.signs_of_safety.models import (
    Category,
    House,
    MapItem,
    MapStatus,
    MapVersion,
    RaterRole,
    ScaleRating,
    ThreeHousesEntry,
)
from app.timeutil import utcnow


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


# --- Reading ------------------------------------------------------------------------------------


def latest_version(*, session: Session, case: Case) -> MapVersion | None:
    """The newest version of the case's map, draft or submitted."""
    return session.exec(
        select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc()).limit(1)
    ).first()


def get_version(*, session: Session, case: Case, number: int) -> MapVersion | None:
    """Version `number` of the case's map."""
    return session.exec(select(MapVersion).where(MapVersion.case_id == case.id, MapVersion.number == number)).first()


def versions(*, session: Session, case: Case) -> list[MapVersion]:
    """Every version of the case's map, newest first."""
    return list(
        session.exec(select(MapVersion).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc())).all()
    )


def items(*, session: Session, map_version: MapVersion) -> list[MapItem]:
    """The items of one version in the order they were added."""
    return list(
        session.exec(
            select(MapItem)
            .where(MapItem.map_version_id == map_version.id)
            .order_by(MapItem.position, MapItem.created_at)
        ).all()
    )


def safety_plan_rules(*, session: Session, case: Case) -> list[str]:
    """The rules of the case's latest safety plan, in the plan's words (network commitments link to them)."""
    latest = latest_version(session=session, case=case)
    if latest is None:
        return []
    return [item.text for item in items(session=session, map_version=latest) if item.category == Category.rule]


def pair_keys(*, session: Session, case: Case, among: set[str]) -> set[str]:
    """Which of `among` are statement pairs in some version of the case's map (one query)."""
    rows = session.exec(
        select(MapItem.item_key)
        .join(MapVersion, MapVersion.id == MapItem.map_version_id)
        .where(MapVersion.case_id == case.id, MapItem.category == Category.pair, MapItem.item_key.in_(among))
    ).all()
    return set(rows)


def people(*, session: Session, case: Case) -> list[Person]:
    """The case's people, young person first."""
    return list(
        session.exec(
            select(Person)
            .where(Person.case_id == case.id)
            .order_by(Person.is_young_person.desc(), Person.created_at, Person.name)
        ).all()
    )


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


# --- Scales -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rater:
    key: str  # "person:<id>", "key_worker" or "supervisor"
    name: str
    role: RaterRole
    person_id: str | None = None


def raters(*, session: Session, case: Case, actor_user: User) -> list[Rater]:
    """Who may give a rating: each person of the case, then the staff, each under their own name:
    the key worker ("key_worker"), the co-worker and any other worker recording their own view
    ("user:<id>"), and the team's supervisors (the acting supervisor as "supervisor", the others
    as "user:<id>"). Until December 2026 only the key worker and one supervisor were offered, so a
    co-worker's rating was stored under the key worker's name. One statement for the staff."""
    found = [
        Rater(
            key=f"person:{p.id}",
            name=p.name,
            role=rules.rater_role_for(relationship=p.relationship, is_young_person=p.is_young_person),
            person_id=p.id,
        )
        for p in people(session=session, case=case)
    ]
    named = {i for i in (case.key_worker_id, case.co_worker_id, actor_user.id) if i is not None}
    staff = session.exec(
        select(User)
        .where(
            User.id.in_(named)
            | ((User.team_id == case.team_id) & (User.role == "supervisor") & User.is_active.is_(True))
        )
        .order_by(User.id)
    ).all()
    by_id = {u.id: u for u in staff}
    key_worker = by_id.get(case.key_worker_id)
    found.append(
        Rater(key="key_worker", name=key_worker.full_name if key_worker else "Key worker", role=RaterRole.key_worker)
    )
    workers = [case.co_worker_id]
    if actor_user.role not in ("supervisor", "manager"):
        workers.append(actor_user.id)
    for user_id in dict.fromkeys(workers):
        if user_id is not None and user_id != case.key_worker_id and user_id in by_id:
            found.append(Rater(key=f"user:{user_id}", name=by_id[user_id].full_name, role=RaterRole.key_worker))
    if actor_user.role == "supervisor":
        found.append(Rater(key="supervisor", name=actor_user.full_name, role=RaterRole.supervisor))
    for user in staff:
        if user.role == "supervisor" and user.team_id == case.team_id and user.is_active and user.id != actor_user.id:
            found.append(Rater(key=f"user:{user.id}", name=user.full_name, role=RaterRole.supervisor))
    return found


def default_rater(*, case: Case, actor_user: User, offered: list[Rater]) -> str:
    """Whose rating the worker's rating screen opens on: the person using it where they are
    `offered` as a rater, else the key worker's (a manager gives no rating of their own)."""
    if actor_user.id == case.key_worker_id:
        own = "key_worker"
    else:
        own = "supervisor" if actor_user.role == "supervisor" else f"user:{actor_user.id}"
    return own if any(r.key == own for r in offered) else "key_worker"


# The rater shown while the worker chooses which supervisor gave a rating (`legacy_supervisor`).
SOME_SUPERVISOR = Rater(key="", name="The supervisor", role=RaterRole.supervisor)
CHOOSE_SUPERVISOR = "Choose which supervisor gave this rating: each supervisor's rating is kept under their own name."


def legacy_supervisor(*, session: Session, case: Case, replayed: bool) -> Rater | None:
    """A form kept on a device from before December 2026 names "supervisor" whoever sends it: read,
    as it was then, as the team's first supervisor, but only as the offline outbox sends it
    (`replayed`, with its operation id). Sent any other way by someone who is not a supervisor,
    it would store a rating under a supervisor's name that the screen no longer offers them."""
    if not replayed:
        raise Refused(CHOOSE_SUPERVISOR, field="rater")
    first = session.exec(
        select(User)
        .where(User.team_id == case.team_id, User.role == "supervisor", User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    ).first()
    return Rater(key="supervisor", name=first.full_name, role=RaterRole.supervisor) if first else None


def add_rating(
    *,
    session: Session,
    case: Case,
    rating_id: str,
    rater: Rater,
    pair_key: str | None,
    score: int,
    why_not_lower: str,
    one_step_higher: str,
    by: User,
    rated_at: datetime | None = None,
) -> tuple[ScaleRating, bool]:
    """Record one rating with the anchors the rater saw; (rating, created). Never edited."""
    existing = session.get(ScaleRating, rating_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    if not 0 <= score <= 10:
        raise ValueError("a scale runs from 0 to 10")
    low, high = rules.anchors(rater_role=rater.role, practice_context=case.practice_context)
    latest = latest_version(session=session, case=case)
    rating = ScaleRating(
        id=rating_id,
        case_id=case.id,
        pair_key=pair_key,
        map_version_id=latest.id if latest else None,
        rater_role=rater.role,
        rater_person_id=rater.person_id,
        rater_name=rater.name,
        score=score,
        anchor_low=low,
        anchor_high=high,
        why_not_lower=why_not_lower,
        one_step_higher=one_step_higher,
        rated_at=rated_at or utcnow(),
        recorded_by_id=by.id,
    )
    session.add(rating)
    session.flush()
    return rating, True


def ratings(*, session: Session, case: Case) -> list[ScaleRating]:
    """Every rating on the case, oldest first."""
    return list(
        session.exec(
            select(ScaleRating)
            .where(ScaleRating.case_id == case.id)
            .order_by(ScaleRating.rated_at, ScaleRating.created_at)
        ).all()
    )


def scale_series(rows: list[ScaleRating], pair_key: str | None) -> dict[str, list[tuple[datetime, int]]]:
    """One scale's ratings grouped by rater, for the chart and its table."""
    series: dict[str, list[tuple[datetime, int]]] = {}
    for row in rows:
        if row.pair_key == pair_key:
            label = f"{row.rater_name} ({rules.RATER_ROLE_LABELS[RaterRole(row.rater_role)].lower()})"
            series.setdefault(label, []).append((row.rated_at, row.score))
    return series


# --- Three houses -------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 1_500_000


def add_house_entry(
    *,
    session: Session,
    case: Case,
    entry_id: str,
    house: House,
    text: str,
    own_words: bool,
    drawing_png: bytes | None,
    drawing_description: str,
    consent_to_share: bool,
    person_id: str | None,
    by: User,
    created_at: datetime | None = None,
) -> tuple[ThreeHousesEntry, bool]:
    """Keep what the young person put in one house; (entry, created). The same id twice keeps it once."""
    existing = session.get(ThreeHousesEntry, entry_id)
    if existing is not None:
        if existing.case_id != case.id:
            raise WrongCase()
        return existing, False
    if drawing_png is not None and (not drawing_png.startswith(PNG_SIGNATURE) or len(drawing_png) > MAX_DRAWING_BYTES):
        raise ValueError("a drawing must be a PNG image under 1.5 MB")
    entry = ThreeHousesEntry(
        id=entry_id,
        case_id=case.id,
        house=house,
        text=text,
        own_words=own_words,
        drawing_png=drawing_png,
        drawing_description=drawing_description,
        consent_to_share=consent_to_share,
        person_id=person_id,
        recorded_by_id=by.id,
        created_at=created_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry, True


def house_entries(*, session: Session, case: Case) -> list[ThreeHousesEntry]:
    """The three houses' entries, oldest first, without loading the drawings themselves."""
    from sqlalchemy.orm import defer

    query = (
        select(ThreeHousesEntry)
        .where(ThreeHousesEntry.case_id == case.id)
        .options(defer(ThreeHousesEntry.drawing_png))
        .order_by(ThreeHousesEntry.created_at)
    )
    return list(session.exec(query).all())


def has_drawing(*, session: Session, case: Case) -> set[str]:
    """Ids of entries that carry a drawing (one query, no image bytes loaded)."""
    rows = session.exec(
        select(ThreeHousesEntry.id).where(
            ThreeHousesEntry.case_id == case.id, ThreeHousesEntry.drawing_png.is_not(None)
        )
    ).all()
    return set(rows)
