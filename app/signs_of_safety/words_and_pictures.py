"""Words and pictures: a storyboard written with the family to explain to the children why the
service is involved (PRACTICE.md "Young person's voice"). Versioned like the map: a version is
fixed once it has been shared, and a change after that starts the next version as a copy.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from app.accounts.models import User
from app.cases.models import Case, Person
from app.refused import WrongCase
from app.signs_of_safety.models import StoryPanel, StoryShare, StoryStatus, StoryVersion
from app.signs_of_safety.service import StaleVersion

IMAGE_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
MAX_IMAGE_BYTES = 1_500_000


def _check_case(session: Session, story_version_id: str, case: Case) -> None:
    """A replayed id must be this case's: one of another case's is answered as not found."""
    version = session.get(StoryVersion, story_version_id)
    if version is None or version.case_id != case.id:
        raise WrongCase()


def image_type(data: bytes) -> str | None:
    """ "image/png" or "image/jpeg" when `data` looks like one and is small enough, else None."""
    if len(data) > MAX_IMAGE_BYTES:
        return None
    return next((kind for kind, signature in IMAGE_SIGNATURES.items() if data.startswith(signature)), None)


def latest(*, session: Session, case: Case) -> StoryVersion | None:
    """The newest storyboard version, draft or shared."""
    return session.exec(
        select(StoryVersion).where(StoryVersion.case_id == case.id).order_by(StoryVersion.number.desc()).limit(1)
    ).first()


def get_version(*, session: Session, case: Case, number: int) -> StoryVersion | None:
    """Storyboard version `number`."""
    return session.exec(
        select(StoryVersion).where(StoryVersion.case_id == case.id, StoryVersion.number == number)
    ).first()


def versions(*, session: Session, case: Case) -> list[StoryVersion]:
    """Every storyboard version, newest first."""
    return list(
        session.exec(
            select(StoryVersion).where(StoryVersion.case_id == case.id).order_by(StoryVersion.number.desc())
        ).all()
    )


def panels(*, session: Session, version: StoryVersion) -> list[StoryPanel]:
    """A version's panels in order, without their image bytes."""
    query = (
        select(StoryPanel)
        .where(StoryPanel.story_version_id == version.id)
        .options(defer(StoryPanel.image))
        .order_by(StoryPanel.position)
    )
    return list(session.exec(query).all())


def shares(*, session: Session, case: Case) -> list[tuple[StoryShare, int]]:
    """Every sharing of every version, newest first, with the version number."""
    rows = session.exec(
        select(StoryShare, StoryVersion.number)
        .join(StoryVersion, StoryVersion.id == StoryShare.story_version_id)
        .where(StoryVersion.case_id == case.id)
        .order_by(StoryShare.shared_on.desc(), StoryShare.created_at.desc())
    ).all()
    return list(rows)


def working_version(*, session: Session, case: Case, base_version: int, by: User) -> StoryVersion:
    """The draft a change made from `base_version` goes into (see service.working_version)."""
    current = latest(session=session, case=case)
    if current is None:
        if base_version != 0:
            raise StaleVersion(base_version=base_version, current=0)
        draft = StoryVersion(case_id=case.id, number=1, created_by_id=by.id)
        session.add(draft)
        session.flush()
        return draft
    if current.is_draft and base_version in (current.number, current.based_on):
        return current
    if not current.is_draft and base_version == current.number:
        draft = StoryVersion(
            case_id=case.id,
            number=current.number + 1,
            based_on=current.number,
            title=current.title,
            created_by_id=by.id,
        )
        session.add(draft)
        session.flush()
        for panel in session.exec(select(StoryPanel).where(StoryPanel.story_version_id == current.id)).all():
            session.add(
                StoryPanel(**{**panel.model_dump(exclude={"id", "story_version_id"}), "story_version_id": draft.id})
            )
        session.flush()
        return draft
    raise StaleVersion(base_version=base_version, current=current.number)


def add_panel(
    *,
    session: Session,
    case: Case,
    panel_id: str,
    base_version: int,
    text: str,
    image: bytes | None,
    image_description: str,
    by: User,
) -> tuple[StoryPanel, bool]:
    """Add a panel at the end; (panel, created). The same id twice adds it once."""
    existing = session.get(StoryPanel, panel_id)
    if existing is not None:
        _check_case(session, existing.story_version_id, case)
        return existing, False
    kind = image_type(image) if image else ""
    if image and kind is None:
        raise ValueError("a picture must be a PNG or JPEG under 1.5 MB")
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    position = (
        session.exec(
            select(func.coalesce(func.max(StoryPanel.position), 0)).where(StoryPanel.story_version_id == draft.id)
        ).one()
        + 1
    )
    panel = StoryPanel(
        id=panel_id,
        panel_key=panel_id,
        story_version_id=draft.id,
        position=position,
        text=text,
        image=image,
        image_type=kind or "",
        image_description=image_description,
    )
    session.add(panel)
    session.flush()
    return panel, True


def remove_panel(*, session: Session, case: Case, panel_key: str, base_version: int, by: User) -> StoryVersion | None:
    """Take a panel out of the working draft; shared versions keep it. None, with nothing written
    (no new draft, no audit entry), when the latest version has no such panel: removed already (an
    outbox replay), or a key that is not this case's."""
    current = latest(session=session, case=case)
    if (
        current is None
        or not session.exec(
            select(StoryPanel.id).where(StoryPanel.story_version_id == current.id, StoryPanel.panel_key == panel_key)
        ).first()
    ):
        return None
    draft = working_version(session=session, case=case, base_version=base_version, by=by)
    panel = session.exec(
        select(StoryPanel).where(StoryPanel.story_version_id == draft.id, StoryPanel.panel_key == panel_key)
    ).first()
    if panel is not None:
        session.delete(panel)
        session.flush()
    return draft


def share(
    *,
    session: Session,
    case: Case,
    share_id: str,
    version_number: int,
    person: Person | None,
    shared_with: str,
    shared_on: date,
    by: User,
) -> tuple[StoryShare, bool]:
    """Record that a version was shown or given to someone, which fixes that version; idempotent by id.

    A version already shared may be shared again with someone else: that changes nothing in it.
    """
    existing = session.get(StoryShare, share_id)
    if existing is not None:
        _check_case(session, existing.story_version_id, case)
        return existing, False
    version = get_version(session=session, case=case, number=version_number)
    if version is None:
        current = latest(session=session, case=case)
        raise StaleVersion(base_version=version_number, current=current.number if current else 0)
    version.status = StoryStatus.shared
    record = StoryShare(
        id=share_id,
        story_version_id=version.id,
        person_id=person.id if person else None,
        shared_with=person.name if person else shared_with,
        shared_on=shared_on,
        recorded_by_id=by.id,
    )
    session.add(record)
    session.flush()
    return record, True
