"""Consent per person and purpose, withdrawal, and consent at a glance on the case page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import CaseEvent, Consent
from app.timeutil import LOCAL, local, today, utcnow
from tests.cases.factories import make_person, young_person
from tests.factories import login, make_case, make_user


def test_consent_recorded_per_person_and_purpose_and_shown_at_a_glance(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case, name="Donna Morgan")
    kayla = young_person(db, case)
    login(client, db, worker, settings)
    for person, purpose, how in ((kayla, "work", "signed"), (mother, "work", "verbal"), (mother, "sharing", "written")):
        data = {
            "person_id": person.id,
            "purpose": purpose,
            "how_given": how,
            "given_on": today().isoformat(),
            "agency": "School and GP" if purpose == "sharing" else "",
        }
        assert client.post(f"/cases/{case.id}/consent", data=data).status_code == 303
    rows = db.exec(select(Consent.person_id, Consent.purpose, Consent.how_given, Consent.recorded_by_id)).all()
    assert sorted(rows) == sorted(
        [
            (kayla.id, "work", "signed", worker.id),
            (mother.id, "work", "verbal", worker.id),
            (mother.id, "sharing", "written", worker.id),
        ]
    )
    page = client.get(f"/cases/{case.id}").text
    table = page[page.index('class="consent-table"') : page.index("</table>")]
    assert table.count("✓ Given") == 3 and table.count("Not recorded") == 5
    assert "Donna Morgan's consent: Sharing with named agencies" in table


def test_withdrawal_is_recorded_with_its_date_and_other_consent_stands(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    for person in (mother, young_person(db, case)):
        client.post(
            f"/cases/{case.id}/consent",
            data={"person_id": person.id, "purpose": "work", "how_given": "verbal", "given_on": today().isoformat()},
        )
    consent = db.exec(select(Consent).where(Consent.person_id == mother.id)).one()
    response = client.post(
        f"/cases/{case.id}/consent/{consent.id}/withdraw",
        data={"withdrawn_on": today().isoformat(), "note": "Does not want us involved"},
    )
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{case.id}#consent"
    db.expire_all()
    assert db.get(Consent, consent.id).withdrawn_on == today()
    page = client.get(f"/cases/{case.id}").text
    assert "✗ Withdrawn" in page and "Consent withdrawn" in page
    assert db.exec(select(AuditEntry.detail).where(AuditEntry.action == "withdraw")).one() == "purpose work"


def test_a_withdrawal_of_a_consent_already_withdrawn_is_refused_and_points_to_the_current_one(client, db, settings):
    from app.cases import consent as consent_service
    from tests.cases.factories import actor_for

    worker = make_user(db)
    case = make_case(db, worker=worker)
    mum = make_person(db, case)
    by = actor_for(worker)
    sharing = {"person": mum, "purpose": "sharing", "how_given": "verbal", "agency": "School"}
    first, _ = consent_service.record_consent(
        session=db, case=case, by=by, given_on=today() - timedelta(days=20), **sharing
    )
    withdrawn_on = today() - timedelta(days=10)
    consent_service.withdraw_consent(session=db, case=case, by=by, consent=first, withdrawn_on=withdrawn_on)
    again, _ = consent_service.record_consent(
        session=db, case=case, by=by, given_on=today() - timedelta(days=5), **sharing
    )
    login(client, db, worker, settings)
    # A page kept on the tablet before all that still names the first consent.
    kept = {"withdrawn_on": today().isoformat(), "note": "Mum no longer agrees to sharing"}
    response = client.post(f"/cases/{case.id}/consent/{first.id}/withdraw", data=kept)
    assert response.status_code == 422 and 'id="withdrawn_on-error"' in response.text
    assert f"This consent was already withdrawn on {withdrawn_on:%-d %b %Y}." in response.text
    assert f"Consent given again on {again.given_on:%-d %b %Y} is current" in response.text
    assert f'href="/cases/{case.id}/consent/{again.id}/withdraw"' in response.text
    db.expire_all()
    assert db.get(Consent, again.id).withdrawn_on is None
    assert db.get(Consent, first.id).withdrawn_on == withdrawn_on


def test_withdrawing_the_last_consent_to_the_work_prompts_closing_with_consent_withdrawn(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    client.post(
        f"/cases/{case.id}/consent",
        data={
            "person_id": young_person(db, case).id,
            "purpose": "work",
            "how_given": "verbal",
            "given_on": today().isoformat(),
        },
    )
    consent = db.exec(select(Consent)).one()
    response = client.post(
        f"/cases/{case.id}/consent/{consent.id}/withdraw", data={"withdrawn_on": today().isoformat()}
    )
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/cases/{case.id}/status?to=closed&reason=consent_withdrawn"
    )
    form = client.get(response.headers["location"]).text
    assert '<option value="consent_withdrawn" selected>Consent withdrawn</option>' in form
    assert 'id="to-closed" name="to" value="closed" checked' in form


def test_consent_dates_in_the_future_or_withdrawal_before_given_are_refused(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    kayla = young_person(db, case)
    login(client, db, worker, settings)
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/cases/{case.id}/consent",
        data={"person_id": kayla.id, "purpose": "work", "how_given": "verbal", "given_on": tomorrow},
    )
    assert response.status_code == 422 and 'id="given_on-error"' in response.text
    response = client.post(
        f"/cases/{case.id}/consent", data={"person_id": kayla.id, "purpose": "sharing", "how_given": "verbal"}
    )
    assert response.status_code == 422 and 'id="agency-error"' in response.text
    assert db.exec(select(Consent)).all() == []
    client.post(
        f"/cases/{case.id}/consent",
        data={"person_id": kayla.id, "purpose": "images", "how_given": "signed", "given_on": today().isoformat()},
    )
    consent = db.exec(select(Consent)).one()
    response = client.post(
        f"/cases/{case.id}/consent/{consent.id}/withdraw",
        data={"withdrawn_on": (today() - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 422 and "before it was given" in response.text
    db.expire_all()
    assert db.get(Consent, consent.id).withdrawn_on is None


def test_consent_for_someone_outside_the_case_is_refused(client, db, settings):
    worker = make_user(db)
    case, other = make_case(db, worker=worker), make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/consent",
        data={"person_id": young_person(db, other).id, "purpose": "work", "how_given": "verbal"},
    )
    assert response.status_code == 422
    assert db.exec(select(Consent)).all() == []


def test_consent_replayed_with_same_id_is_stored_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    data = {
        "id": str(uuid.uuid4()),
        "person_id": young_person(db, case).id,
        "purpose": "network_meeting",
        "how_given": "signed",
        "given_on": today().isoformat(),
    }
    assert client.post(f"/cases/{case.id}/consent", data=data).status_code == 303
    assert client.post(f"/cases/{case.id}/consent", data=data).status_code == 303
    assert [c.id for c in db.exec(select(Consent)).all()] == [data["id"]]


def test_consent_cannot_be_given_before_the_young_person_was_born(client, db, settings):
    from datetime import date

    worker = make_user(db)
    case = make_case(db, worker=worker, date_of_birth=date(2011, 5, 17))
    mother = make_person(db, case, name="Donna Morgan")
    login(client, db, worker, settings)
    one = client.post(
        f"/cases/{case.id}/consent",
        data={"person_id": mother.id, "purpose": "work", "how_given": "verbal", "given_on": "2010-01-04"},
    )
    assert one.status_code == 422 and 'id="given_on-error"' in one.text
    assert "before the young person was born, on 17 May 2011" in one.text
    grid = client.post(
        f"/cases/{case.id}/consent/all",
        data={f"give-{mother.id}-work": "on", "how_given": "verbal", "given_on": "2010-01-04"},
    )
    assert grid.status_code == 422 and "before the young person was born" in grid.text
    assert db.exec(select(Consent)).all() == []


def test_consent_dated_before_a_withdrawal_cannot_bring_it_back(client, db, settings):
    """An older page or an item that waited on a tablet, dated before the person withdrew, arrives
    after the withdrawal: refused beside the date, and the case still shows the withdrawal."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    given = (today() - timedelta(days=10)).isoformat()
    grid = {"id": str(uuid.uuid4()), f"give-{mother.id}-work": "1", "how_given": "verbal", "given_on": given}
    assert client.post(f"/cases/{case.id}/consent/all", data=grid).status_code == 303
    consent = db.exec(select(Consent).where(Consent.person_id == mother.id)).one()
    withdraw = {"withdrawn_on": (today() - timedelta(days=2)).isoformat(), "note": "Does not want us involved"}
    assert client.post(f"/cases/{case.id}/consent/{consent.id}/withdraw", data=withdraw).status_code == 303

    earlier = (today() - timedelta(days=5)).isoformat()
    older_grid = client.post(
        f"/cases/{case.id}/consent/all", data={**grid, "id": str(uuid.uuid4()), "given_on": earlier}
    )
    older_form = client.post(
        f"/cases/{case.id}/consent",
        data={
            "id": str(uuid.uuid4()),
            "person_id": mother.id,
            "purpose": "work",
            "how_given": "verbal",
            "given_on": earlier,
        },
    )

    for response in (older_grid, older_form):
        assert response.status_code == 422
        assert f"{mother.name} withdrew this consent on" in response.text
    db.expire_all()
    assert len(db.exec(select(Consent).where(Consent.person_id == mother.id)).all()) == 1
    assert "✗ Withdrawn" in client.get(f"/cases/{case.id}").text
    # Agreeing again since is recorded with its own, later day.
    again = {**grid, "id": str(uuid.uuid4()), "given_on": today().isoformat()}
    assert client.post(f"/cases/{case.id}/consent/all", data=again).status_code == 303
    db.expire_all()
    assert (
        len(db.exec(select(Consent).where(Consent.person_id == mother.id, Consent.withdrawn_on.is_(None))).all()) == 1
    )


def test_the_one_person_form_does_not_make_a_second_current_consent(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    for _ in range(2):  # two items from the old form, each with its own id
        data = {"id": str(uuid.uuid4()), "person_id": mother.id, "purpose": "work", "how_given": "verbal"}
        assert (
            client.post(f"/cases/{case.id}/consent", data={**data, "given_on": today().isoformat()}).status_code == 303
        )
    db.expire_all()
    assert len(db.exec(select(Consent).where(Consent.person_id == mother.id)).all()) == 1


def _stamp(minutes_ago: int) -> str:
    """A device stamp earlier today, in the order the minutes give; just after midnight, when that
    many minutes back is yesterday, as many milliseconds after the day began instead."""
    at = utcnow() - timedelta(minutes=minutes_ago)
    day_began = datetime.combine(today(), time(0), LOCAL).astimezone(UTC)
    return (at if at >= day_began else day_began + timedelta(milliseconds=60 - minutes_ago)).isoformat()


def test_consent_given_again_in_the_same_visit_after_a_withdrawal_is_recorded_after_it(client, db, settings):
    """The parent withdraws consent and changes their mind later in the same visit: the worker
    records both, and the case shows consent given, with the withdrawal before it. A same-day
    consent made before the withdrawal (kept on a tablet) or without a device stamp is still refused."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    grid = {"id": str(uuid.uuid4()), f"give-{mother.id}-sharing": "1", "how_given": "verbal", "agency": "School"}
    first = {**grid, "given_on": (today() - timedelta(days=10)).isoformat(), "recorded_at": _stamp(60)}
    assert client.post(f"/cases/{case.id}/consent/all", data=first).status_code == 303
    consent = db.exec(select(Consent).where(Consent.person_id == mother.id)).one()
    withdraw = {"withdrawn_on": today().isoformat(), "note": "Not the school", "recorded_at": _stamp(30)}
    assert client.post(f"/cases/{case.id}/consent/{consent.id}/withdraw", data=withdraw).status_code == 303

    same_day = {**grid, "given_on": today().isoformat()}
    made_before = client.post(
        f"/cases/{case.id}/consent/all", data={**same_day, "id": str(uuid.uuid4()), "recorded_at": _stamp(45)}
    )
    unstamped = client.post(f"/cases/{case.id}/consent/all", data={**same_day, "id": str(uuid.uuid4())})
    for response in (made_before, unstamped):
        assert response.status_code == 422
        assert f"{mother.name} withdrew this consent on" in response.text

    again = client.post(
        f"/cases/{case.id}/consent/all", data={**same_day, "id": str(uuid.uuid4()), "recorded_at": _stamp(10)}
    )
    assert again.status_code == 303
    db.expire_all()
    rows = db.exec(select(Consent).where(Consent.person_id == mother.id)).all()
    assert sorted((c.given_on, c.withdrawn_on) for c in rows) == [
        (today() - timedelta(days=10), today()),
        (today(), None),
    ]
    events = db.exec(
        select(CaseEvent.kind, CaseEvent.occurred_at)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(("consent_given", "consent_withdrawn")))
        .order_by(CaseEvent.recorded_at)
    ).all()
    assert [kind for kind, _ in events] == ["consent_given", "consent_withdrawn", "consent_given"]
    assert events[1][1] < events[2][1]  # the timeline reads the withdrawal, then consent given again
    assert "✓ Given" in client.get(f"/cases/{case.id}").text


def _withdrawn_mother(client, db, settings, *, withdrawn_on, recorded_at):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    mother = make_person(db, case)
    login(client, db, worker, settings)
    grid = {"id": str(uuid.uuid4()), f"give-{mother.id}-sharing": "1", "how_given": "verbal", "agency": "School"}
    assert (
        client.post(
            f"/cases/{case.id}/consent/all", data={**grid, "given_on": (today() - timedelta(days=20)).isoformat()}
        ).status_code
        == 303
    )
    consent = db.exec(select(Consent).where(Consent.person_id == mother.id)).one()
    withdraw = {"withdrawn_on": withdrawn_on.isoformat(), "note": "Phoned", "recorded_at": recorded_at}
    assert client.post(f"/cases/{case.id}/consent/{consent.id}/withdraw", data=withdraw).status_code == 303
    return case, mother, grid


def test_a_consent_typed_up_later_for_the_day_of_a_withdrawal_recorded_later_still_is_refused(client, db, settings):
    """Mum withdrew on Monday, recorded on Tuesday; on Wednesday a consent from Monday's visit is
    typed up. Neither stamp is from Monday, so nothing says the consent came after: refused."""
    monday = today() - timedelta(days=2)
    tuesday_stamp = (utcnow() - timedelta(days=1)).isoformat()
    case, mother, grid = _withdrawn_mother(client, db, settings, withdrawn_on=monday, recorded_at=tuesday_stamp)
    typed = {**grid, "id": str(uuid.uuid4()), "given_on": monday.isoformat(), "recorded_at": _stamp(0)}
    response = client.post(f"/cases/{case.id}/consent/all", data=typed)
    assert response.status_code == 422 and f"{mother.name} withdrew this consent on" in response.text
    db.expire_all()
    assert [c.withdrawn_on for c in db.exec(select(Consent).where(Consent.person_id == mother.id))] == [monday]


def test_a_withdrawal_from_a_tablet_clock_years_behind_does_not_let_an_earlier_consent_back(client, db, settings):
    case, mother, grid = _withdrawn_mother(
        client, db, settings, withdrawn_on=today(), recorded_at="2020-01-01T10:00:00.000Z"
    )
    made_before = {**grid, "id": str(uuid.uuid4()), "given_on": today().isoformat(), "recorded_at": _stamp(1)}
    response = client.post(f"/cases/{case.id}/consent/all", data=made_before)
    assert response.status_code == 422 and f"{mother.name} withdrew this consent on" in response.text
    withdrawn = db.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "consent_withdrawn")
    ).one()
    assert local(withdrawn.occurred_at).date() == today()


def test_the_one_person_consent_form_carries_the_devices_stamp_so_a_change_of_mind_is_recorded(client, db, settings):
    case, mother, _ = _withdrawn_mother(client, db, settings, withdrawn_on=today(), recorded_at=_stamp(5))
    one = {
        "id": str(uuid.uuid4()),
        "person_id": mother.id,
        "purpose": "sharing",
        "how_given": "verbal",
        "agency": "School",
        "given_on": today().isoformat(),
    }
    unstamped = client.post(f"/cases/{case.id}/consent", data=one)  # a page kept from before: no stamp
    assert unstamped.status_code == 422 and f"{mother.name} withdrew this consent on" in unstamped.text
    assert "data-stamp" in re.search(r"<form [^>]*/consent\"[^>]*>", unstamped.text).group(0)
    assert '<input type="hidden" name="recorded_at" value="">' in unstamped.text
    assert client.post(f"/cases/{case.id}/consent", data={**one, "recorded_at": _stamp(1)}).status_code == 303
    assert "✓ Given" in client.get(f"/cases/{case.id}").text


def test_a_consent_from_a_tablet_clock_running_fast_does_not_come_after_a_withdrawal(client, db, settings):
    """A tablet three hours fast takes consent before the withdrawal recorded on a laptop; synced
    after it, its stamp is in the future, so nothing says it came after: refused, not "✓ Given"."""
    case, mother, grid = _withdrawn_mother(client, db, settings, withdrawn_on=today(), recorded_at=_stamp(1))
    fast = (utcnow() + timedelta(hours=3)).isoformat()
    response = client.post(
        f"/cases/{case.id}/consent/all",
        data={**grid, "id": str(uuid.uuid4()), "given_on": today().isoformat(), "recorded_at": fast},
    )
    assert response.status_code == 422 and f"{mother.name} withdrew this consent on" in response.text
    assert "✓ Given" not in client.get(f"/cases/{case.id}").text
