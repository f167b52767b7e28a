"""Demo endings: every worker holds a dormant case (Sophie's dormant review is due), Tyler came back
from dormancy without a referral, Ellie's ending is on record and her worker has asked to reopen her case (waiting in the review
queue), and `homeward tick` has run once.

Priya Shah (worker2) has no dormant case in the core demo, so Jade Robinson is added here with
the screening and casework a real dormant case would have.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import select

from app.base.demo.acting import _actor
from app.cases.models import Case, CaseEvent, Consent, Contact, EligibilityDecision, Person
from app.endings import reopen_requests, rules
from app.endings.models import DormantSpell, Ending, EndingTask, Reactivation, ReopenRequestVersion
from app.endings.scheduled import tick
from app.endings.service import PROMPTED_TASKS
from app.review.models import Submission, SubmissionStatus
from app.timeutil import LOCAL, utcnow


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LOCAL)


def _goals(*pairs) -> list[dict]:
    return [
        {"source": "worker", "ref": "", "goal": goal, "rating": rating, "evidence": evidence}
        for goal, rating, evidence in pairs
    ]


def _ending(
    case: Case, *, outcome: str, on: date, goals: list[dict], named: str, summary: str, views: str, **extra
) -> Ending:
    return Ending(
        case_id=case.id,
        outcome=outcome,
        goals=goals,
        agreed_on=on - timedelta(days=21),
        agreement_how="Talked through at home over two visits; the family chose the date.",
        taper="Visits went from weekly to fortnightly for the last month.",
        sustainability_plan="The family keep the safety plan on the fridge and call their named contact when things start to slip.",
        named_contact=named,
        family_summary=summary,
        young_person_views=views,
        outcome_summary="Living at home; attending school; no missing episodes in the last three months.",
        recorded_at=_at(on, 16),
        by_user_id=case.key_worker_id,
        **extra,
    )


def _jade(*, session, demo) -> Case:
    worker = demo.users["worker2"]
    opened = utcnow() - timedelta(days=420)
    case = Case(
        reference=f"HW-{opened.year}-0099",
        young_person_name="Jade Robinson",
        date_of_birth=date(demo.today.year - 16, 4, 9),
        status="dormant",
        practice_context="early_help",
        key_worker_id=worker.id,
        team_id=demo.team.id,
        referral_date=opened.date(),
        opened_at=opened,
        gender="female",
        ethnicity="white",
        referral_route="school",
        referrer_agency="Bankfield High School",
        referral_reason="Not attending school; arguments at home; staying out late.",
        first_contact_at=opened + timedelta(hours=20),
    )
    session.add(case)
    session.flush()
    jade = Person(
        case_id=case.id,
        name="Jade Robinson",
        relationship="Young person",
        is_young_person=True,
        in_household=True,
        knows_the_worries=True,
        date_of_birth=case.date_of_birth,
    )
    mum = Person(
        case_id=case.id,
        name="Nicola Robinson",
        relationship="Mother",
        in_household=True,
        knows_the_worries=True,
        phone="07700 900991",
    )
    session.add_all([jade, mum])
    session.flush()
    demo.cases["Jade"], demo.people["Jade"] = case, [jade, mum]
    screened = opened + timedelta(days=2)
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="referral",
            to_status="referred",
            rationale="Referral received.",
            occurred_at=opened,
            by_user_id=worker.id,
        )
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="screening_started",
            from_status="referred",
            to_status="screening",
            rationale="Screening started.",
            occurred_at=opened + timedelta(days=1),
            by_user_id=worker.id,
        )
    )
    session.add(
        EligibilityDecision(
            case_id=case.id,
            criteria_set="sefton",
            set_version="2",
            rule="a_or_b_plus_edge",
            ticked=["S-A5", "S-B1"],
            rule_met=True,
            eligible=True,
            decided_at=screened,
            by_user_id=worker.id,
        )
    )
    session.add(
        Consent(
            case_id=case.id,
            person_id=mum.id,
            purpose="work",
            how_given="signed",
            given_on=screened.date(),
            recorded_by_id=worker.id,
            recorded_at=screened,
        )
    )
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="activated",
            from_status="screening",
            to_status="active",
            rationale="Eligible and the family agreed to the work.",
            occurred_at=screened + timedelta(hours=2),
            by_user_id=worker.id,
        )
    )
    for weeks in range(1, 16, 2):
        on = (opened + timedelta(weeks=weeks)).astimezone(LOCAL).date()
        session.add(
            Contact(
                case_id=case.id,
                kind="visit",
                occurred_on=on,
                start_time=time(16, 0),
                duration_minutes=60,
                place="home",
                present=[jade.id, mum.id],
                young_person_seen=True,
                attended=True,
                direct_minutes=60,
                note="Worked on the family's plan for school mornings.",
                by_user_id=worker.id,
            )
        )
    return case


def _ellie_asks_again(*, session, demo, case: Case, now: datetime) -> None:
    """Ten days after closing, Ellie's mum rang Priya: the worries are back. Priya asked two days ago."""

    worker = session.get(type(demo.users["worker2"]), case.key_worker_id)
    request = reopen_requests.ask(
        session=session,
        case=case,
        by=_actor(worker),
        data=reopen_requests.RequestInput(
            asked_by="parent",
            urgency="soon",
            what_changed=(
                "Tracy rang on Monday: Ellie has missed college since half-term, stayed out two nights last week"
                " and came home with a new phone she will not explain."
            ),
            reason=(
                "The worries that brought us in are back and Tracy asked for Priya by name. Reopening keeps the"
                " history and the relationship; a new referral would start again with someone new."
            ),
        ),
    )
    asked = now - timedelta(days=2)
    request.created_at = asked
    session.add(request)
    for row in session.exec(select(ReopenRequestVersion).where(ReopenRequestVersion.request_id == request.id)).all():
        row.at = asked
        session.add(row)
    for row in session.exec(select(Submission).where(Submission.item_id == request.id)).all():
        row.submitted_at = asked
        session.add(row)


def load(*, session, demo) -> None:
    """Endings, dormant spells, a reactivation and the prompts they raise."""
    today = demo.today
    now = utcnow()
    for first, review_weeks in (("Chloe", 13), ("Sophie", 6)):
        case = demo.cases.get(first)
        if case is None or case.status != "dormant":
            continue
        began = now - timedelta(days=45)
        on = began.astimezone(LOCAL).date()
        ending = _ending(
            case,
            outcome="dormant",
            on=on,
            named=f"{demo.users['worker' if first == 'Chloe' else 'worker3'].full_name}, 0151 496 0000",
            goals=_goals(
                ("Back in school every day", "met", "Attendance 94% last half-term"),
                ("Fewer rows at home", "partly", "Mum says one big row a month, down from weekly"),
                ("Knows who to call when worried", "met", "Named three people on her safety circle"),
            ),
            summary="You have made real changes together. If things get hard, call us and we can pick up where we left off.",
            views="Wants a break from visits but likes knowing she can text.",
            dormant_review_on=on + timedelta(weeks=review_weeks),
        )
        if first == "Sophie":
            # Sophie's family moved in a hurry: the supervisor let the ending go without a
            # sustainability plan, so oversight shows that flag on the day the demo loads.
            ending.sustainability_plan = ""
            ending.missing = ["a sustainability plan"]
            ending.approved_by_id = demo.users["supervisor"].id
            ending.approval_reason = "The family moved at short notice; the plan is to be agreed by phone."
        ending.recorded_at = began
        session.add(ending)
        session.flush()
        # Sophie's worker chose a six-week review, so it is already due: the register shows it.
        session.add(
            DormantSpell(case_id=case.id, ending_id=ending.id, started_at=began, review_due_on=ending.dormant_review_on)
        )
        # Each ending was signed off by the supervisor, so the review history holds one to read.
        session.add(
            Submission(
                kind="ending",
                case_id=case.id,
                team_id=case.team_id,
                item_id=ending.id,
                version_id=ending.id,
                submitted_by_id=case.key_worker_id,
                submitted_at=began,
                status=SubmissionStatus.approved,
                decided_by_id=demo.users["supervisor"].id,
                decided_at=began + timedelta(days=1),
                rationale="A planned ending the family agreed; the sustainability plan is specific.",
            )
        )

    jade = _jade(session=session, demo=demo)
    began = now - timedelta(days=300)
    on = began.astimezone(LOCAL).date()
    ending = _ending(
        jade,
        outcome="dormant",
        on=on,
        named="Priya Shah, 0151 496 0001",
        goals=_goals(
            ("Jade at school at least four days a week", "met", "Four or five days every week since March"),
            ("Home by the agreed time", "met", "Mum's diary: late twice in eight weeks"),
        ),
        summary="Jade and Nicola, you found your own way through the mornings. We are here if you need us.",
        views="Jade said she feels listened to at home now.",
        dormant_review_on=on + timedelta(days=91),
    )
    ending.recorded_at = began
    session.add(ending)
    session.flush()
    session.add(
        CaseEvent(
            case_id=jade.id,
            kind="dormant",
            from_status="active",
            to_status="dormant",
            rationale="Goals met; Jade knows she can call.",
            occurred_at=began,
            by_user_id=jade.key_worker_id,
        )
    )
    session.add(
        CaseEvent(
            case_id=jade.id,
            kind="dormant_review",
            reason="stay",
            rationale="Rang Nicola: all well, stays dormant.",
            occurred_at=began + timedelta(days=92),
            by_user_id=jade.key_worker_id,
        )
    )
    session.add(
        DormantSpell(
            case_id=jade.id, ending_id=ending.id, started_at=began, review_due_on=today + timedelta(days=60), reviews=2
        )
    )

    tyler = demo.cases.get("Tyler")
    if tyler is not None and tyler.status == "active":
        # Tyler's earlier dormant spell: 64 days, then he rang his worker himself. No referral.
        went = now - timedelta(days=90)
        back_at = now - timedelta(days=26)
        session.add(
            CaseEvent(
                case_id=tyler.id,
                kind="dormant",
                from_status="active",
                to_status="dormant",
                rationale="Goals met for now.",
                occurred_at=went,
                by_user_id=tyler.key_worker_id,
            )
        )
        session.add(
            CaseEvent(
                case_id=tyler.id,
                kind="reactivated",
                from_status="dormant",
                to_status="active",
                rationale="Asked by young person; urgency soon. Tyler rang: excluded for a fight, rows at home.",
                occurred_at=back_at,
                by_user_id=tyler.key_worker_id,
            )
        )
        session.add(
            DormantSpell(
                case_id=tyler.id,
                started_at=went,
                review_due_on=rules.add_months(went.astimezone(LOCAL).date(), 3),
                ended_at=back_at,
                ended_how="reactivated",
            )
        )
        # No visits while he was dormant: the timeline must not show work inside the spell.
        for contact in session.exec(select(Contact).where(Contact.case_id == tyler.id)).all():
            if went.astimezone(LOCAL).date() <= contact.occurred_on <= back_at.astimezone(LOCAL).date():
                session.delete(contact)
        back = Reactivation(
            case_id=tyler.id,
            asked_by="young_person",
            what_changed="Excluded for a fight at school; rows at home again.",
            urgency="soon",
            days_dormant=64,
            reactivated_at=back_at,
            by_user_id=tyler.key_worker_id,
        )
        session.add(back)
        session.flush()
        session.add(
            Contact(
                case_id=tyler.id,
                kind="visit",
                occurred_on=(back_at + timedelta(hours=20)).astimezone(LOCAL).date(),
                start_time=time(16, 30),
                duration_minutes=60,
                place="home",
                attended=True,
                young_person_seen=True,
                direct_minutes=60,
                note="Visit the day after he rang.",
                by_user_id=tyler.key_worker_id,
            )
        )
        due = rules.add_working_days(back_at.astimezone(LOCAL).date(), 10)
        session.add(
            EndingTask(
                case_id=tyler.id,
                reactivation_id=back.id,
                what=PROMPTED_TASKS[0],
                due_on=due,
                done_at=back_at + timedelta(days=6),
                done_by_id=tyler.key_worker_id,
            )
        )
        session.add(EndingTask(case_id=tyler.id, reactivation_id=back.id, what=PROMPTED_TASKS[1], due_on=due))

    ellie = demo.cases.get("Ellie")
    if ellie is not None and ellie.status == "closed":
        on = (ellie.closed_at or now).astimezone(LOCAL).date()
        session.add(
            _ending(
                ellie,
                outcome="closed",
                on=on,
                named="Tracy's GP surgery family link worker",
                goals=_goals(
                    ("Safe at home", "met", "No police call-outs since January"),
                    ("Back in college", "met", "Enrolled and attending"),
                ),
                summary="Ellie and Tracy, the work is finished and you did it together.",
                views="Ellie said she is proud of herself.",
                closure_reason="aims_achieved",
            )
        )
        session.flush()
        _ellie_asks_again(session=session, demo=demo, case=ellie, now=now)
    session.flush()
    tick(session=session, now=now)
