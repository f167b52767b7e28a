"""Factories for endings tests: a team with two workers and a supervisor, a full ending, a dormant case."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

from sqlmodel import Session, select

from app.cases.models import Case
from app.endings import service
from app.endings.service import EndingInput
from app.review.models import Submission
from app.timeutil import today
from tests.cases.factories import actor_for
from tests.factories import make_case, make_team, make_user


def make_team_people(session: Session) -> SimpleNamespace:
    team = make_team(session)
    return SimpleNamespace(
        team=team,
        worker=make_user(session, team=team, full_name="Amy Worker"),
        other=make_user(session, team=team, full_name="Ben Other"),
        supervisor=make_user(session, role="supervisor", team=team, full_name="Sue Supervisor"),
        manager=make_user(session, role="manager", team=None, full_name="Max Manager"),
    )


def full_ending(**overrides) -> EndingInput:
    """Every part of a good ending given, to dormant unless overridden."""
    data = EndingInput(
        outcome="dormant",
        goals=[
            {
                "source": "worker",
                "ref": "",
                "goal": "Kayla back at school every day",
                "rating": "met",
                "evidence": "Attendance 96% this term",
            }
        ],
        agreed_on=today() - timedelta(days=7),
        agreement_how="Agreed at home with Kayla and her mum; taper over a month",
        taper="Fortnightly visits for a month",
        sustainability_plan="Mum will call Nan when rows start",
        named_contact="Amy Worker, 0151 000 0000",
        family_summary="You have done brilliantly.",
        young_person_views="Kayla feels ready and knows she can ring.",
        outcome_summary="Living at home, in school",
    )
    return replace(data, **overrides)


def make_dormant(session: Session, case: Case, user, **overrides):
    ending, _ = service.end_active_work(session=session, case=case, by=actor_for(user), data=full_ending(**overrides))
    return ending


def active_case(session: Session, worker, **overrides) -> Case:
    return make_case(session, worker=worker, **{"status": "active", **overrides})


def approve_waiting_ending(session: Session, supervisor, rationale: str = "A good ending.") -> None:
    """The supervisor approves the ending waiting in the queue (approval first, the default)."""
    submission = session.exec(
        select(Submission).where(Submission.kind == "ending", Submission.status == "waiting")
    ).one()
    service.approve_ending(session=session, submission=submission, by=actor_for(supervisor), rationale=rationale)
    session.commit()
