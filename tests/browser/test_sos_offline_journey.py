"""Issue 5's acceptance, without a signal from start to finish: a worker takes Kayla's case offline,
maps it with the family in their home (two worries, two strengths, one existing safety, a danger
statement with its goal), records scale ratings from the mother, the young person and themselves,
sees them waiting beside the chart and the table, records three houses with a drawing and submits
the map. Back online it syncs; every operation is then sent again, as after lost answers, and
each record exists exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from app.review.models import Submission
from app.signs_of_safety.models import MapItem, MapStatus, MapVersion, ScaleRating, ThreeHousesEntry
from app.signs_of_safety.service import PNG_SIGNATURE
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.offline_support import assert_sent, put_back, status, stored, take_offline
from tests.factories import make_case, make_user
from tests.signs_of_safety.factories import make_person, young_person

pytestmark = pytest.mark.browser

ITEMS = [
    ("harm", {"text": "Kayla was out all night on 3 March and came home hurt."}),
    ("complicating", {"text": "Donna works late shifts, so Kayla is alone most evenings."}),
    ("strength", {"text": "Kayla and her Gran are close and talk every day."}),
    ("strength", {"text": "Donna has come to every meeting."}),
    ("existing_safety", {"text": "Last time, Kayla texted Gran where she was and Gran fetched her."}),
    (
        "pair",
        {
            "text": "Sam and the school are worried that Kayla goes to adults who may hurt her at night.",
            "goal": "Donna knows where Kayla is every night.",
        },
    ),
]
RATINGS = [("Donna Morgan", "4"), ("Kayla Morgan", "7"), ("Sam Okafor", "3")]


def _count(db, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.exec(query).one()


def _saved_here(page, waiting: int, text: str) -> None:
    """Kept on the device: the page says so, lists it as waiting, and the header counts it."""
    expect(page.get_by_text("Saved on this device — will sync when online")).to_be_visible()
    expect(status(page)).to_have_text(f"{waiting} waiting")
    expect(page.locator("[data-waiting-here]")).to_contain_text(text)


def _draw(page) -> None:
    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 40 + step * 20, box["y"] + 40 + (step % 3) * 25)
    page.mouse.up()


def test_worker_maps_rates_draws_and_submits_offline_and_it_syncs_exactly_once(page, context, live_server, db):
    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan", practice_context="cp")
    donna = make_person(db, case=case, name="Donna Morgan", relationship="Mother")
    kayla = young_person(db, case)
    db.commit()
    base = f"{live_server}/cases/{case.id}/signs-of-safety"

    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    failed: list[str] = []
    page.on(
        "requestfailed", lambda request: failed.append(request.url) if request.resource_type == "document" else None
    )
    page.goto(base)
    expect(page.get_by_role("heading", name="Signs of Safety map", level=1)).to_be_visible()
    expect(status(page)).to_have_text("Offline")

    waiting = 0
    for category, fields in ITEMS:
        page.goto(f"{base}/items/new?category={category}")
        page.locator("#text").fill(fields["text"])
        if "goal" in fields:
            page.get_by_role("textbox", name="Safety goal").fill(fields["goal"])
            page.get_by_label("Yes, they agree").check()
        page.get_by_role("button", name="Save").click()
        waiting += 1
        _saved_here(page, waiting, fields["text"][:40])
    expect(page.locator("[data-waiting-here]")).to_contain_text(f"waiting to sync ({len(ITEMS)})")

    # Each person rates for themselves on the tablet: the overall scale (the danger statement was
    # written on this visit, so its own scale only exists once it reaches Homeward).
    for rater, score in RATINGS:
        key = {"Donna Morgan": f"person:{donna.id}", "Kayla Morgan": f"person:{kayla.id}", "Sam Okafor": "key_worker"}[
            rater
        ]
        page.goto(f"{base}/scales/rate?rater={key}")
        expect(page.get_by_role("heading", name=f"{rater}'s rating")).to_be_visible()
        page.locator(f"label[for=score-0-{score}]").click()
        page.locator("#why-0").fill(f"{rater} sees things getting calmer.")
        page.get_by_role("button", name="Save rating").click()
        waiting += 1
        _saved_here(page, waiting, f"{rater} sees things getting calmer.")

    # The scales page was kept before the visit: the new ratings show in their own table, each
    # marked as waiting to sync, until they reach Homeward and join the chart.
    page.goto(f"{base}/scales")
    table = page.get_by_role("table", name="Overall scale, from 0 to 10, saved on this device")
    expect(table).to_be_visible()
    rows = [row.split("\t") for row in table.locator("tbody tr").all_inner_texts()]
    assert [(r[0], r[1], r[2]) for r in rows] == [(rater, score, "Waiting to sync") for rater, score in RATINGS]
    assert_accessible(page, "sos-offline-scales-waiting")

    for house, text in (
        ("worries", "When Mum and her boyfriend shout."),
        ("good_things", "My dog Biscuit and Gran's house"),
        ("dreams", "Living with Mum and going to college."),
    ):
        page.goto(f"{base}/three-houses?house={house}")
        page.get_by_label("Write it here").fill(text)
        if house == "good_things":
            _draw(page)
            page.get_by_label("If you drew something, what does it show?").fill("My dog Biscuit in the park")
            assert_accessible(page, "sos-offline-three-houses-drawing")
        page.get_by_role("button", name="Save in this house").click()
        waiting += 1
        _saved_here(page, waiting, text)
        # Ready for the next entry: the drawing and the time it was made do not go again with it.
        assert (
            page.locator("[data-drawing-value]").input_value()
            == page.locator("input[name=recorded_at]").input_value()
            == ""
        )

    page.goto(base)
    # The map kept on the device shows what was added on this visit, under its heading, waiting.
    for category, fields in ITEMS:
        added = page.locator(f"#{category} [data-waiting-item]").filter(has_text=fields["text"])
        expect(added).to_contain_text("Saved on this device, waiting to sync")
    expect(page.locator("#harm .sos-empty")).to_be_hidden()
    expect(page.locator("#next_step .sos-empty")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    waiting += 1
    _saved_here(page, waiting, "Submit the map for review")
    assert_accessible(page, "sos-offline-map-submitted-on-device")
    assert failed == []  # every page came from the device

    ops = stored(page)
    assert len(ops) == waiting == 13
    # What waits is sealed on the device: the map and the scales above showed it all the same.
    assert all("sealed" in op and "fields" not in op for op in ops)
    # What the map showed of them is boxed with the item too: no typed word is kept in clear.
    assert all(not op.get("show") for op in ops)
    in_clear = page.evaluate("() => JSON.stringify({...sessionStorage}) + JSON.stringify({...localStorage})")
    assert not [text for _, fields in ITEMS for text in fields.values() if text[:30] in in_clear]
    db.expire_all()
    assert (_count(db, MapItem), _count(db, ScaleRating), _count(db, ThreeHousesEntry), _count(db, MapVersion)) == (
        0,
        0,
        0,
        0,
    )

    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)
    put_back(page, ops)  # every operation sent again, as after answers lost on the way back
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=30000)
    assert_sent(page)

    db.expire_all()
    version = db.exec(select(MapVersion).where(MapVersion.case_id == case.id)).one()
    assert (version.number, version.status) == (1, MapStatus.submitted)
    items = db.exec(select(MapItem).order_by(MapItem.position)).all()
    assert [(i.category, i.text) for i in items] == [(c, f["text"]) for c, f in ITEMS]
    assert {i.map_version_id for i in items} == {version.id}
    pair = items[-1]
    assert (pair.goal, pair.family_agrees) == ("Donna knows where Kayla is every night.", True)
    ratings = db.exec(select(ScaleRating).order_by(ScaleRating.rated_at)).all()
    assert [(r.rater_name, r.rater_role, r.score, r.pair_key) for r in ratings] == [
        ("Donna Morgan", "parent_carer", 4, None),
        ("Kayla Morgan", "young_person", 7, None),
        ("Sam Okafor", "key_worker", 3, None),
    ]
    entries = db.exec(select(ThreeHousesEntry).order_by(ThreeHousesEntry.created_at)).all()
    assert [e.house for e in entries] == ["worries", "good_things", "dreams"]
    assert [bool(e.drawing_png) for e in entries] == [False, True, False]
    assert (
        entries[1].drawing_png.startswith(PNG_SIGNATURE)
        and entries[1].drawing_description == "My dog Biscuit in the park"
    )
    # Each record carries the id the tablet gave it: the operation's id.
    op_ids = {op["id"] for op in ops}
    assert {i.id for i in items} | {r.id for r in ratings} | {e.id for e in entries} <= op_ids
    assert _count(db, Submission, kind="sos_map") == 1

    # Online, the chart has a line for each rater and the table their numbers.
    page.goto(f"{base}/scales")
    expect(page.locator("[data-waiting-ratings]")).to_be_hidden()
    overall = page.locator("section.sos-scale").first
    expect(overall.locator(".sos-line")).to_have_count(3)
    title = overall.locator("svg[role=img] title").text_content()
    for rater, _score in RATINGS:
        assert rater in title
    scores = overall.get_by_role("table").locator("tbody td").all_inner_texts()
    assert scores == ["4", "7", "3"]
    assert_accessible(page, "sos-offline-scales-synced")
    page.goto(base)
    expect(page.get_by_text("Version 1 · Submitted", exact=True)).to_be_visible()
    expect(page.locator("#harm .sos-item")).to_contain_text(ITEMS[0][1]["text"])
    expect(page.locator("[data-waiting-item]")).to_have_count(0)
    # Nothing of what was noted for the waiting lists stays on the device once it has synced.
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('homeward.summary.sos.'))") == []
    page.goto(f"{base}/three-houses?house=good_things")
    drawing = page.get_by_role("img", name="Drawing: My dog Biscuit in the park")
    expect(drawing).to_be_visible()
    handle = drawing.element_handle()
    for _ in range(100):  # the picture loads after the page: wait for it (up to 10 s)
        if page.evaluate("img => img.complete && img.naturalWidth", handle):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("img => img.naturalWidth", handle) == 640


def test_storyboard_photos_travel_with_their_panel_offline_and_online(page, context, live_server, db, tmp_path):
    from app.signs_of_safety.models import StoryPanel
    from tests.signs_of_safety.test_scales_and_houses import PNG

    worker = make_user(db, email="sam@example.org", full_name="Sam Okafor")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    url = f"{live_server}/cases/{case.id}/signs-of-safety/words-and-pictures"
    photo = tmp_path / "gran.png"
    photo.write_bytes(PNG)
    log_in(page, live_server, worker.email)
    take_offline(page, live_server, case.id)

    context.set_offline(True)
    page.goto(url)
    page.get_by_label("Words for this panel").fill("Kayla goes to Gran's when it gets loud.")
    page.get_by_label("Or add a photo (optional)").set_input_files(str(photo))
    page.get_by_label("What the picture shows").fill("Gran's front door")
    page.get_by_role("button", name="Add panel").click()
    _saved_here(page, 1, "Kayla goes to Gran's when it gets loud.")
    ops = stored(page)
    context.set_offline(False)
    expect(status(page)).to_have_text("Online", timeout=15000)
    put_back(page, ops)
    page.evaluate("window.HomewardOffline.sync()")
    expect(status(page)).to_have_text("Online", timeout=15000)

    page.goto(url)  # and online, where the offline script sends the form too
    page.get_by_label("Words for this panel").fill("Mum and Kayla talk it through.")
    page.get_by_label("Or add a photo (optional)").set_input_files(str(photo))
    page.get_by_label("What the picture shows").fill("Mum and Kayla on the sofa")
    with page.expect_navigation():
        page.get_by_role("button", name="Add panel").click()
    for name in ("Gran's front door", "Mum and Kayla on the sofa"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    db.expire_all()
    panels = db.exec(select(StoryPanel).order_by(StoryPanel.position)).all()
    assert [(p.text, p.image, p.image_type) for p in panels] == [
        ("Kayla goes to Gran's when it gets loud.", PNG, "image/png"),
        ("Mum and Kayla talk it through.", PNG, "image/png"),
    ]
