"""Education (with attendance) and missing episodes on the case, with history, beside where the
young person lives (issue 18): the one place the outcome records read them from."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import EducationStatus, MissingEpisode
from app.core import codes
from app.outcomes import models as outcome_models
from app.timeutil import today
from tests.factories import login, make_case, make_user


def _ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def test_education_is_kept_with_its_history_in_the_outcome_codes(client, db, settings):
    assert outcome_models.EDUCATION is codes.EDUCATION  # one code list, shared, not a copy
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    first = {"education": "full_time", "attendance_percent": "91", "education_since": _ago(300)}
    then = {"education": "excluded", "attendance_percent": "", "education_since": _ago(12)}
    assert client.post(f"/cases/{case.id}/education", data=first).status_code == 303
    assert client.post(f"/cases/{case.id}/education", data=then).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Excluded</strong>, since" in page
    assert "Full-time education, attendance 91%, from" in page
    assert len(db.exec(select(AuditEntry).where(AuditEntry.object_type == "education_status")).all()) == 2


def test_bad_education_input_is_refused_beside_its_field_and_the_other_forms_start_fresh(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    bad = {"education": "", "attendance_percent": "140", "education_since": (today() + timedelta(days=1)).isoformat()}
    refused = client.post(f"/cases/{case.id}/education", data=bad)
    assert refused.status_code == 422
    for name in ("education", "attendance_percent", "education_since"):
        assert f'id="{name}-error"' in refused.text, name
    assert 'value="140"' in refused.text  # what was typed is kept
    assert 'id="living-error"' not in refused.text and 'id="went_missing_on-error"' not in refused.text
    assert db.exec(select(EducationStatus)).all() == []


def test_missing_episodes_are_listed_and_a_return_before_the_day_missing_is_refused(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    refused = client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(3), "returned_on": _ago(5)})
    assert refused.status_code == 422 and 'id="returned_on-error"' in refused.text
    assert (
        client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(9), "returned_on": _ago(8)}).status_code
        == 303
    )
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(1)}).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "not back yet" in page and page.index("not back yet") < page.index(", back ")  # newest first
    audits = db.exec(select(AuditEntry).where(AuditEntry.object_type == "missing_episode")).all()
    assert len(audits) == 2 and all(a.case_id == case.id and a.action == "create" for a in audits)


def test_an_offline_replay_of_the_same_item_is_stored_once(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    item = {"id": str(uuid.uuid4()), "went_missing_on": _ago(2)}
    education = {"id": str(uuid.uuid4()), "education": "neet", "education_since": _ago(2)}
    for _ in range(2):
        assert client.post(f"/cases/{case.id}/missing", data=item).status_code == 303
        assert client.post(f"/cases/{case.id}/education", data=education).status_code == 303
    assert [m.id for m in db.exec(select(MissingEpisode)).all()] == [item["id"]]
    assert [e.id for e in db.exec(select(EducationStatus)).all()] == [education["id"]]


def test_only_those_who_may_change_the_case_record_them(client, db, settings):
    worker = make_user(db)
    stranger = make_user(db, full_name="Not On This Case")
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, stranger, settings)
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(1)}).status_code in (403, 404)
    data = {"education": "neet", "education_since": _ago(1)}
    assert client.post(f"/cases/{case.id}/education", data=data).status_code in (403, 404)
    assert db.exec(select(MissingEpisode)).all() == [] and db.exec(select(EducationStatus)).all() == []


def test_where_they_live_and_their_education_cannot_start_before_the_young_person_was_born(client, db, settings):
    """It feeds the outcome records' baseline: a history from 1950 is refused beside its date."""
    from datetime import date

    worker = make_user(db)
    case = make_case(db, worker=worker, date_of_birth=date(2011, 5, 17))
    db.commit()
    login(client, db, worker, settings)
    living = client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": "1950-01-01"})
    assert living.status_code == 422 and "before the young person was born, on 17 May 2011" in living.text
    school = client.post(
        f"/cases/{case.id}/education", data={"education": "full_time", "education_since": "2000-09-01"}
    )
    assert school.status_code == 422 and "before the young person was born" in school.text
    missing = client.post(f"/cases/{case.id}/missing", data={"went_missing_on": "2009-03-01"})
    assert missing.status_code == 422 and "before the young person was born" in missing.text
    assert (
        client.post(f"/cases/{case.id}/living", data={"living": "with_parents", "since": "2011-05-17"}).status_code
        == 303
    )


def test_the_day_they_came_back_ends_the_open_episode_and_it_is_counted_once(client, db, settings):
    from app.cases import living

    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=60))
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(5)}).status_code == 303
    episode = db.exec(select(MissingEpisode)).one()
    page = client.get(f"/cases/{case.id}/living").text
    assert f'name="episode_id" value="{episode.id}"' in page and "The day they came back" in page
    before = {"episode_id": episode.id, "came_back_on": _ago(6)}
    refused = client.post(f"/cases/{case.id}/missing/returned", data=before)
    assert refused.status_code == 422 and 'id="came_back_on-error"' in refused.text
    assert "before the day they went missing" in refused.text
    future = client.post(f"/cases/{case.id}/missing/returned", data={**before, "came_back_on": _ago(-1)})
    assert future.status_code == 422 and 'id="came_back_on-error"' in future.text
    back = {"episode_id": episode.id, "came_back_on": _ago(2)}
    for _ in range(2):  # a replay of the same return changes nothing
        assert client.post(f"/cases/{case.id}/missing/returned", data=back).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "<strong>not back yet</strong>" not in page and "They came back" not in page
    db.expire_all()
    assert [(m.id, m.returned_on.isoformat()) for m in db.exec(select(MissingEpisode)).all()] == [(episode.id, _ago(2))]
    assert living.missing_count(session=db, case=case, after=None, until=today()) == 1
    updates = db.exec(
        select(AuditEntry).where(AuditEntry.object_type == "missing_episode", AuditEntry.action == "update")
    ).all()
    assert [(a.object_id, a.case_id) for a in updates] == [(episode.id, case.id)]
    # A kept page sending another day for the ended episode is refused, not moved.
    moved = client.post(f"/cases/{case.id}/missing/returned", data={**back, "came_back_on": _ago(1)})
    assert moved.status_code == 422 and "already recorded as ended" in moved.text


def test_an_episode_sent_again_with_its_return_ends_the_open_one_instead_of_adding_a_second(client, db, settings):
    from app.cases import living

    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=60))
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{case.id}/missing", data={"went_missing_on": _ago(3)}).status_code == 303
    again = {"id": str(uuid.uuid4()), "went_missing_on": _ago(3), "returned_on": _ago(1)}
    assert client.post(f"/cases/{case.id}/missing", data=again).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "<strong>not back yet</strong>" not in page
    assert living.missing_count(session=db, case=case, after=None, until=today()) == 1


def test_a_return_for_another_cases_episode_is_not_found(client, db, settings):
    worker = make_user(db)
    case, other = make_case(db, worker=worker), make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    assert client.post(f"/cases/{other.id}/missing", data={"went_missing_on": _ago(3)}).status_code == 303
    episode = db.exec(select(MissingEpisode)).one()
    sent = {"episode_id": episode.id, "came_back_on": _ago(1)}
    assert client.post(f"/cases/{case.id}/missing/returned", data=sent).status_code == 404
    db.expire_all()
    assert db.get(MissingEpisode, episode.id).returned_on is None


def test_of_two_changes_from_one_day_the_one_given_last_stands_whichever_arrives_last(client, db, settings):
    """A worker records at 10:00 with no signal that Kayla is back with her mum since today; at
    14:00, online, that she has gone to her nan's since today. The morning's item reaches Homeward
    at 18:00: it goes into the history, and her nan's stays where she lives now. The same for
    education. A device clock from before the day began is not trusted (the entry counts as given
    when it arrives)."""
    from datetime import UTC, datetime, time

    from app.timeutil import LOCAL, utcnow

    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, worker, settings)
    began = datetime.combine(today(), time(0), LOCAL).astimezone(UTC)
    span = utcnow() - began  # both moments today, whatever the hour the test runs
    earlier, later = (began + span / 4).isoformat(), (began + span * 3 / 4).isoformat()
    since = today().isoformat()
    nan = {"living": "relatives_friends", "with_whom": "Nan", "since": since, "recorded_at": later}
    mum = {"living": "with_parents", "with_whom": "Mum", "since": since, "recorded_at": earlier}
    assert client.post(f"/cases/{case.id}/living", data=nan).status_code == 303
    assert client.post(f"/cases/{case.id}/living", data=mum).status_code == 303  # the offline item, late
    page = client.get(f"/cases/{case.id}/living").text
    now_line = page[page.index("Now:") : page.index("</p>", page.index("Now:"))]
    assert "Nan" in now_line and "Mum" not in now_line
    excluded = {"education": "excluded", "education_since": since, "recorded_at": later}
    school = {"education": "full_time", "attendance_percent": "80", "education_since": since, "recorded_at": earlier}
    assert client.post(f"/cases/{case.id}/education", data=excluded).status_code == 303
    assert client.post(f"/cases/{case.id}/education", data=school).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Excluded</strong>" in page
    # A stamp from before the day began (a clock running behind): the entry stands as given now.
    behind = (began - timedelta(hours=3)).isoformat()
    school["recorded_at"] = behind
    assert client.post(f"/cases/{case.id}/education", data=school).status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    assert "Now: <strong>Full-time education</strong>, attendance 80%" in page


def test_a_correction_from_a_tablet_whose_clock_runs_a_day_behind_still_stands(client, db, settings):
    """A colleague records this morning that Kayla lives at home since 1 March; this afternoon the
    key worker corrects it to her nan's, on a tablet whose clock reads yesterday. The tablet sends
    its own clock with the item (X-Homeward-Sent-At, offline.js): the correction's stamp is read on
    Homeward's clock and it stands. Without that, its stamp (yesterday) made it older than the
    morning's entry, and the correction went into the history unseen."""
    from datetime import UTC, datetime, time

    from app.timeutil import LOCAL, utcnow

    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, worker, settings)
    began = datetime.combine(today(), time(0), LOCAL).astimezone(UTC)
    span = utcnow() - began
    morning, afternoon = began + span / 4, began + span * 3 / 4
    since = _ago(40)
    home = {"living": "with_parents", "with_whom": "Mum", "since": since, "recorded_at": morning.isoformat()}
    assert client.post(f"/cases/{case.id}/living", data=home).status_code == 303
    behind = timedelta(days=1)
    nan = {"living": "relatives_friends", "with_whom": "Nan", "since": since}
    nan["recorded_at"] = (afternoon - behind).isoformat()
    sent_at = (utcnow() - behind).isoformat()
    answer = client.post(f"/cases/{case.id}/living", data=nan, headers={"X-Homeward-Sent-At": sent_at})
    assert answer.status_code == 303
    page = client.get(f"/cases/{case.id}/living").text
    now_line = page[page.index("Now:") : page.index("</p>", page.index("Now:"))]
    assert "Nan" in now_line and "Mum" not in now_line


def test_a_forged_device_clock_is_not_applied_and_never_fails_the_save(client, db, settings):
    """X-Homeward-Sent-At far from any tablet's clock (a forged header, a clock at year 1) is not
    applied, and a stamp at the calendar's edge does not fail the save (it raised OverflowError)."""
    worker = make_user(db)
    case = make_case(db, worker=worker)
    db.commit()
    login(client, db, worker, settings)
    since = today().isoformat()
    for stamp, sent_at in (
        ("9999-12-30T00:00:00+00:00", "0001-01-02T00:00:00+00:00"),
        ("2026-12-01T10:00:00+00:00", "1990-01-01T00:00:00+00:00"),
    ):
        data = {"living": "with_parents", "since": since, "recorded_at": stamp}
        answer = client.post(f"/cases/{case.id}/living", data=data, headers={"X-Homeward-Sent-At": sent_at})
        assert answer.status_code == 303
