"""Demo supervision: items waiting (some for a while), one returned with comments, notes, ratings,
and cases that raise each oversight flag whose data exists (issue 10)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.base import service as base_service
from app.base.demo.acting import _actor
from app.base.models import BaseVersion
from app.cases.eligibility import criteria_set
from app.cases.models import Case, CaseEvent, Consent, Contact, EligibilityDecision, Person, new_id
from app.endings import service as endings_service
from app.features import flag_rules
from app.network.models import NetworkMeeting
from app.review import rules, service
from app.review.models import FlagWeek, Submission, SubmissionStatus
from app.signs_of_safety import service as sos
from app.signs_of_safety.models import Category, MapVersion
from app.signs_of_safety.service import ItemFields
from app.timeutil import utcnow


def load(*, session: Session, demo) -> None:
    now = utcnow()
    worker, worker2, worker3, supervisor = (demo.users[k] for k in ("worker", "worker2", "worker3", "supervisor"))

    # Map versions submitted by the Signs of Safety demo are already in the queue; give them the
    # age of their version, approve all but the newest of each case, and return one.
    submissions = list(
        session.exec(
            select(Submission)
            .where(Submission.kind.in_(["sos_map", "base_assessment"]))
            .order_by(Submission.kind, Submission.item_id, Submission.version_number)
        ).all()
    )
    newest: dict[tuple[str, str], Submission] = {}
    for submission in submissions:
        version = session.get(MapVersion if submission.kind == "sos_map" else BaseVersion, submission.version_id)
        if version is not None and version.submitted_at is not None:
            submission.submitted_at = version.submitted_at
        previous = newest.get((submission.kind, submission.item_id))
        if previous is not None:
            _decide(previous, SubmissionStatus.approved, supervisor, "Clear and agreed with the family.", now)
        newest[(submission.kind, submission.item_id)] = submission
    latest = sorted((s for s in newest.values() if s.kind == "sos_map"), key=lambda s: s.submitted_at)
    if latest:
        returned = latest[0]
        _decide(
            returned,
            SubmissionStatus.returned,
            supervisor,
            "The worries need the family's own words before I can sign this off.",
            returned.submitted_at + timedelta(days=1),
        )
        session.add(returned)
        session.flush()
        service.add_comment(
            session=session,
            submission=returned,
            section="Worries and goals",
            text="Whose words are these? Add what Donna said about the nights Kayla is out.",
            by=supervisor,
        )
        service.add_comment(
            session=session,
            submission=returned,
            section="",
            text="Good strengths section; the next steps are specific.",
            by=supervisor,
        )
        service.notify(
            session=session,
            user_id=returned.submitted_by_id,
            text="Signs of Safety map returned to you",
            url=f"/review/{returned.id}",
            about=service.item_about(returned.kind, returned.item_id),
        )

    # A first map for Tyler, submitted yesterday: a third item in the queue.
    _map_sent(
        session,
        demo.cases["Tyler"],
        worker,
        [
            (Category.harm, "Tyler was found by police in the town centre at 2am on a school night."),
            (Category.strength, "Tyler and his mum cook tea together on Sundays."),
            (Category.next_step, "Meet Tyler's head of year about the missed mornings."),
        ],
        sent_at=now - timedelta(days=1),
    )

    # Final network meeting notes waiting ten days: over five working days, so flagged.
    for meeting in session.exec(select(NetworkMeeting).where(NetworkMeeting.finalised_at.is_not(None))).all():
        case = next((c for c in demo.cases.values() if c.id == meeting.case_id), None)
        if case is None:
            continue
        item = service.submit_item(
            session=session,
            kind="network_meeting",
            case=case,
            item_id=meeting.id,
            version_id=meeting.id,
            version_number=1,
            by=worker,
        )
        item.submitted_at = now - timedelta(days=10)
        session.add(item)

    # Cases raising each flag. Every core demo case has been seen lately, so two cases of our own
    # show a family that has stopped answering the door and a dormant case due its check.
    reece, mia = demo.cases["Reece"], demo.cases["Mia"]
    reece.next_review_on = demo.today - timedelta(days=4)  # review overdue
    mia.opened_at = now - timedelta(days=200)  # longer than the planned 26 weeks
    mia.first_contact_at = mia.opened_at + timedelta(hours=5)
    session.add_all([reece, mia])
    jade = _case(session, demo, "Jade", "Wilson", "active", worker3, now - timedelta(days=60), 101)
    session.add(_seen_alone(demo, jade, worker3, 17))
    for days in (13, 9, 5):  # three visits missed in a row, and no contact for over 14 days
        session.add(
            Contact(
                case_id=jade.id,
                kind="visit",
                occurred_on=demo.today - timedelta(days=days),
                attended=False,
                note="No answer at the door.",
                by_user_id=worker3.id,
            )
        )
    # Leon is seen every week, but always with his dad in the room: nothing in his own words for
    # ten weeks (no seen-alone visit, no rating of his own, no three houses), so "voice not recorded".
    leon = _case(session, demo, "Leon", "Price", "active", worker2, now - timedelta(days=70), 102)
    for days in (63, 49, 35, 21, 7):
        session.add(
            Contact(
                case_id=leon.id,
                kind="visit",
                occurred_on=demo.today - timedelta(days=days),
                attended=True,
                young_person_seen=True,
                seen_alone=False,
                duration_minutes=60,
                direct_minutes=50,
                note="Dad stayed in the room throughout.",
                by_user_id=worker2.id,
            )
        )
    service.add_case_note(
        session=session,
        case=leon,
        text="Leon is never seen without his dad. Plan a visit at school.",
        decision="See Leon alone at school next week.",
        rationale="Nothing is recorded in his own words.",
        by=supervisor,
    )
    # Ruby's ending waits for the supervisor's approval: the case is still active until it is
    # approved (issue 19, approval first), and the queue holds it beside the maps.
    ruby = _case(session, demo, "Ruby", "Hughes", "active", worker2, now - timedelta(days=150), 103)
    session.add(_seen_alone(demo, ruby, worker2, 3, note="Last planned visit; Ruby showed her college offer."))
    service.add_case_note(
        session=session,
        case=ruby,
        text="Ready to end: college place, no missing episodes since the summer.",
        decision="End active work to dormant after the last visit.",
        rationale="The goals are met and the family agree.",
        by=supervisor,
    )
    session.flush()
    endings_service.end_active_work(
        session=session,
        case=ruby,
        by=_actor(worker2),
        approval_first=True,
        data=endings_service.EndingInput(
            outcome="dormant",
            goals=[
                {
                    "source": "worker",
                    "ref": "",
                    "goal": "Ruby home by ten on school nights",
                    "rating": "met",
                    "evidence": "No late returns since September",
                },
                {
                    "source": "worker",
                    "ref": "",
                    "goal": "A college place for next year",
                    "rating": "met",
                    "evidence": "Offer from Hugh Baird College",
                },
            ],
            agreed_on=demo.today - timedelta(days=10),
            agreement_how="Agreed with Ruby and her mum over two visits; they chose the date.",
            sustainability_plan="Mum and Ruby keep the house rules on the fridge; Aunt Carol is who they ring first.",
            named_contact="Aunt Carol Hughes, 0151 000 0103",
            family_summary="You set the house rules together and kept to them. Ring us if things slip.",
            young_person_views="Ruby says she is ready and knows how to get back in touch.",
            outcome_summary="Living at home; home on time; a college place for September.",
            dormant_review_on=demo.today + timedelta(days=90),
        ),
    )
    # Dormant reviews due come from the endings demo (Sophie's), through the dormant register.
    session.flush()

    # Grace left the team last week: her account is disabled and Zara's case waits for Helen to
    # reallocate it, so oversight counts it on its "Others" line and flags it.
    grace = User(
        email="grace.lowe@example.org",
        full_name="Grace Lowe",
        role=Role.worker,
        team_id=demo.team.id,
        password_hash=worker.password_hash,
        is_active=False,
    )
    session.add(grace)
    session.flush()
    zara = _case(session, demo, "Zara", "Ahmed", "active", grace, now - timedelta(days=45), 104)
    session.add(
        _seen_alone(
            demo, zara, grace, 8, note="Grace's last visit before leaving: Zara knows someone new will be in touch."
        )
    )
    session.flush()

    # Helen key-works one case herself (a young person she knew from an earlier referral). Nobody
    # reviews their own work, and she is the team's only supervisor, so the map she sent waits for
    # the service manager: David decides it (review queue, "Sent by a team's supervisor").
    kai = _case(session, demo, "Kai", "Baxter", "active", supervisor, now - timedelta(days=40), 105)
    _map_sent(
        session,
        kai,
        supervisor,
        [
            (Category.harm, "Kai has been missing overnight twice since September, once found in Liverpool."),
            (Category.strength, "Kai phones his older sister when he is out late and she collects him."),
            (Category.next_step, "Kai and his sister agree a code word for 'come and get me'."),
        ],
        sent_at=now - timedelta(days=2),
    )
    session.add(
        _seen_alone(
            demo,
            kai,
            supervisor,
            4,
            note="Mapped the worries and strengths with Kai and his sister.",
            direct_minutes=55,
        )
    )
    session.flush()

    # Callum's BASE assessment went straight to risk, skipping engagement and resilience.

    callum = demo.cases["Callum"]
    actor = _actor(worker3)
    draft = base_service.start(session=session, case=callum, by=actor, version_id=new_id())
    base_service.save_risk(
        session=session,
        version=draft,
        by=actor,
        item_id=new_id(),
        risk=base_service.RiskInput(hazard="Carrying a knife for protection", likelihood=3, imminence=3, impact=4),
    )
    session.flush()

    kayla = demo.cases["Kayla"]
    service.add_case_note(
        session=session,
        case=kayla,
        text="Talked through the missing episodes since the network meeting and Nan's role.",
        decision="Keep twice-weekly visits until the end of term.",
        rationale="Two late returns in a fortnight; the safety plan is new.",
        by=supervisor,
    )
    service.add_reflective_note(
        session=session,
        worker=worker,
        text="Sam noticed how much of the Morgan family's worry he is carrying home. Agreed to bring it to the Learning Circle.",
        by=supervisor,
    )
    for area, self_level, sup_level in [
        ("secure_base", "competent", "competent"),
        ("resilience", "competent", "basic"),
        ("risk", "basic", "basic"),
        ("analysis", "basic", "competent"),
    ]:
        service.rate_competency(session=session, worker=worker, area=area, level=self_level, by=worker)
        service.rate_competency(session=session, worker=worker, area=area, level=sup_level, by=supervisor)
    service.rate_competency(session=session, worker=worker2, area="risk", level="advanced", by=worker2)
    service.rate_competency(session=session, worker=worker2, area="risk", level="competent", by=supervisor)

    # Eleven past weeks of flag counts, as `homeward tick` would have kept them, so the 12-week
    # trend on team oversight has a shape: contact slipped in the autumn and is recovering.
    this_week = rules.week_start(demo.today)
    for n, rule in enumerate(flag_rules()):
        for weeks_ago in range(1, 12):
            wobble = (weeks_ago + n) % 3
            count = max(0, (2 if n % 2 else 1) + wobble - (1 if weeks_ago < 4 else 0))
            session.add(
                FlagWeek(
                    week_start=this_week - timedelta(weeks=weeks_ago),
                    team_id=demo.team.id,
                    flag_key=rule.key,
                    count=count,
                )
            )
    session.flush()


def _map_sent(session: Session, case: Case, by, items: list[tuple[Category, str]], *, sent_at) -> None:
    """A first map for `case` with `items`, sent for review by `by` at `sent_at`."""
    for category, text in items:
        sos.add_item(
            session=session,
            case=case,
            item_id=new_id(),
            base_version=0 if sos.latest_version(session=session, case=case) is None else 1,
            category=category,
            fields=ItemFields(text=text, by_key_worker=True),
            by=by,
        )
    draft = sos.latest_version(session=session, case=case)
    sos.submit(session=session, map_version=draft, by=by)
    for item in session.exec(select(Submission).where(Submission.version_id == draft.id)).all():
        item.submitted_at = sent_at
        session.add(item)


def _seen_alone(demo, case: Case, by, days_ago: int, *, note: str = "", direct_minutes: int = 60) -> Contact:
    """An hour's home visit `days_ago`, the young person seen alone."""
    return Contact(
        case_id=case.id,
        kind="visit",
        occurred_on=demo.today - timedelta(days=days_ago),
        attended=True,
        young_person_seen=True,
        seen_alone=True,
        duration_minutes=60,
        direct_minutes=direct_minutes,
        note=note,
        by_user_id=by.id,
    )


def _decide(submission: Submission, status: SubmissionStatus, by, rationale: str, at) -> None:
    submission.status = status
    submission.decided_by_id = by.id
    submission.decided_at = at
    submission.rationale = rationale


def _case(session: Session, demo, first: str, surname: str, status: str, worker, opened, number: int) -> Case:
    case = Case(
        reference=f"HW-{opened.year}-{number:04d}",
        young_person_name=f"{first} {surname}",
        status=status,
        practice_context="early_help",
        key_worker_id=worker.id,
        team_id=demo.team.id,
        referral_date=opened.date(),
        opened_at=opened,
        first_contact_at=opened + timedelta(hours=6),
        date_of_birth=date(demo.today.year - 15, 4, 2),
        next_review_on=demo.today + timedelta(days=10) if status == "active" else None,
    )
    session.add(case)
    session.flush()
    criteria = criteria_set("sefton")
    young = Person(
        case_id=case.id,
        name=case.young_person_name,
        relationship="Young person",
        is_young_person=True,
        in_household=True,
    )
    session.add(young)
    session.flush()
    session.add(
        EligibilityDecision(
            case_id=case.id,
            criteria_set=criteria.key,
            set_version=criteria.version,
            rule=criteria.rule,
            ticked=["S-A5", "S-B1"],
            age_in_range=True,
            rule_met=True,
            eligible=True,
            decided_at=opened + timedelta(days=1),
            by_user_id=worker.id,
        )
    )
    session.add(
        Consent(
            case_id=case.id,
            person_id=young.id,
            purpose="work",
            how_given="verbal",
            given_on=(opened + timedelta(days=2)).date(),
            recorded_by_id=worker.id,
        )
    )
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
    demo.cases[first] = case
    return case
