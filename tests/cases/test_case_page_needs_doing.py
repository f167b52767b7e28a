"""The case page starts with what needs doing (issue 18): overdue and due-soon tasks from every
feature, flags with their reasons, returned work and the next visit; dormant cases say since when
and when their review is due, and days open stop counting while dormant; the timeline is bounded
(issue 21) and the page's SQL statements do not grow with the case."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import event

from app.cases import rules
from app.cases.models import Contact
from app.endings import service as endings
from app.signs_of_safety.models import Category
from app.timeutil import LOCAL, today, utcnow
from tests.cases.factories import actor_for
from tests.endings.factories import make_dormant
from tests.factories import login, make_case, make_user
from tests.signs_of_safety.factories import add_item


def _needs(page: str) -> str:
    return page[page.index('id="needs-doing"') : page.index("</section>", page.index('id="needs-doing"'))]


def _statements(engine, fn) -> int:
    count = 0

    def before(*_args, **_kw):
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return count


def test_needs_doing_lists_overdue_and_due_soon_next_steps_and_why_the_case_is_flagged(client, db, settings):
    worker = make_user(db)
    case = make_case(
        db,
        worker=worker,
        referral_date=today() - timedelta(days=60),
        opened_at=utcnow() - timedelta(days=60),
        next_review_on=today(),
    )
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Ring the school",
        due_on=today() - timedelta(days=3),
    )
    add_item(
        db, case=case, by=worker, category=Category.next_step, text="Book the GP", due_on=today() + timedelta(days=2)
    )
    add_item(
        db,
        case=case,
        by=worker,
        category=Category.next_step,
        text="Plan the summer",
        due_on=today() + timedelta(days=40),
    )
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    needs = _needs(page)
    # What needs doing comes before every framework's part.
    assert page.index('id="needs-doing"') < page.index('id="part-signs_of_safety"')
    assert re.search(r"Overdue</strong> <a [^>]*>Ring the school</a>", needs)
    assert "Book the GP" in needs and "Plan the summer" not in needs
    assert "1 more open task due later" in needs
    # No contact since the case opened 60 days ago: the flag says so in words.
    assert "Why this case is flagged" in needs and f"No contact for {settings.no_contact_flag_days} days" in needs
    assert "Next visit:</strong> no visit recorded yet" in needs


def test_next_visit_is_due_before_the_no_contact_flag(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    visited = today() - timedelta(days=3)
    db.add(Contact(case_id=case.id, kind="visit", occurred_on=visited, by_user_id=worker.id, duration_minutes=60))
    db.commit()
    login(client, db, worker, settings)
    needs = _needs(client.get(f"/cases/{case.id}").text)
    due = visited + timedelta(days=settings.no_contact_flag_days - 1)
    assert f"due by {due.strftime('%-d %b %Y')}" in needs
    assert "Nothing overdue, due this week or returned." in needs


def test_the_contacts_part_lists_the_five_latest_by_when_they_happened_and_the_next_visit_looks_past_missed_ones(
    client, db, settings
):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    visited = today() - timedelta(days=8)
    db.add(Contact(case_id=case.id, kind="visit", occurred_on=visited, by_user_id=worker.id, duration_minutes=45))
    for n in range(24):  # more missed visits since (no access) than the timeline shows
        db.add(Contact(case_id=case.id, kind="visit", occurred_on=today() - timedelta(days=7 - n % 7),
                       by_user_id=worker.id, attended=False))  # fmt: skip
    db.commit()
    login(client, db, worker, settings)
    # The last visit attended is eight days ago, however many missed ones came after it.
    due = visited + timedelta(days=settings.no_contact_flag_days - 1)
    assert f"due by {due.strftime('%-d %b %Y')}" in _needs(client.get(f"/cases/{case.id}").text)

    # Two contacts today, the later one typed up first: the one that happened later is the latest.
    db.add(Contact(case_id=case.id, kind="phone", occurred_on=today(), start_time=time(16, 0), by_user_id=worker.id,
                   duration_minutes=10))  # fmt: skip
    db.commit()
    db.add(Contact(case_id=case.id, kind="visit", occurred_on=today(), start_time=time(9, 30), by_user_id=worker.id,
                   place="school", duration_minutes=50))  # fmt: skip
    db.commit()
    page = client.get(f"/cases/{case.id}").text
    contacts = page[page.index('id="contacts"') : page.index("</section>", page.index('id="contacts"'))]
    listed = re.findall(r"<li><strong>[^<]*</strong> ([^\n<]*)", contacts)
    assert [title.strip() for title in listed] == [
        "Phone call",
        "School visit",
        "Missed home visit (no access)",
        "Missed home visit (no access)",
        "Missed home visit (no access)",
    ], listed
    assert re.search(r"latest [^<]*: phone call", page)  # the part's closed line names the latest too


def test_a_dormant_case_says_since_when_and_when_its_review_is_due_not_none_set(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=30))
    make_dormant(db, case, worker)
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "None set" not in page
    spell_due = re.search(r"Dormant since ([^,]+), review due ([^<]+)<", page)
    assert spell_due and spell_due.group(1) == today().strftime("%-d %b %Y")
    assert "Dormant review" in _needs(page) or spell_due.group(2).strip() != "not set"
    assert "(paused while dormant)" in page


def test_days_open_stop_counting_while_dormant():
    start = date(2026, 1, 1)
    # Dormant from 1 Feb to 1 Mar, today 11 Mar: 69 days since referral, 28 of them dormant.
    changes = [(date(2026, 1, 2), "active"), (date(2026, 2, 1), "dormant"), (date(2026, 3, 1), "active")]
    assert rules.days_open(started=start, end=date(2026, 3, 11), changes=changes) == 69 - 28
    # Still dormant: the count stands where it stopped, whatever today is.
    still = changes[:2]
    assert rules.days_open(started=start, end=date(2026, 3, 11), changes=still) == 31
    assert rules.days_open(started=start, end=date(2026, 9, 1), changes=still) == 31


def test_reactivated_the_same_day_as_a_visit_says_no_contact_yet(client, db, settings):
    """Defect 2: a visit this morning, dormant, reactivated: "First contact since: not yet"."""
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=30))
    morning = (datetime.now(LOCAL) - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    db.add(
        Contact(
            case_id=case.id,
            kind="visit",
            occurred_on=today(),
            start_time=morning if morning < datetime.now(LOCAL).time() else time(0, 0),
            by_user_id=worker.id,
            duration_minutes=30,
            recorded_at=utcnow() - timedelta(minutes=20),
        )
    )
    # And one entered before the reactivation with no start time (it counts as noon).
    db.add(
        Contact(
            case_id=case.id,
            kind="phone",
            occurred_on=today(),
            by_user_id=worker.id,
            duration_minutes=10,
            recorded_at=utcnow() - timedelta(minutes=10),
        )
    )
    db.flush()
    make_dormant(db, case, worker)
    endings.reactivate(
        session=db,
        case=case,
        by=actor_for(worker),
        asked_by="young_person",
        what_changed="Kayla rang again",
        urgency="soon",
    )
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "First contact since: not yet" in page
    assert "after 0 hours" not in page


def test_timeline_shows_the_latest_items_and_older_ones_on_demand(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=600))
    for n in range(500):
        db.add(
            Contact(
                case_id=case.id,
                kind="phone",
                occurred_on=today() - timedelta(days=n),
                by_user_id=worker.id,
                duration_minutes=10,
                note=f"Call number {n}",
            )
        )
    db.commit()
    login(client, db, worker, settings)
    response = client.get(f"/cases/{case.id}")
    page = response.text
    timeline = page[page.index('id="timeline"') :]
    assert timeline.count('<li class="timeline-') == 20
    assert "Call number 0" in timeline and "Call number 19" in timeline and "Call number 20" not in timeline
    assert f'href="/cases/{case.id}?shown=40#timeline"' in timeline and "(480 more)" in timeline
    assert len(response.content) < 60_000, len(response.content)  # was about 190 KB with 500 contacts
    # The link works without a script; with htmx only the timeline comes back.
    more = client.get(f"/cases/{case.id}", params={"shown": 40}).text
    assert "Call number 39" in more and "Call number 40" not in more
    block = client.get(f"/cases/{case.id}", params={"shown": 40}, headers={"HX-Request": "true"}).text
    assert block.lstrip().startswith('<section id="timeline"') and "Call number 39" in block


def test_case_page_statement_count_is_the_same_with_small_and_large_data(client, db, settings, engine):
    worker = make_user(db)
    case = make_case(db, worker=worker, referral_date=today() - timedelta(days=600))
    add_item(db, case=case, by=worker, category=Category.next_step, text="Step 0", due_on=today())
    db.add(Contact(case_id=case.id, kind="visit", occurred_on=today(), by_user_id=worker.id, duration_minutes=60))
    db.commit()
    login(client, db, worker, settings)
    small = _statements(engine, lambda: client.get(f"/cases/{case.id}"))
    for n in range(1, 200):
        db.add(Contact(case_id=case.id, kind="visit", occurred_on=today() - timedelta(days=n), by_user_id=worker.id))
    for n in range(1, 8):
        add_item(
            db, case=case, by=worker, category=Category.next_step, text=f"Step {n}", due_on=today() - timedelta(days=n)
        )
    db.commit()
    large = _statements(engine, lambda: client.get(f"/cases/{case.id}"))
    assert large == small
