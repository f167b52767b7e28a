"""A refusal on a family screen is said in the family's language: every message beside a field (and
every flash) on a Polish family screen is one of the Polish catalog's translations (docs/i18n.md)."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from app.cases.models import new_id
from tests.base.test_feedback import answers
from tests.family.factories import family_home, hand_over, young_person
from tests.family.test_languages import _family

LOCALE = Path(__file__).resolve().parents[2] / "app" / "locale"


@cache
def _translations(code: str) -> tuple[re.Pattern, ...]:
    """Each translation in `code`'s catalog as a pattern, its placeholders standing for any words."""
    with (LOCALE / code / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale=code)
    strings = [s for m in catalog if m.id for s in ((m.string,) if isinstance(m.string, str) else m.string) if s]
    return tuple(
        re.compile("".join(".+?" if re.fullmatch(r"%\(\w+\)s|\{\w+\}", part) else re.escape(part)
                           for part in re.split(r"(%\(\w+\)s|\{\w+\})", s)))
        for s in strings
    )  # fmt: skip


def refusals(page: str) -> list[str]:
    """The words of each message beside a field, in an error summary and in a flash on a page."""
    found = re.findall(r'<p class="(?:field-error|flash[^"]*)"[^>]*>(.*?)</p>', page, re.S)
    for summary in re.findall(r'<div class="error-summary".*?</div>', page, re.S):
        found += re.findall(r"<li>(.*?)</li>", summary, re.S)
    words = [html.unescape(re.sub(r"<[^>]*>", "", each)).replace("⚠", "").strip() for each in found]
    return [each for each in words if each]


def assert_said_in(code: str, page: str) -> list[str]:
    said = refusals(page)
    assert said, "no message shown"
    english = [each for each in said if not any(p.fullmatch(each) for p in _translations(code))]
    assert english == []
    return said


def test_the_check_spots_a_message_left_in_english():
    page = '<p class="field-error" id="x-error"><span aria-hidden="true">⚠ </span>Please choose one.</p>'
    assert refusals(page) == ["Please choose one."]
    assert not any(p.fullmatch("Please choose one.") for p in _translations("pl"))
    assert any(p.fullmatch("To nie jest dobry PIN. Próby, które zostały: 4.") for p in _translations("pl"))


def test_feedback_refusals_are_in_polish(client, db, settings):
    _, case, mother = _family(db, client, settings)
    assert hand_over(client, case, mother).status_code == 303
    url = f"/family/{case.id}/{mother.id}/feedback"
    data = {"id": new_id(), "round": "1", **answers("4")}
    first, second = [k for k in data if k.startswith("score_")][:2]
    data[first] = ""
    data[second] = "99"
    data[f"comment_{second[6:]}"] = "y" * 1100
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    said = assert_said_in("pl", refused.text)
    assert "Wybierz, proszę, jedną odpowiedź." in said
    assert "Wybierz, proszę, jedną z odpowiedzi na ekranie." in said
    assert "To jest za długie. Najwięcej znaków: 1000. Teraz jest: 1100." in said
    stale = client.post(url, data={**answers("4"), "id": "not-an-id", "round": "1"})
    assert stale.status_code == 422
    assert "Ta strona jest już nieaktualna." in " ".join(assert_said_in("pl", stale.text))


def test_three_houses_refusals_are_in_polish(client, db, settings):
    worker, case, _ = _family(db, client, settings)
    kayla = young_person(db, case)
    kayla.preferred_language = "pl"
    db.add(kayla)
    db.commit()
    assert hand_over(client, case, kayla).status_code == 303
    url = f"{family_home(case, kayla)}/three-houses/worries"
    long = client.post(url, data={"id": new_id(), "text": "z" * 2100})
    assert long.status_code == 422
    assert "To jest za długie. Najwięcej znaków: 2000. Teraz jest: 2100." in assert_said_in("pl", long.text)
    stale = client.post(url, data={"id": "not-an-id", "text": "Mum shouts"})
    assert stale.status_code == 422
    assert "Ta strona jest już nieaktualna." in " ".join(assert_said_in("pl", stale.text))


def test_safety_scale_refusal_is_in_polish(client, db, settings):
    _, case, mother = _family(db, client, settings)
    assert hand_over(client, case, mother).status_code == 303
    missing = client.post(f"{family_home(case, mother)}/safety-scale", data={"id": new_id()})
    assert missing.status_code == 422
    assert_said_in("pl", missing.text)


def test_choosing_whose_turn_without_a_name_is_refused_in_polish(client, db, settings):
    _, case, mother = _family(db, client, settings)
    assert hand_over(client, case, mother).status_code == 303
    refused = client.post(f"/family/{case.id}/who", data={})
    assert refused.status_code == 422
    assert assert_said_in("pl", refused.text) == ["Wybierz, proszę, jedną odpowiedź."]


def test_hand_back_pin_refusals_and_the_lock_are_in_polish(client, db, settings):
    _, case, mother = _family(db, client, settings)
    assert hand_over(client, case, mother).status_code == 303
    url = f"/family/{case.id}/hand-back"
    empty = client.post(url, data={"pin": ""})
    assert empty.status_code == 422
    assert re.search(r"data-pin-message>Wpisz, proszę, PIN pracownika\.<", empty.text)
    wrong = client.post(url, data={"pin": "999999"})
    assert wrong.status_code == 422
    assert re.search(r"data-pin-message>To nie jest dobry PIN\. Próby, które zostały: 4\.<", wrong.text)
    for _ in range(4):
        last = client.post(url, data={"pin": "999999"})
    assert last.status_code == 403
    assert "Za dużo błędnych prób. Dla bezpieczeństwa pracownik musi zalogować się ponownie." in last.text
    assert "Too many wrong tries" not in last.text
