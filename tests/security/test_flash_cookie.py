"""The flash cookie carries no personal data readable outside the app (issue 20)."""

from __future__ import annotations

import base64

from app.flashcookie import FLASH_COOKIE
from tests.factories import login, make_case, make_user


def test_a_name_in_a_flash_message_is_encrypted_in_the_cookie_and_shown_on_the_next_page(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    login(client, db, worker, settings)
    response = client.post(
        f"/cases/{case.id}/people", data={"name": "Jane Privatename", "relationship": "Aunt", "in_household": "no"}
    )
    assert response.status_code == 303, response.text
    cookie = response.cookies[FLASH_COOKIE]
    assert "Privatename" not in cookie
    assert b"Privatename" not in base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
    assert "Jane Privatename added." in client.get(response.headers["location"]).text


def test_a_forged_flash_cookie_is_ignored(client, db, settings):
    login(client, db, make_user(db), settings)
    client.cookies.set(FLASH_COOKIE, "not-a-real-token")
    assert client.get("/").status_code == 200
