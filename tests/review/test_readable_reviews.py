"""Every review kind, rendered from the demo's own data, reads in the practice's words: names and
labels, never a record id or a stored code (issue 19)."""

from __future__ import annotations

import re

from sqlmodel import select

from app.accounts.models import User
from app.features import review_kinds
from app.review.models import Submission, SubmissionStatus
from tests.demo_copy import demo_service
from tests.factories import login

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# A stored code looks like "family_with_worker" or "cp_plan": lower-case words joined by "_".
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _visible_text(page: str) -> str:
    """The words on the page a person reads (no tags, attributes, links or form values)."""
    main = page.split("<main", 1)[1]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_every_review_kind_from_demo_data_shows_names_and_labels_not_ids_or_codes(client, db, settings):
    demo_service(session=db, settings=settings)
    db.commit()
    submissions = db.exec(select(Submission)).all()
    assert {s.kind for s in submissions} >= set(review_kinds()), "the demo should hold every review kind"
    supervisor = db.exec(select(User).where(User.email == "supervisor@example.org")).one()
    login(client, db, supervisor, settings)
    for submission in submissions:
        page = client.get(f"/review/{submission.id}")
        assert page.status_code == 200, submission.kind
        text = _visible_text(page.text)
        assert not UUID.findall(text), (submission.kind, UUID.findall(text)[:3])
        assert not CODE.findall(text), (submission.kind, CODE.findall(text)[:5])


def test_the_ending_review_shows_the_outcome_summary_sustainability_plan_and_goals(client, db, settings):
    demo_service(session=db, settings=settings)
    db.commit()
    # One of the two the endings demo sent and the supervisor approved (by case, so the same one on
    # both databases; a third, still waiting, has another summary).
    ending = db.exec(
        select(Submission)
        .where(Submission.kind == "ending", Submission.status == SubmissionStatus.approved)
        .order_by(Submission.case_id)
    ).first()
    supervisor = db.exec(select(User).where(User.email == "supervisor@example.org")).one()
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{ending.id}").text
    for words in (
        "Outcome summary",
        "no missing episodes in the last three months",
        "Sustainability plan",
        "safety plan on the fridge",
        "Goals met",
        "Met: Back in school every day",
    ):
        assert words in page, words


def test_the_base_review_names_people_factors_and_scale_words(client, db, settings):
    demo_service(session=db, settings=settings)
    db.commit()
    base = db.exec(select(Submission).where(Submission.kind == "base_assessment")).first()
    supervisor = db.exec(select(User).where(User.email == "supervisor@example.org")).one()
    login(client, db, supervisor, settings)
    page = client.get(f"/review/{base.id}").text
    assert "Has at least one adult they trust and can talk to: Strength, decided by: Family with the worker" in page
    assert re.search(r"Likelihood: (Unlikely|Possible|Likely|Almost certain)", page)
    assert re.search(r"Impact: (Minor|Moderate|Serious|Severe)", page)
    assert "(Young person); hopes from the work:" in page
