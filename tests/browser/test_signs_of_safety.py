"""A worker maps a case with the family on a tablet: items, a statement pair, scales from three
people, the chart and its table, three houses with a drawing, then submits the map. Every form is
then sent again, as an offline outbox replaying after a lost answer would, and nothing doubles."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.signs_of_safety.models import MapItem, MapStatus, MapVersion, ScaleRating, ThreeHousesEntry
from tests.browser.conftest import (
    PHONE,
    SCREENSHOTS,
    TABLET,
    assert_accessible,
    assert_touch_targets,
    log_in,
    open_case_parts,
)
from tests.factories import make_case, make_user
from tests.signs_of_safety.factories import make_person

pytestmark = pytest.mark.browser


def add(page, base, category, text, who=None, agrees=None, **extra):
    page.goto(f"{base}/items/new?category={category}")
    page.get_by_label(
        extra.pop("text_label", None) or page.locator("label[for=text]").inner_text().replace(" (required)", "")
    ).fill(text)
    for label, value in extra.items():
        page.get_by_label(label).fill(value)
    if who:
        page.locator("#who").select_option(label=who)
    if agrees:
        page.get_by_label(agrees).check()
    # Saved through the offline script (fetch, then the next page): wait for that page.
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


def test_worker_maps_a_case_with_the_family_rates_draws_and_submits(page, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    make_person(db, case=case, name="Donna Morgan", relationship="Mother")
    db.commit()
    base = f"{live_server}/cases/{case.id}/signs-of-safety"
    posts: list[tuple[str, str | None]] = []
    page.on(
        "request",
        lambda r: posts.append((r.url, r.post_data)) if r.method == "POST" and "/signs-of-safety" in r.url else None,
    )

    log_in(page, live_server, "sam@example.org", to=f"/cases/{case.id}")
    open_case_parts(page)
    page.get_by_role("link", name="Signs of Safety map").click()
    page.wait_for_url("**/signs-of-safety")
    assert page.get_by_role("heading", name="Signs of Safety map", level=1).is_visible()
    assert_accessible(page, "sos-map-empty-tablet")

    add(
        page,
        base,
        "harm",
        "Kayla was out all night on 3 March and came home hurt.",
        who="Donna Morgan (Mother)",
        agrees="No, they do not agree",
    )
    add(
        page,
        base,
        "complicating",
        "Donna works late shifts, so Kayla is alone most evenings.",
        agrees="Yes, they agree",
    )
    add(page, base, "strength", "Kayla and her Gran are close and talk every day.", who="Kayla Morgan (Young person)")
    add(page, base, "strength", "Donna has come to every meeting.")
    add(page, base, "existing_safety", "Last time, Kayla texted Gran where she was and Gran fetched her.")
    page.goto(f"{base}/items/new?category=pair")
    assert page.get_by_role("heading", name="Writing a danger statement").is_visible()
    page.get_by_role("textbox", name="Danger statement").fill(
        "Sam and the school are worried that Kayla goes to adults who may hurt her when she leaves home at night."
    )
    page.get_by_role("textbox", name="Safety goal").fill(
        "Donna knows where Kayla is every night, and Kayla goes to Gran's when things get heated."
    )
    page.get_by_label("For how long must the change last?").fill("4 months")
    page.get_by_label("Yes, they agree").check()
    assert_accessible(page, "sos-item-form-tablet")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    map_text = page.locator("main").inner_text()
    for text in (
        "Kayla was out all night",
        "Donna works late shifts",
        "Gran are close",
        "every meeting",
        "texted Gran",
        "Donna knows where Kayla is",
    ):
        assert text in map_text
    assert "Family does not agree" in map_text
    assert_accessible(page, "sos-map-tablet")
    assert_touch_targets(page)

    # Scales: the mother, the young person and the worker each rate for themselves.
    page.get_by_role("link", name="Safety scales").click()
    for rater, overall, pair in (("Donna Morgan", "4", "3"), ("Kayla Morgan", "7", "6"), ("Sam Okafor", "3", "2")):
        page.get_by_role("main").get_by_role("link", name=rater).click()
        page.wait_for_url("**/scales/rate?*")
        fieldsets = page.locator("fieldset.sos-scale-field")
        fieldsets.nth(0).get_by_text(overall, exact=True).click()
        fieldsets.nth(1).get_by_text(pair, exact=True).click()
        fieldsets.nth(0).get_by_label("Why this number, and not lower?").fill("Things are calmer at home.")
        if rater == "Kayla Morgan":
            assert page.get_by_text("Things at home are good and I feel safe and happy there.").is_visible()
            assert_accessible(page, "sos-rate-young-person-tablet")
            assert_touch_targets(page)
        page.get_by_role("button", name="Save rating").click()
        page.wait_for_url("**/scales")
    assert page.locator("svg[role=img]").count() == 2
    table = page.get_by_role("table").first
    assert table.get_by_role("row").count() == 2  # header + one day
    assert table.get_by_role("columnheader").count() == 4  # date + three raters
    assert "Donna Morgan (parent or carer)" in table.inner_text()
    assert_accessible(page, "sos-scales-tablet")

    # Three houses with a drawing made by finger on the tablet.
    page.goto(f"{base}/three-houses?house=good_things")
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()  # the mouse reaches only what is in the viewport
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 40 + step * 20, box["y"] + 40 + (step % 3) * 25)
    page.mouse.up()
    # Saved before saying what it shows: asked for that, and the drawing is still there.
    with page.expect_navigation():
        page.get_by_role("button", name="Save in this house").click()
    expect(page.get_by_text("Say in a few words what the drawing shows").first).to_be_visible()
    inked = (
        "(() => { const c = document.querySelector('canvas');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()"
    )
    for _ in range(50):  # the kept drawing is drawn once its image has loaded
        if page.evaluate(inked) > 100:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(inked) > 100
    page.get_by_label("If you drew something, what does it show?").fill("My dog Biscuit in the park")
    page.get_by_label("Write it here").fill("My dog Biscuit and Gran's house")
    assert_accessible(page, "sos-three-houses-drawing-tablet")
    with page.expect_navigation():
        page.get_by_role("button", name="Save in this house").click()
    drawing = page.get_by_role("img", name="Drawing: My dog Biscuit in the park")
    assert drawing.is_visible()
    handle = drawing.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    assert page.evaluate("img => img.naturalWidth", handle) == 640

    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("Version 1 submitted for review").is_visible()
    assert page.get_by_role("button", name="Submit for review").count() == 0

    def counts():
        db.expire_all()
        return (
            db.exec(select(func.count()).select_from(MapItem)).one(),
            db.exec(select(func.count()).select_from(ScaleRating)).one(),
            db.exec(select(func.count()).select_from(ThreeHousesEntry)).one(),
            db.exec(select(func.count()).select_from(MapVersion)).one(),
        )

    before = counts()
    assert before == (6, 6, 1, 1)
    # The replay: every form sent once more, in order, as the outbox would after a lost answer.
    for url, body in posts:
        response = page.request.post(
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": live_server},
            max_redirects=0,
        )
        said = f"&{body}&"
        # The drawing first sent without a word of what it shows is refused again, as it was then.
        refused = "three-houses/entries" in url and "&text=&" in said and "&drawing_description=&" in said
        assert response.status == (422 if refused else 303), (url, response.status)
    assert counts() == before
    db.expire_all()
    assert db.exec(select(MapVersion)).one().status == MapStatus.submitted

    page.set_viewport_size(PHONE)
    page.goto(base)
    assert_accessible(page, "sos-map-phone")
    assert_touch_targets(page)
    page.goto(f"{base}/scales")
    assert_accessible(page, "sos-scales-phone")
    page.goto(f"{base}/three-houses")
    assert_accessible(page, "sos-three-houses-phone")
    assert_touch_targets(page)
    page.set_viewport_size(TABLET)


def test_demo_maps_and_scale_history_pass_axe_on_tablet_and_phone(page, live_server, db, settings):
    from app.demo import DEMO_PASSWORD
    from tests.demo_copy import demo_service

    demo = demo_service(session=db, settings=settings)
    db.commit()
    amira, kayla = demo.cases["Amira"], demo.cases["Kayla"]
    log_in(page, live_server, "worker@example.org", DEMO_PASSWORD, to=f"/cases/{amira.id}/signs-of-safety/scales")
    assert page.locator("svg[role=img]").count() == 4  # overall and three pairs
    assert page.locator(".sos-line").count() == 20  # five raters on each
    assert_accessible(page, "sos-demo-amira-scales-tablet")
    page.goto(f"{live_server}/cases/{amira.id}/signs-of-safety")
    assert page.get_by_text("Version 2").first.is_visible()
    assert_accessible(page, "sos-demo-amira-map-tablet")
    page.goto(f"{live_server}/cases/{kayla.id}")
    assert page.get_by_text("Overdue").first.is_visible()
    assert_accessible(page, "sos-demo-kayla-case-tablet")
    page.goto(f"{live_server}/cases/{kayla.id}/signs-of-safety/words-and-pictures")
    assert page.get_by_role("img", name="Gran's house").is_visible()
    assert_accessible(page, "sos-demo-kayla-words-and-pictures-tablet")
    page.goto(f"{live_server}/cases/{kayla.id}/signs-of-safety/print")
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / "sos-demo-kayla-map-print.png"), full_page=True)
    assert page.get_by_role("button", name="Submit for review").count() == 0
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/cases/{kayla.id}/signs-of-safety/scales")
    assert_accessible(page, "sos-demo-kayla-scales-phone")
    # The chart's axis numbers and dates can be read on a phone (drawn at half size they were 5-6 px).
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('.sos-chart svg text')).map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 12, heights  # the box of a line of text: 9 px at the old size
    page.goto(f"{live_server}/cases/{kayla.id}/signs-of-safety/print?summary=true")
    assert page.get_by_role("heading", name="Our plan for Kay").is_visible()
    assert_accessible(page, "sos-demo-kayla-family-summary-phone")
