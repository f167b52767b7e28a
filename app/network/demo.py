"""Demo network for Kayla (two meetings, tasks updated at the review) and a first meeting for Amira."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.cases.models import Person, new_id
from app.network import letters, service
from app.network.models import Circle
from app.network.service import AttendeeInput, MeetingInput, TaskInput, TaskProgress


def load(*, session: Session, demo) -> None:
    _kayla(session=session, demo=demo)
    _amira(session=session, demo=demo)


def _kayla(*, session: Session, demo) -> None:
    case = demo.cases["Kayla"]
    worker = demo.users["worker"]
    family = {p.name.split()[0]: p for p in demo.people["Kayla"]}
    # Kayla's network reaches beyond the household: her nan, her best friend's mum, a boxing coach.
    extra = [
        Person(
            case_id=case.id,
            name="Leanne Carter",
            relationship="Best friend's mum",
            knows_the_worries=True,
            phone="07700 900411",
        ),
        Person(
            case_id=case.id,
            name="Marcus Bell",
            relationship="Boxing coach",
            knows_the_worries=False,
            phone="07700 900412",
        ),
        Person(
            case_id=case.id,
            name="Aunty Shannon Morgan",
            relationship="Aunt",
            knows_the_worries=True,
            phone="07700 900413",
        ),
    ]
    session.add_all(extra)
    session.flush()
    facts = [
        (family["Donna"], Circle.household, True, "Home by 10pm rule; rings Pat if Kayla is late."),
        (family["Jordan"], Circle.household, False, ""),
        (
            family["Pat"],
            Circle.family,
            True,
            "Picks Kayla up from school on Tuesdays and Thursdays; Kayla can stay over any night.",
        ),
        (extra[0], Circle.friends, True, "Lift home from the youth club on Fridays."),
        (extra[1], Circle.friends, False, ""),
        (extra[2], Circle.family, True, "Sunday tea every week; someone Kayla can text."),
    ]
    for person, circle, agreed, how in facts:
        service.save_person_facts(
            session=session,
            case=case,
            person_id=person.id,
            circle=circle,
            agreed_to_help=agreed,
            how_they_help=how,
            base_version=None,
        )
    service.add_professional(
        session=session,
        case=case,
        member_id=new_id(),
        name="Ms Achebe",
        role="Head of Year 10, Northfield Academy",
        phone="01632 960123",
        agreed_to_help=True,
        how_they_help="Daily check-in at registration.",
    )

    first_day = demo.today - timedelta(days=42)
    t_school, t_curfew, t_phone, t_club = new_id(), new_id(), new_id(), new_id()
    first = MeetingInput(
        kind="network",
        held_on=first_day,
        venue="Nan's house, Elm Road",
        chair="Sam Okafor",
        young_person_attended=True,
        views_given="advocate",
        young_person_views="I want to stay at home with Mum and Jordan. I don't want people talking about me behind my back. Nan's is where I feel calm.",
        information_shared="Kayla has been missing overnight three times since September. School are worried about attendance (71%).",
        private_family_time=True,
        plan_agreed=True,
        worries="Kayla going missing at night and being with older young people we don't know.",
        working_well="Kayla and Nan are close. Donna always reports her missing straight away.",
        needs_to_happen="A plan the whole family sticks to for evenings and weekends.",
        next_meeting_on=demo.today,
        attendees=[
            AttendeeInput("Donna Morgan", "Mother", "present", family["Donna"].id),
            AttendeeInput("Pat Morgan", "Grandmother", "present", family["Pat"].id),
            AttendeeInput("Aunty Shannon Morgan", "Aunt", "present", extra[2].id),
            AttendeeInput("Leanne Carter", "Best friend's mum", "present", extra[0].id),
            AttendeeInput("Jordan Morgan", "Brother", "apologies", family["Jordan"].id),
            AttendeeInput("Ms Achebe", "Head of Year 10", "apologies"),
            AttendeeInput("Jo Rahman", "Advocate for Kayla", "present"),
        ],
        decisions=[
            (
                "Kayla stays at home, with Nan's as her safe place.",
                "Everyone, Kayla included, wants her to stay at home.",
            ),
            ("Home by 10pm on school nights.", "Most missing episodes began after 10pm."),
        ],
        tasks=[
            TaskInput(
                t_school,
                "Pick Kayla up from school on Tuesdays and Thursdays",
                "Pat Morgan",
                first_day + timedelta(days=14),
                "Donna Morgan",
            ),
            TaskInput(
                t_curfew,
                "Text Nan when Kayla is home by 10pm",
                "Donna Morgan",
                first_day + timedelta(days=7),
                "Pat Morgan",
                "Kayla is home by 10pm on school nights",
            ),
            TaskInput(
                t_phone,
                "Keep her phone charged and share her location",
                "Kayla Morgan",
                first_day + timedelta(days=7),
                "Donna Morgan",
            ),
            TaskInput(
                t_club,
                "Find a Friday youth club Kayla likes",
                "Sam Okafor",
                first_day + timedelta(days=21),
                "Pat Morgan",
            ),
        ],
        support=[
            ("Northfield Academy", "Daily check-in at registration", "agreed"),
            ("Youth service", "Place at the Friday youth club", "not_yet"),
        ],
        contingencies=[
            (
                "Kayla is not home by 10pm",
                "Donna rings her, then Nan; after 11pm Donna reports her missing to the police on 101.",
            ),
            ("Kayla goes missing", "Donna rings the police and Sam; Nan keeps her phone on."),
        ],
    )
    meeting, _ = service.create_meeting(
        session=session, case=case, by_user_id=worker.id, meeting_id=new_id(), data=first
    )
    service.finalise_meeting(session=session, meeting=meeting, base_version=meeting.version)
    detail = service.meeting_detail(session=session, meeting=meeting)
    helpers = service.network_map(session=session, case=case)[1]
    letters.save_letter(
        session=session,
        meeting=meeting,
        body=letters.draft_letter(case=case, detail=detail, helpers=helpers),
        base_version=None,
        finalise=True,
    )

    review = MeetingInput(
        kind="review",
        held_on=demo.today - timedelta(days=1),
        venue="Donna's house",
        chair="Sam Okafor",
        young_person_attended=True,
        views_given="in_person",
        young_person_views="It's better. I like boxing on Fridays more than the youth club. Mum trusts me more.",
        information_shared="No missing episodes in six weeks. Attendance up to 88%.",
        private_family_time=True,
        plan_agreed=True,
        worries="Weekends are still harder; some older lads have been messaging Kayla.",
        working_well="Kayla home on time every school night; Nan's Tuesdays and Thursdays working.",
        needs_to_happen="Keep the evening plan; add a weekend plan.",
        next_meeting_on=demo.today + timedelta(days=41),
        attendees=[
            AttendeeInput("Donna Morgan", "Mother", "present", family["Donna"].id),
            AttendeeInput("Pat Morgan", "Grandmother", "present", family["Pat"].id),
            AttendeeInput("Jordan Morgan", "Brother", "present", family["Jordan"].id),
            AttendeeInput("Aunty Shannon Morgan", "Aunt", "apologies", extra[2].id),
        ],
        decisions=[
            ("Boxing on Fridays instead of the youth club.", "Kayla chose it and Marcus will give her a lift home.")
        ],
        tasks=[
            TaskInput(
                new_id(),
                "Agree a weekend plan with Kayla",
                "Donna Morgan",
                demo.today + timedelta(days=14),
                "Sam Okafor",
            )
        ],
        contingencies=[
            (
                "Kayla gets messages from people she doesn't know",
                "She shows Mum or Nan, and Sam tells the police exploitation team.",
            )
        ],
        progress=[
            TaskProgress(t_school, "done", "Every week without fail."),
            TaskProgress(t_curfew, "done", "Home on time every school night."),
            TaskProgress(t_phone, "partly", "Location sharing on most nights."),
            TaskProgress(t_club, "dropped", "Kayla chose boxing instead."),
        ],
    )
    service.create_meeting(session=session, case=case, by_user_id=worker.id, meeting_id=new_id(), data=review)
    service.record_fgdm(
        session=session,
        case=case,
        record_id=new_id(),
        status="offered",
        on_date=first_day - timedelta(days=10),
        offered_to="Donna Morgan",
        reason="",
        decided_by="",
        by_user_id=worker.id,
    )
    service.record_fgdm(
        session=session,
        case=case,
        record_id=new_id(),
        status="accepted",
        on_date=first_day - timedelta(days=8),
        offered_to="Donna Morgan",
        reason="",
        decided_by="",
        by_user_id=worker.id,
    )
    service.record_fgdm(
        session=session,
        case=case,
        record_id=new_id(),
        status="held",
        on_date=first_day,
        offered_to="",
        reason="Held as the family network meeting.",
        decided_by="",
        by_user_id=worker.id,
    )


def _amira(*, session: Session, demo) -> None:
    case = demo.cases["Amira"]
    worker = demo.users["worker"]
    people = {p.name.split()[0]: p for p in demo.people["Amira"]}
    service.save_person_facts(
        session=session,
        case=case,
        person_id=people["Yusuf"].id,
        circle=Circle.family,
        agreed_to_help=True,
        how_they_help="Amira can stay with him at weekends.",
        base_version=None,
    )
    day = demo.today - timedelta(days=5)
    data = MeetingInput(
        kind="fgc",
        held_on=day,
        venue="Family centre",
        chair="Independent coordinator",
        young_person_attended=False,
        views_given="writing",
        young_person_views="I wrote that I want to see my uncle more.",
        plan_agreed=False,
        next_meeting_on=demo.today + timedelta(days=9),
        attendees=[
            AttendeeInput("Samira Hassan", "Mother", "present", people["Samira"].id),
            AttendeeInput("Yusuf Hassan", "Uncle", "present", people["Yusuf"].id),
        ],
        tasks=[
            TaskInput(
                new_id(),
                "Ask the housing officer about a bigger flat",
                "Samira Hassan",
                demo.today + timedelta(days=7),
                "Sam Okafor",
            )
        ],
    )
    service.create_meeting(session=session, case=case, by_user_id=worker.id, meeting_id=new_id(), data=data)
    service.record_fgdm(
        session=session,
        case=case,
        record_id=new_id(),
        status="offered",
        on_date=day - timedelta(days=14),
        offered_to="Samira Hassan",
        reason="",
        decided_by="",
        by_user_id=worker.id,
    )
