"""What the case records about the young person's circumstances, each with its history (issue 18):
where they live, their education, training or employment (with school attendance), and missing
episodes. Codes: app/core/codes.py, shared with the outcome records, which read these facts from
here (app/outcomes/service.py `from_case`) instead of keeping their own."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case, EducationStatus, LivingSituation, MissingEpisode
from app.core.codes import EDUCATION, LIVING
from app.refused import Refused, WrongCase
from app.security.auth import Actor
from app.timeutil import today

CODES = [code for code, _ in LIVING]
EDUCATION_CODES = [code for code, _ in EDUCATION]


def _newest(model, case: Case, on: date | None):
    query = select(model).where(model.case_id == case.id)
    if on is not None:
        query = query.where(model.since <= on)
    return query.order_by(model.since.desc(), model.recorded_at.desc())


def history(*, session: Session, case: Case) -> list[LivingSituation]:
    """Newest first: the first is where the young person lives now."""
    return list(session.exec(_newest(LivingSituation, case, None)).all())


def living_on(*, session: Session, case: Case, on: date) -> LivingSituation | None:
    """Where the young person lived on `on` (a back-dated entry counts from its own date)."""
    return session.exec(_newest(LivingSituation, case, on).limit(1)).first()


def _existing(session: Session, model, case: Case, record_id: str | None):
    """A replay of the same client id answers the stored record (offline: applied once)."""
    if not record_id:
        return None
    found = session.get(model, record_id)
    if found is not None and found.case_id != case.id:
        raise Refused("That record id is already in use.")
    return found


def record(
    *,
    session: Session,
    case: Case,
    by: Actor,
    living: str,
    with_whom: str,
    since: date,
    record_id: str | None = None,
    given_at: datetime | None = None,
) -> LivingSituation:
    """A new living situation from `since` (today or earlier); earlier ones stay as history. Of
    two from the same day the one given last stands (`given_at`: when the device stamped the form,
    app/timeutil.py; now when unsaid), not the one that reached Homeward last."""
    found = _existing(session, LivingSituation, case, record_id)
    if found is not None:
        return found
    if living not in CODES:
        raise Refused("Choose where the young person lives.", field="living")
    if since > today():
        raise Refused("The date it started cannot be in the future.", field="since")
    entry = LivingSituation(
        case_id=case.id,
        living=living,
        with_whom=" ".join(with_whom.split())[:200],
        since=since,
        recorded_by_id=by.id,
        **({"recorded_at": given_at} if given_at else {}),
    )
    if record_id:
        entry.id = record_id
    session.add(entry)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="living_situation",
        object_id=entry.id,
        case_id=case.id,
        detail=f"{living} from {since.isoformat()}",
    )
    return entry


# ---------------------------------------------------------------- education, training or employment


def education_history(*, session: Session, case: Case) -> list[EducationStatus]:
    """Newest first: the first is the young person's education, training or employment now."""
    return list(session.exec(_newest(EducationStatus, case, None)).all())


def education_on(*, session: Session, case: Case, on: date) -> EducationStatus | None:
    return session.exec(_newest(EducationStatus, case, on).limit(1)).first()


def record_education(
    *,
    session: Session,
    case: Case,
    by: Actor,
    education: str,
    attendance_percent: int | None,
    since: date,
    record_id: str | None = None,
    given_at: datetime | None = None,
) -> EducationStatus:
    """A new education status from `since`; earlier ones stay as history. Of two from the same
    day the one given last stands (`given_at`, as for where the young person lives)."""
    found = _existing(session, EducationStatus, case, record_id)
    if found is not None:
        return found
    if education not in EDUCATION_CODES:
        raise Refused("Choose their education, training or employment.", field="education")
    if attendance_percent is not None and not 0 <= attendance_percent <= 100:
        raise Refused("Attendance is a percentage from 0 to 100.", field="attendance_percent")
    if since > today():
        raise Refused("The date it started cannot be in the future.", field="education_since")
    entry = EducationStatus(
        case_id=case.id,
        education=education,
        attendance_percent=attendance_percent,
        since=since,
        recorded_by_id=by.id,
        **({"recorded_at": given_at} if given_at else {}),
    )
    if record_id:
        entry.id = record_id
    session.add(entry)
    session.flush()
    attendance = "" if attendance_percent is None else f", attendance {attendance_percent}%"
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="education_status",
        object_id=entry.id,
        case_id=case.id,
        detail=f"{education}{attendance} from {since.isoformat()}",
    )
    return entry


# ---------------------------------------------------------------- missing episodes


def missing_episodes(*, session: Session, case: Case) -> list[MissingEpisode]:
    """Newest first."""
    return list(
        session.exec(
            select(MissingEpisode)
            .where(MissingEpisode.case_id == case.id)
            .order_by(MissingEpisode.went_missing_on.desc(), MissingEpisode.recorded_at.desc())
        ).all()
    )


def missing_count(*, session: Session, case: Case, after: date | None, until: date) -> int:
    """Missing episodes that began after `after` (exclusive; None: from the start) up to `until`."""
    query = select(func.count()).where(MissingEpisode.case_id == case.id, MissingEpisode.went_missing_on <= until)
    if after is not None:
        query = query.where(MissingEpisode.went_missing_on > after)
    return int(session.exec(query).one())


def record_missing(
    *,
    session: Session,
    case: Case,
    by: Actor,
    went_missing_on: date,
    returned_on: date | None,
    record_id: str | None = None,
) -> MissingEpisode:
    """A new missing episode; one that names the day an open episode began is that episode (a
    worker recording the return the only way the form once allowed), so it is not counted twice."""
    found = _existing(session, MissingEpisode, case, record_id)
    if found is not None:
        return found
    if went_missing_on > today():
        raise Refused("The day they went missing cannot be in the future.", field="went_missing_on")
    if returned_on is not None and returned_on < went_missing_on:
        raise Refused("The day they came back is before the day they went missing.", field="returned_on")
    still_missing = session.exec(
        select(MissingEpisode).where(
            MissingEpisode.case_id == case.id,
            MissingEpisode.went_missing_on == went_missing_on,
            MissingEpisode.returned_on.is_(None),
        )
    ).first()
    if still_missing is not None:
        if returned_on is None:
            return still_missing
        return record_return(session=session, case=case, by=by, episode=still_missing, returned_on=returned_on)
    entry = MissingEpisode(
        case_id=case.id, went_missing_on=went_missing_on, returned_on=returned_on, recorded_by_id=by.id
    )
    if record_id:
        entry.id = record_id
    session.add(entry)
    session.flush()
    back = f", back {returned_on.isoformat()}" if returned_on else ", not back yet"
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="missing_episode",
        object_id=entry.id,
        case_id=case.id,
        detail=f"missing from {went_missing_on.isoformat()}{back}",
    )
    return entry


def record_return(
    *, session: Session, case: Case, by: Actor, episode: MissingEpisode, returned_on: date, field: str = "returned_on"
) -> MissingEpisode:
    """The day the young person came back from `episode`, which ends it. The same day sent again
    (an outbox replay, a second tab) changes nothing; another day for an episode already ended is
    Refused, so a kept page never moves a return recorded since."""
    if episode.case_id != case.id:
        raise WrongCase()
    if episode.returned_on == returned_on:
        return episode
    if episode.returned_on is not None:
        raise Refused(
            f"This episode is already recorded as ended: back on {episode.returned_on:%-d %b %Y}.", field=field
        )
    if returned_on > today():
        raise Refused("The day they came back cannot be in the future.", field=field)
    if returned_on < episode.went_missing_on:
        raise Refused(
            f"The day they came back is before the day they went missing, {episode.went_missing_on:%-d %b %Y}.",
            field=field,
        )
    episode.returned_on = returned_on
    session.add(episode)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="update",
        object_type="missing_episode",
        object_id=episode.id,
        case_id=case.id,
        detail=f"back {returned_on.isoformat()}",
    )
    return episode
