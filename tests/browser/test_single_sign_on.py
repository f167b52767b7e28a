"""Signing in with the council's account, against a real OpenID provider (node's oidc-provider)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.security.models import LoginAttempt, UserSession
from tests.browser.conftest import assert_accessible
from tests.factories import make_user
from tests.oidc.provider import running_provider

# One worker runs this module: its module-scoped fixture starts a costly process (make test uses --dist loadgroup).
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("oidc-browser")]

CLIENT_ID = "homeward-test"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"


@pytest.fixture(scope="module")
def provider(_shared_server):
    _, base_url = _shared_server
    with running_provider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=f"{base_url}/login/oidc/callback",
        post_logout_uri=f"{base_url}/login",
    ) as issuer:
        yield issuer


@pytest.fixture
def settings(settings, provider):
    return settings.model_copy(
        update={
            "oidc_issuer": provider,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_provider_name": "Test Council",
            "oidc_allowed_email_domains": "council.example",
        }
    )


def _sign_in_at_provider(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Sign in with Test Council").click()
    page.get_by_placeholder("Enter any login").fill(email)
    page.get_by_placeholder("and password").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("networkidle")


def test_worker_signs_in_with_the_council_account_and_is_linked(page, live_server, db):
    worker = make_user(db, email="sam@council.example", full_name="Sam Okafor")
    # Someone tried Sam's Homeward password twice from elsewhere: Sam is told at this sign-in too.
    db.add_all([LoginAttempt(email="sam@council.example", address="203.0.113.9", succeeded=False) for _ in range(2)])
    db.commit()
    page.goto(f"{live_server}/login")
    assert_accessible(page, "login-with-sso")
    _sign_in_at_provider(page, live_server, "Sam@Council.example")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_text("Since you last logged in, 2 attempts to log in to your account failed")).to_be_visible()
    db.expire_all()
    assert db.get(User, worker.id).oidc_subject == "Sam@Council.example"
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.user_id == worker.id)).one()
    assert entry.detail == "single sign-on"
    assert db.exec(select(UserSession).where(UserSession.user_id == worker.id)).one().signed_in_with == "sso"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You have logged out of Homeward")).to_be_visible()
    assert_accessible(page, "signed-out-sso")
    page.get_by_role("link", name="Sign out of Test Council too").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/login"))


def test_a_person_without_an_account_is_told_to_ask_their_administrator(page, live_server, db):
    make_user(db, email="sam@council.example")
    db.commit()
    _sign_in_at_provider(page, live_server, "stranger@council.example")
    expect(page.get_by_role("heading", name="No Homeward account for you yet")).to_be_visible()
    expect(page.get_by_text("ask your administrator")).to_be_visible()
    assert_accessible(page, "sso-unknown-person")
    db.expire_all()
    assert db.exec(select(UserSession)).all() == []
    assert db.exec(select(User).where(User.email == "stranger@council.example")).first() is None
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "sso_unknown_person")).one()
