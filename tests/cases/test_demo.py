"""The demo's casework is consistent with each case's status, so a newcomer sees believable data."""

from __future__ import annotations

from sqlmodel import select

from app.cases.models import Case, CaseEvent, Consent, Contact, EligibilityDecision
from app.demo import load_demo


def test_demo_casework_matches_each_cases_status(db, settings):
    demo = load_demo(session=db, settings=settings)
    db.flush()
    cases = {c.id: c for c in db.exec(select(Case)).all()}
    contacts = db.exec(select(Contact)).all()
    assert len(contacts) > 50
    assert all(c.direct_minutes == 0 for c in contacts if not c.attended)
    assert any(not c.attended for c in contacts)
    logan = demo.cases["Logan"]
    assert logan.status == "referred" and not [c for c in contacts if c.case_id == logan.id]
    decided = set(db.exec(select(EligibilityDecision.case_id)).all())
    consented = set(db.exec(select(Consent.case_id).where(Consent.purpose == "work")).all())
    for case in cases.values():
        if case.status in ("active", "dormant", "closed"):
            assert case.id in decided and case.id in consented, case.reference
            assert case.first_contact_at is not None
    ellie = demo.cases["Ellie"]
    kinds = db.exec(select(CaseEvent.kind).where(CaseEvent.case_id == ellie.id)).all()
    assert "closed" in kinds and ellie.closure_reason == "aims_achieved"
    chloe = demo.cases["Chloe"]
    last_visit = max(c.occurred_on for c in contacts if c.case_id == chloe.id)
    assert (demo.today - last_visit).days >= 40


def test_demo_dormant_spells_sit_inside_the_case_and_no_visit_falls_in_one(db, settings):
    """Issue 18, defect 10: Tyler's dormant spell overlapped his referral and his active work."""
    from app.endings.models import DormantSpell
    from app.timeutil import LOCAL

    load_demo(session=db, settings=settings)
    db.flush()
    for spell in db.exec(select(DormantSpell)).all():
        case = db.get(Case, spell.case_id)
        assert case.opened_at < spell.started_at, case.reference
        if spell.ended_at is None:
            continue
        first, last = spell.started_at.astimezone(LOCAL).date(), spell.ended_at.astimezone(LOCAL).date()
        inside = db.exec(
            select(Contact).where(Contact.case_id == case.id, Contact.occurred_on > first, Contact.occurred_on < last)
        ).all()
        assert inside == [], case.reference
