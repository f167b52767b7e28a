"""Issue 22's acceptance in a real browser: the family screens in the family's language.

A mother whose language is Polish is handed the tablet with no signal and gets the Diamond's
questions in Polish; Arabic and Urdu screens run right to left with no sideways scrolling at a
phone's 390 px and a tablet's 800 px; axe finds nothing in any language; "Read this to me" speaks
or says plainly there is no voice. Screenshots are saved in tests/browser/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_touch_targets, log_in
from tests.browser.offline_support import take_offline
from tests.factories import make_case, make_user
from tests.family.factories import PIN, add_person, with_pin

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 800, "height": 1280}}


def _family(db, language: str):
    worker = with_pin(make_user(db, email=f"sam-{language}@example.org", full_name="Sam Okafor"), db)
    case = make_case(db, worker=worker, young_person_name="Kayla Nowak")
    mother = add_person(db, case, name="Agnieszka Nowak", relationship="Mother", preferred_language=language)
    db.commit()
    return worker, case, mother


def _hand_over(page, live_server, case, mother):
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    page.get_by_label(re.compile("Agnieszka Nowak")).check()
    page.get_by_label("Worker PIN").fill(PIN)
    page.get_by_role("button", name="Hand to family").click()
    page.wait_for_url(f"**/family/{case.id}/{mother.id}")


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _read_aloud(page, language: str, stop: str, no_voice: str) -> None:
    """Speaks in the screen's language where the device has a voice for it; else says so plainly."""
    has_voice = page.evaluate(
        "(lang) => new Promise((done) => { const find = () => speechSynthesis.getVoices()"
        ".some((v) => v.lang.toLowerCase().startsWith(lang)); if (speechSynthesis.getVoices().length) done(find());"
        " else { speechSynthesis.onvoiceschanged = () => done(find()); setTimeout(() => done(find()), 1500); } })",
        language,
    )
    page.get_by_role("button", name=page.locator("[data-read-button]").inner_text()).click()
    if has_voice:
        expect(page.locator("[data-read-button]")).to_have_text(stop)
    else:
        expect(page.get_by_role("status").filter(has_text=no_voice)).to_be_visible()


def test_a_polish_mother_gets_the_diamond_in_polish_with_no_signal(page, context, live_server, db):
    worker, case, mother = _family(db, "pl")
    page.set_viewport_size(WIDTHS["tablet"])
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)
    page.goto(f"{live_server}/cases/{case.id}/hand-to-family")
    # The worker sees, discreetly, that the Polish screens are a drafted translation.
    expect(page.get_by_text("screens in Polish (drafted translation, not yet checked)")).to_be_visible()

    context.set_offline(True)
    _hand_over(page, live_server, case, mother)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Cześć, Agnieszka")).to_be_visible()
    assert_accessible(page, "family-pl-home-tablet")
    page.get_by_role("link", name="Zaczynamy").click()
    expect(page.get_by_text("Pytanie 1 z 4")).to_be_visible()
    expect(page.get_by_role("heading", name="Szczęście i dobre samopoczucie")).to_be_visible()
    expect(page.get_by_role("group", name="Jak myślisz, czy Kayla jest szczęśliwy i czuje się dobrze?")).to_be_visible()
    _read_aloud(page, "pl", "Przestań czytać", "Ten tablet nie ma głosu w tym języku.")
    page.get_by_role("radio", name="7", exact=True).check()
    _no_sideways_scroll(page, 800)
    assert_accessible(page, "family-pl-question-tablet")
    assert_touch_targets(page, 48)
    page.set_viewport_size(WIDTHS["phone"])
    _no_sideways_scroll(page, 390)
    assert_accessible(page, "family-pl-question-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Dalej").click()
    expect(page.get_by_text("Pytanie 2 z 4")).to_be_visible()


@pytest.mark.parametrize("language", ["ar", "ur"])
def test_arabic_and_urdu_screens_run_right_to_left_without_sideways_scrolling(page, live_server, db, language):
    worker, case, mother = _family(db, language)
    page.set_viewport_size(WIDTHS["tablet"])
    log_in(page, live_server, worker.email)
    _hand_over(page, live_server, case, mother)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    home = page.url
    for screen in ("home", "question", "scale"):
        page.goto({"home": home, "question": f"{home}/diamond/wellbeing", "scale": f"{home}/safety-scale"}[screen])
        for size, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            _no_sideways_scroll(page, viewport["width"])
            assert_accessible(page, f"family-{language}-{screen}-{size}")
            assert_touch_targets(page, 48)
        if screen == "question":
            # The 0-10 scale runs in the reading direction: 0 at the start (the right), 10 at the end.
            zero = page.locator("label[for=score-0]").bounding_box()
            one = page.locator("label[for=score-1]").bounding_box()
            assert zero["x"] > one["x"]
            expect(page.locator("label[for=score-10] .scale-number")).to_have_text("10")
            title = page.locator("h1").bounding_box()
            assert title["x"] + title["width"] > viewport["width"] - 40  # headings start on the right


@pytest.mark.parametrize("language", ["ro", "cy"])
def test_the_switch_opens_the_screens_in_romanian_and_welsh_with_axe_at_zero(page, live_server, db, language):
    worker, case, mother = _family(db, "en")
    page.set_viewport_size(WIDTHS["phone"])
    log_in(page, live_server, worker.email)
    _hand_over(page, live_server, case, mother)
    page.goto(f"{page.url}/diamond/learning")
    page.locator(".language-switch summary").click()
    name = {"ro": "Română", "cy": "Cymraeg"}[language]
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.url.endswith("/diamond/learning")
    _no_sideways_scroll(page, 390)
    assert_accessible(page, f"family-{language}-question-phone")
