"""Which Homeward account a council sign-in is: linked subject, else verified email in an allowed domain."""

from __future__ import annotations

from app.security.oidc import match_account
from tests.factories import make_user


def _settings(settings, domains="council.example"):
    return settings.model_copy(update={"oidc_allowed_email_domains": domains})


def test_verified_email_links_the_subject_and_the_subject_is_used_afterwards(db, settings):
    sam = make_user(db, email="sam@council.example")
    claims = {"sub": "abc", "email": "Sam@Council.example", "email_verified": True}
    assert match_account(session=db, settings=_settings(settings), claims=claims) is sam
    assert sam.oidc_subject == "abc"
    later = {"sub": "abc", "email": "samuel.new@council.example", "email_verified": True}
    assert match_account(session=db, settings=_settings(settings), claims=later) is sam


def test_unverified_email_or_another_domain_or_a_taken_link_is_not_matched(db, settings):
    make_user(db, email="sam@council.example", oidc_subject="first")
    make_user(db, email="ann@elsewhere.example")
    unverified = {"sub": "x", "email": "sam@council.example", "email_verified": False}
    other_domain = {"sub": "y", "email": "ann@elsewhere.example", "email_verified": True}
    taken = {"sub": "second", "email": "sam@council.example", "email_verified": True}
    for claims in (unverified, other_domain, taken):
        assert match_account(session=db, settings=_settings(settings), claims=claims) is None


def test_entra_domain_verified_claim_counts_as_verified(db, settings):
    sam = make_user(db, email="sam@council.example")
    claims = {"sub": "entra-oid", "email": "sam@council.example", "xms_edov": True}
    assert match_account(session=db, settings=_settings(settings), claims=claims) is sam


def test_disabled_account_is_not_matched(db, settings):
    make_user(db, email="sam@council.example", oidc_subject="abc", is_active=False)
    claims = {"sub": "abc", "email": "sam@council.example", "email_verified": True}
    assert match_account(session=db, settings=_settings(settings), claims=claims) is None
