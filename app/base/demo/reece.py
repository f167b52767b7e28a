"""Reece's demo assessment, still a draft: the family's engagement (one entry taken out, with the
reason, after going under the wrong name), resilience under way and a first step agreed."""

from __future__ import annotations

from sqlmodel import Session

from app.base import service
from app.base.demo.acting import _actor, _backdate, _engage, _people
from app.cases.models import new_id


def _reece(*, session: Session, demo) -> None:
    case = demo.cases["Reece"]
    priya = _actor(demo.users["worker2"])
    people = _people(demo, "Reece")
    version = service.start(session=session, case=case, by=priya, version_id=new_id())
    _engage(
        session,
        version,
        priya,
        people["Reece"],
        expectations="Does not see why he needs a worker.",
        aspirations="Get back on the football team.",
        motivation=2,
        motivation_evidence="Agreed to meet but only at the leisure centre.",
        capacity=4,
        involvement="Short sessions, walking not sitting.",
    )
    # Dev's views first went under Anita's name by mistake: taken out with the reason, and still
    # shown as removed, so the record says what was entered and why it does not count.
    mistaken = _engage(
        session,
        version,
        priya,
        people["Anita"],
        expectations="Wants the school to take responsibility.",
        motivation=2,
        capacity=3,
    )
    service.remove_engagement(
        session=session,
        version=version,
        by=priya,
        item_id=mistaken,
        reason="Dev's views, entered under Anita's name by mistake; entered again under Dev.",
        revision=0,
    )
    _engage(
        session,
        version,
        priya,
        people["Anita"],
        expectations="Someone to get through to him.",
        aspirations="Reece back in school full time.",
        motivation=4,
        capacity=3,
    )
    _engage(
        session,
        version,
        priya,
        people["Dev"],
        expectations="Wants the school to take responsibility.",
        aspirations="",
        motivation=2,
        motivation_evidence="Has cancelled two joint visits.",
        capacity=3,
    )
    service.set_stage_done(session=session, version=version, by=priya, stage="engagement", done=True)
    service.save_resilience(
        session=session,
        version=version,
        by=priya,
        marks={
            "hobby": {
                "mark": "strength",
                "decided_by": "family_with_worker",
                "notes": "Football, though suspended from the team.",
            },
            "goes_to_school": {"mark": "vulnerability", "decided_by": "worker", "notes": "On a reduced timetable."},
            "sibling_bond": {"mark": "strength", "decided_by": "family", "notes": ""},
        },
    )
    # One first step agreed with Reece already, so the draft's plan has a step to edit (offline too).
    service.save_step(
        session=session,
        version=version,
        by=priya,
        item_id=new_id(),
        fields={
            "what": "Meet at the leisure centre every Thursday",
            "who": "Priya and Reece",
            "by_when": None,
            "how_we_know": "",
            "outcome": "Reece has a say in his plan",
            "risk_ids": [],
            "done": False,
        },
    )
    # Reece's assessment stays a draft: resilience is under way, risk not started.
    _backdate(version, days=20)
