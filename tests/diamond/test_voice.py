"""The young person's Diamond ratings are their voice for oversight's "voice" flag (issue 10);
since issue 21 read per case in scope, correlated, through ix_diamond_rating_case_person_on."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import select

from app.cases.models import Case, Person
from app.diamond.models import DiamondRating
from app.diamond.voice import VOICE
from app.review import oversight
from app.timeutil import today, utcnow
from tests.factories import make_case, make_team, make_user


def _rate(db, case, *, person=None, user=None, days_ago):
    db.add(
        DiamondRating(
            case_id=case.id,
            person_id=person.id if person else None,
            user_id=user.id if user else None,
            aim="wellbeing",
            score=5,
            rated_on=today() - timedelta(days=days_ago),
            recorded_by_user_id=case.key_worker_id,
        )
    )


def _young_person(db, case):
    return db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person.is_(True))).one()


def test_only_the_young_persons_own_latest_rating_in_scope_counts(db, settings):
    team = make_team(db, name="North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    away = make_user(db, full_name="Away Worker")
    rated, parent_only, worker_only, elsewhere = (
        make_case(db, worker=sam, young_person_name="Rated Case"),
        make_case(db, worker=sam, young_person_name="Parent Only"),
        make_case(db, worker=sam, young_person_name="Worker Only"),
        make_case(db, worker=away, young_person_name="Elsewhere"),
    )
    parent = Person(case_id=parent_only.id, name="A Parent", relationship="Mother")
    db.add(parent)
    db.flush()
    _rate(db, rated, person=_young_person(db, rated), days_ago=40)
    _rate(db, rated, person=_young_person(db, rated), days_ago=3)
    _rate(db, parent_only, person=parent, days_ago=1)
    _rate(db, worker_only, user=sam, days_ago=1)
    _rate(db, elsewhere, person=_young_person(db, elsewhere), days_ago=2)
    db.commit()
    scope = SimpleNamespace(in_scope=Case.team_id == team.id)
    (query,) = VOICE.values()
    found = {case_id: on for case_id, on in db.exec(query(scope)).all() if on is not None}
    assert found == {rated.id: today() - timedelta(days=3)}


def test_a_young_persons_rating_clears_the_voice_flag(db, settings):
    team = make_team(db, name="North")
    sam = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    opened = utcnow() - timedelta(weeks=settings.voice_flag_weeks + 2)
    heard = make_case(db, worker=sam, young_person_name="Heard Case", opened_at=opened)
    unheard = make_case(db, worker=sam, young_person_name="Unheard Case", opened_at=opened)
    _rate(db, heard, person=_young_person(db, heard), days_ago=2)
    _rate(db, unheard, user=sam, days_ago=2)  # the worker's rating is not the young person's voice
    db.commit()
    board = oversight.dashboard(session=db, viewer=supervisor, settings=settings, today=today(), now=utcnow())
    voice = {f.name for f in board.flags if f.key == "voice"}
    assert voice == {"Unheard Case"}
