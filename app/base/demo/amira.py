"""Amira's demo assessment: a first version submitted with a high overall risk, a second complete
one with the plan finalised, submitted and rated competent, and feedback from Amira, her mother
and her social worker at two reviews."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.base import feedback, service
from app.base.demo.acting import _actor, _backdate, _engage, _people
from app.cases.models import new_id
from app.security.auth import Actor
from app.timeutil import utcnow


def _amira(*, session: Session, demo) -> None:
    case = demo.cases["Amira"]
    sam = _actor(demo.users["worker"])
    helen = _actor(demo.users["supervisor"])
    people = _people(demo, "Amira")
    today = demo.today

    first = service.start(session=session, case=case, by=sam, version_id=new_id())
    _engage(
        session,
        first,
        sam,
        people["Amira"],
        expectations="Wants people to stop going on at her about where she goes.",
        aspirations="Finish Year 12 and train as a paramedic.",
        motivation=3,
        motivation_evidence="Turns up to sessions but leaves early when it gets hard.",
        capacity=3,
        involvement="Wants to see what is written about her before it goes anywhere.",
    )
    _engage(
        session,
        first,
        sam,
        people["Samira"],
        expectations="Help to know where Amira is at night.",
        aspirations="Amira home safe and back in college.",
        motivation=5,
        motivation_evidence="Has rung every time Amira was late.",
        capacity=2,
        capacity_evidence="Works night shifts; on her own with three children.",
        involvement="Evening visits after 6pm.",
    )
    marks = {
        "trusted_adult": {
            "mark": "strength",
            "decided_by": "family_with_worker",
            "notes": "Uncle Yusuf; Amira calls him when she will not call her mum.",
        },
        "goes_to_school": {"mark": "vulnerability", "decided_by": "worker", "notes": "Attendance 61% this term."},
        "good_friends": {
            "mark": "vulnerability",
            "decided_by": "family_with_worker",
            "notes": "New older friends met through a party.",
        },
        "good_at_something": {
            "mark": "strength",
            "decided_by": "family",
            "notes": "Kickboxing; the family see this as her best thing.",
        },
        "away_from_harm": {
            "mark": "vulnerability",
            "decided_by": "worker",
            "notes": "Picked up by cars late at night.",
        },
        "copes_with_feelings": {"mark": "vulnerability", "decided_by": "family_with_worker", "notes": ""},
    }
    service.save_resilience(session=session, version=first, by=sam, marks=marks)
    service.save_risk(
        session=session,
        version=first,
        by=sam,
        item_id=new_id(),
        risk=service.RiskInput(
            hazard="Missing overnight with older males",
            likelihood=4,
            imminence=4,
            impact=4,
            mitigations=["trusted_adult"],
            actions=[
                service.RiskAction(
                    what="Return-home conversations within 72 hours",
                    owner="Sam Okafor",
                    review_on=(today - timedelta(days=60)).isoformat(),
                )
            ],
        ),
    )
    service.save_risk_judgement(
        session=session,
        version=first,
        by=sam,
        level="high",
        rationale="Three missing episodes in four weeks; signs of exploitation.",
    )
    service.add_meeting(
        session=session,
        version=first,
        by=sam,
        item_id=new_id(),
        fields={
            "held_on": (today - timedelta(days=85)).isoformat(),
            "chair": "Jo Bell (practice lead)",
            "attendees": "Sam Okafor, Helen Marsh, school DSL, police missing officer",
            "theories": "Going missing is about belonging, not just defiance; the new friends give her status she lacks at home and college.",
            "barriers": "Amira feels talked about; meetings happen without her.",
            "conclusions": "Bring Amira into the plan; use kickboxing and Yusuf as anchors.",
        },
    )
    for s in ("engagement", "resilience", "risk", "analysis"):
        service.set_stage_done(session=session, version=first, by=sam, stage=s, done=True)
    service.submit(session=session, version=first, by=sam)
    _backdate(first, days=100, submitted_after=14)

    second = service.new_version(session=session, case=case, by=sam, version_id=new_id())
    content = second.content
    first_risk = content["risks"][0]
    risk_id = first_risk["id"]
    service.edit_risk(
        session=session,
        version=second,
        by=sam,
        item_id=risk_id,
        risk=service.RiskInput(
            hazard=first_risk["hazard"],
            likelihood=2,
            imminence=2,
            impact=4,
            mitigations=["trusted_adult", "good_at_something"],
            tolerable=first_risk["tolerable"],
            tolerable_reason=first_risk["tolerable_reason"],
            actions=[service.RiskAction(**action) for action in first_risk["actions"]],
        ),
    )
    service.save_risk(
        session=session,
        version=second,
        by=sam,
        item_id=new_id(),
        risk=service.RiskInput(
            hazard="Travelling alone to kickboxing competitions",
            likelihood=2,
            imminence=2,
            impact=2,
            mitigations=["good_at_something", "makes_choices"],
            tolerable=True,
            tolerable_reason="Healthy independence; she checks in with Yusuf and the club knows the plan.",
        ),
    )
    service.save_risk_judgement(
        session=session,
        version=second,
        by=sam,
        level="medium",
        rationale="No missing episodes for seven weeks; still in contact with one of the older group.",
    )
    marks = {
        **second.content["resilience"]["marks"],
        "goes_to_school": {
            "mark": "strength",
            "decided_by": "family_with_worker",
            "notes": "Attendance up to 88%; Amira chose to call this a strength now.",
        },
        "makes_choices": {
            "mark": "strength",
            "decided_by": "family",
            "notes": "Said no to a party last month and told her mum.",
        },
        "wider_family": {"mark": "strength", "decided_by": "family_with_worker", "notes": "Sunday dinners at Yusuf's."},
    }
    service.save_resilience(
        session=session,
        version=second,
        by=sam,
        marks=marks,
    )
    service.add_note(
        session=session,
        version=second,
        by=sam,
        item_id=new_id(),
        kind="family",
        text="Amira and Samira agreed the arguments start when plans change last minute; they will text plans by 5pm.",
        on=today - timedelta(days=20),
    )
    service.add_note(
        session=session,
        version=second,
        by=sam,
        item_id=new_id(),
        kind="team",
        text="Learning Circle agreed medium is right: protective factors are real but new.",
        on=today - timedelta(days=12),
    )
    service.add_requirement(
        session=session,
        version=second,
        by=sam,
        item_id=new_id(),
        kind="cp_plan",
        text="Attend core group meetings; Amira seen alone at every visit.",
    )
    steps = [
        (
            "Text each other evening plans by 5pm",
            "Amira and Samira",
            14,
            "No arguments about plans in the weekly check-in",
            "Amira is home safe at night",
            [risk_id],
        ),
        (
            "Weekly kickboxing with Yusuf driving home",
            "Yusuf",
            28,
            "Attends 4 of 4 sessions",
            "Amira has people and places that keep her safe",
            [risk_id],
        ),
        (
            "College mentor meeting every Monday",
            "Sam Okafor to arrange",
            21,
            "Attendance above 90%",
            "Amira on track for Year 12",
            [],
        ),
    ]
    for what, who, days, how, outcome, risks in steps:
        service.save_step(
            session=session,
            version=second,
            by=sam,
            item_id=new_id(),
            fields={
                "what": what,
                "who": who,
                "by_when": (today + timedelta(days=days)).isoformat(),
                "how_we_know": how,
                "outcome": outcome,
                "risk_ids": risks,
                "done": False,
            },
        )
    for s in ("engagement", "resilience", "risk", "analysis"):
        service.set_stage_done(session=session, version=second, by=sam, stage=s, done=True)
    service.finalise_plan(session=session, version=second, by=sam, review_on=today + timedelta(days=42))
    service.set_competency(session=session, version=second, by=sam, rating="competent", as_supervisor=False)
    service.submit(session=session, version=second, by=sam)
    service.set_competency(session=session, version=second, by=helen, rating="competent", as_supervisor=True)
    _backdate(second, days=30, submitted_after=25)

    _amira_feedback(session=session, demo=demo, case=case, sam=sam, people=people)


def _amira_feedback(*, session: Session, demo, case, sam: Actor, people) -> None:
    themes = [q["theme"] for q in feedback.question_set("young_person")["questions"]]
    # (perspective, rater (a person, or the social worker's name), round, days ago, scores in
    # theme order; None is "can't say")
    given = [
        (
            "young_person",
            people["Amira"],
            1,
            80,
            [3, 3, 2, None, 3, 4, 2, 3, 3, 3, 2],
            {"involving": "Stuff got decided without me."},
        ),
        ("parent", people["Samira"], 1, 79, [3, 4, 3, 4, 3, 5, 4, 3, 4, 4, 4], {}),
        ("social_worker", "Dee Ahmed", 1, 78, [3, 3, 4, 4, 3, 5, 3, 3, 4, 4, 3], {}),
        (
            "young_person",
            people["Amira"],
            2,
            10,
            [4, 4, 4, 3, 5, 5, 5, 4, 5, 4, 4],
            {"listening": "Sam actually listens now.", "involving": "I wrote half the plan."},
        ),
        (
            "parent",
            people["Samira"],
            2,
            9,
            [4, 5, 4, 4, 5, 5, 4, 4, 5, 4, 5],
            {"better": "We talk instead of shouting."},
        ),
        (
            "social_worker",
            "Dee Ahmed",
            2,
            8,
            [4, 4, 5, 5, 4, 5, 5, 4, 4, 5, 4],
            {"risks": "Clear, shared view of the exploitation risk."},
        ),
    ]
    for perspective, rater, review_round, days, scores, comments in given:
        row = feedback.record(
            session=session,
            case=case,
            by=sam,
            feedback_id=new_id(),
            perspective=perspective,
            rater_name=rater if isinstance(rater, str) else rater.name,
            rater_person_id=None if isinstance(rater, str) else rater.id,
            about_worker_id=case.key_worker_id,
            review_round=review_round,
            scores=dict(zip(themes, scores, strict=True)),
            comments=comments,
        )
        row.recorded_at = utcnow() - timedelta(days=days)
        row.given_in_family_mode = perspective != "social_worker"
