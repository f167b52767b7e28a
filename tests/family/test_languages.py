"""The family screens in each person's language: opened in it, switched on the screen, switched off
by an administrator, said discreetly to the worker at hand-over when drafted (issue 22)."""

from __future__ import annotations

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Person
from tests.factories import login, make_case, make_user
from tests.family.factories import add_person, family_home, hand_over, with_pin, young_person


def _family(db, client, settings, language="pl"):
    worker = with_pin(make_user(db, full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Nowak")
    mother = add_person(db, case, name="Agnieszka Nowak", relationship="Mother", preferred_language=language)
    db.commit()
    login(client, db, worker, settings)
    return worker, case, mother


def test_a_parent_whose_language_is_polish_gets_the_diamond_in_polish(client, db, settings):
    _, case, mother = _family(db, client, settings)
    assert hand_over(client, case, mother).status_code == 303
    home = client.get(family_home(case, mother)).text
    assert '<html lang="pl" dir="ltr">' in home
    assert "Cześć, Agnieszka" in home and "Hello," not in home
    question = client.get(f"{family_home(case, mother)}/diamond/wellbeing").text
    assert "Jak myślisz, czy Kayla jest szczęśliwy i czuje się dobrze?" in question
    assert "Wcale nie dobrze" in question and "Naprawdę dobrze" in question  # the scale's ends
    assert "Dalej" in question and "Przeczytaj mi to" in question
    # A wrong answer is explained in Polish too, beside the scale.
    wrong = client.post(f"{family_home(case, mother)}/diamond/wellbeing", data={"id": "", "score": "11"})
    assert wrong.status_code == 422 and "Dotknij, proszę, liczby od 0 do 10." in wrong.text


def test_arabic_and_urdu_screens_run_right_to_left_with_numbers_kept_whole(client, db, settings):
    _, case, mother = _family(db, client, settings, language="ar")
    hand_over(client, case, mother)
    page = client.get(f"{family_home(case, mother)}/diamond/learning").text
    assert '<html lang="ar" dir="rtl">' in page and "كيف تظن أن تعلّم Kayla يسير؟" in page
    assert "<bdi>0</bdi> = ليس جيدًا أبدًا" in page and "<bdi>10</bdi> = جيد جدًا" in page
    client.post(f"/family/{case.id}/{mother.id}/language", data={"lang": "ur", "back": family_home(case, mother)})
    urdu = client.get(family_home(case, mother)).text
    assert '<html lang="ur" dir="rtl">' in urdu and "سلام، Agnieszka" in urdu


def test_the_skip_link_and_the_locked_page_are_in_the_familys_language_too(client, db, settings):
    _, case, mother = _family(db, client, settings, language="ar")
    hand_over(client, case, mother)
    page = client.get(f"{family_home(case, mother)}/diamond/wellbeing").text
    assert '<a class="skip-link" href="#main">انتقل إلى المحتوى</a>' in page and "Skip to content" not in page
    for _ in range(5):
        locked = client.post(f"/family/{case.id}/hand-back", data={"pin": "999999"})
    assert locked.status_code == 403 and "الجهاز مقفل" in locked.text
    assert "Skip to content" not in locked.text and "for keeping families safely together" not in locked.text


def test_the_switch_keeps_the_persons_language_and_is_audited(client, db, settings):
    _, case, mother = _family(db, client, settings)
    hand_over(client, case, mother)
    back = f"{family_home(case, mother)}/diamond/relationships"
    moved = client.post(f"/family/{case.id}/{mother.id}/language", data={"lang": "en", "back": back})
    assert moved.status_code == 303 and moved.headers["location"] == back
    assert "Hello, Agnieszka" in client.get(family_home(case, mother)).text
    db.expire_all()
    assert db.get(Person, mother.id).preferred_language == "en"
    entry = db.exec(select(AuditEntry).where(AuditEntry.object_id == mother.id, AuditEntry.action == "update")).one()
    assert entry.detail == "language pl -> en on the family screens"
    # An address elsewhere is not followed, and a language not offered is refused.
    away = client.post(f"/family/{case.id}/{mother.id}/language", data={"lang": "pl", "back": "https://example.org"})
    assert away.headers["location"] == family_home(case, mother)
    client.post(f"/family/{case.id}/{mother.id}/language", data={"lang": "xx", "back": back})
    db.expire_all()
    assert db.get(Person, mother.id).preferred_language == "pl"


def test_the_worker_is_told_at_hand_over_that_a_translation_is_drafted(client, db, settings):
    _, case, mother = _family(db, client, settings)
    page = client.get(f"/cases/{case.id}/hand-to-family").text
    assert "screens in Polish" in page and "(drafted translation, not yet checked)" in page
    assert page.count("drafted translation") == 1  # Kayla's screens are in English


def test_an_administrator_switches_a_drafted_language_off_and_the_family_sees_english(client, db, settings):
    worker, case, mother = _family(db, client, settings)
    admin = make_user(db, role="admin", email="admin@example.org")
    db.commit()
    login(client, db, admin, settings)
    page = client.get("/admin/languages").text
    assert "Polish" in page and "Drafted, not yet checked" in page
    assert client.post("/admin/languages", data={"code": "pl", "enabled": "0"}).status_code == 303
    assert "Switched off" in client.get("/admin/languages").text
    login(client, db, worker, settings)
    assert "screens in Polish" not in client.get(f"/cases/{case.id}/hand-to-family").text
    hand_over(client, case, mother)
    home = client.get(family_home(case, mother)).text
    assert "Hello, Agnieszka" in home and 'value="pl"' not in home  # not offered on the switch either


def test_only_an_administrator_switches_languages(client, db, settings):
    _family(db, client, settings)
    assert client.post("/admin/languages", data={"code": "pl", "enabled": "0"}).status_code == 403
    assert client.get("/admin/languages").status_code == 403


def test_a_worker_sets_a_persons_language_on_their_record(client, db, settings):
    worker, case, mother = _family(db, client, settings)
    young = young_person(db, case)
    form = client.get(f"/cases/{case.id}/people/{young.id}/edit")
    assert form.status_code == 200 and '<option value="ur">Urdu</option>' in form.text
    data = {
        "name": young.name,
        "given_name": young.given_name,
        "preferred_language": "ur",
        "base_version": young.version,
    }
    assert client.post(f"/cases/{case.id}/people/{young.id}", data=data).status_code == 303
    db.expire_all()
    assert db.get(Person, young.id).preferred_language == "ur"
    # A language Homeward does not have is refused beside the field, and nothing is saved.
    data["preferred_language"] = "xx"
    refused = client.post(f"/cases/{case.id}/people/{young.id}", data=data)
    assert refused.status_code == 422 and "Please choose one of the options shown." in refused.text
    db.expire_all()
    assert db.get(Person, young.id).preferred_language == "ur"
