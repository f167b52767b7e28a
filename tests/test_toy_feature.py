"""Acceptance (issue 16): a capability added as one package, with no edit outside it, shows up on
the case page (with its jump link), the timeline, the review queue and screen, and team oversight."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from app.main import FEATURES, create_app
from app.review import service as review
from tests.factories import login, make_case, make_user
from tests.toy_feature.feature import feature as toy


@pytest.fixture
def toy_client(settings, engine, db):
    app = create_app(settings, engine=engine, features=[*FEATURES, toy])
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def test_a_toy_feature_appears_on_every_shared_screen(toy_client, db, settings):
    supervisor = make_user(db, role="supervisor")
    worker = make_user(db, team_id=supervisor.team_id)
    case = make_case(db, worker=worker)
    login(toy_client, db, worker, settings)

    assert toy_client.get("/toy/ping").text == "toy pong"
    page = toy_client.get(f"/cases/{case.id}").text
    assert f"The toy part of {case.reference}" in page
    start = page.index('class="jump-links"')
    nav = page[start : page.index("</details>", start)]
    assert '<a href="#part-toy">Toy part</a>' in nav
    assert 'id="part-toy"' in page
    assert "Toy moment recorded" in page
    assert "Toy corner" not in page  # a header link for supervisors only

    submission = review.submit_item(
        session=db, kind="toy_note", case=case, item_id="toy-1", version_id="toy-1-v1", version_number=1, by=worker
    )
    db.commit()
    login(toy_client, db, supervisor, settings)
    queue = toy_client.get("/review").text
    assert "Toy note" in queue
    assert '<a href="/toy/ping">Toy corner</a>' in queue  # the header, for the roles it names
    screen = toy_client.get(f"/review/{submission.id}").text
    assert "What the toy saw" in screen
    assert "Version 1 of the toy note" in screen

    oversight = toy_client.get("/review/oversight").text
    label = f"Toy worry after {settings.no_contact_flag_days} days"
    toy_flags = oversight[oversight.index(label) : oversight.index("</details>", oversight.index(label))]
    assert f"{label}: <strong>1</strong>" in toy_flags
    assert f'href="/cases/{case.id}"' in toy_flags


def test_without_the_toy_feature_nothing_of_it_shows(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}").text
    assert "Toy part" not in page
    assert client.get("/toy/ping").status_code == 404
