"""The lifecycle state machine and the small pure rules, tested without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.cases import rules
from app.cases.rules import CaseFacts

ALLOWED = [
    ("referred", "screening", "worker"),
    ("referred", "closed", "worker"),
    ("screening", "active", "worker"),
    ("screening", "closed", "worker"),
    ("active", "dormant", "worker"),
    ("dormant", "active", "worker"),
    ("active", "closed", "worker"),
    ("dormant", "closed", "worker"),
    ("closed", "screening", "supervisor"),
]


def facts(status: str, role: str = "worker", **kw) -> CaseFacts:
    return CaseFacts(
        status=status,
        role=role,
        is_key_worker=kw.pop("is_key_worker", True),
        eligible=kw.pop("eligible", True),
        work_consent=kw.pop("work_consent", True),
    )


@pytest.mark.parametrize(("frm", "to", "role"), ALLOWED)
def test_every_allowed_transition_is_allowed_with_a_rationale(frm, to, role):
    assert (
        rules.transition_refusal(
            facts(frm, role), to, rationale="Agreed with the family", closure_reason="aims_achieved"
        )
        is None
    )


def test_the_allowed_list_is_exactly_the_state_machine():
    assert sorted((f, t) for f, t, _ in ALLOWED) == sorted(rules.TRANSITIONS)


ILLEGAL = [
    ("referred", "active", "Screening comes first"),
    ("referred", "dormant", "Screening comes first"),
    ("screening", "dormant", "Only a case in active work can become dormant"),
    ("screening", "referred", "cannot go back to referred"),
    ("active", "screening", "cannot move from active to screening"),
    ("active", "referred", "cannot go back to referred"),
    ("dormant", "screening", "cannot move from dormant to screening"),
    ("closed", "active", "a supervisor can reopen it for screening"),
    ("closed", "dormant", "a supervisor can reopen it for screening"),
    ("closed", "referred", "cannot move straight back"),
]


@pytest.mark.parametrize(("frm", "to", "words"), ILLEGAL)
def test_every_illegal_transition_is_refused_in_plain_words(frm, to, words):
    for role in ("worker", "supervisor"):
        refusal = rules.transition_refusal(facts(frm, role), to, rationale="because", closure_reason="other")
        assert refusal is not None and words in refusal


def test_worker_cannot_reopen_a_closed_case_but_supervisor_can():
    refusal = rules.transition_refusal(facts("closed", "worker"), "screening", rationale="Family asked again")
    assert refusal and "supervisor" in refusal
    assert rules.transition_refusal(facts("closed", "supervisor"), "screening", rationale="Family asked again") is None


def test_dormant_case_reactivated_by_same_worker_but_not_by_co_worker():
    assert rules.transition_refusal(facts("dormant", is_key_worker=True), "active", rationale="Kayla called") is None
    refusal = rules.transition_refusal(facts("dormant", is_key_worker=False), "active", rationale="Kayla called")
    assert refusal == "Only the key worker (or their supervisor) can reactivate a dormant case."


def test_active_work_needs_eligibility_and_consent_to_the_work():
    assert "eligibility" in rules.transition_refusal(facts("screening", eligible=False), "active", rationale="x")
    assert "consent to the work" in rules.transition_refusal(
        facts("screening", work_consent=False), "active", rationale="x"
    )


def test_every_transition_needs_a_rationale_and_closing_needs_a_reason():
    assert "Say why" in rules.transition_refusal(facts("referred"), "screening", rationale="  ")
    assert (
        rules.transition_refusal(facts("active"), "closed", rationale="done", closure_reason="")
        == "Choose a reason for closing the case."
    )


def test_managers_and_admins_cannot_change_status_and_same_status_is_refused():
    assert "Only the case's workers" in rules.transition_refusal(facts("active", "manager"), "dormant", rationale="x")
    assert "already active" in rules.transition_refusal(facts("active"), "active", rationale="x")
    assert "not a case status" in rules.transition_refusal(facts("active"), "archived", rationale="x")


def test_allowed_transitions_for_buttons():
    assert rules.allowed_transitions(facts("referred")) == ["screening", "closed"]
    assert rules.allowed_transitions(facts("closed", "worker")) == []
    assert rules.allowed_transitions(facts("closed", "supervisor")) == ["screening"]
    assert rules.allowed_transitions(facts("screening", eligible=False)) == ["closed"]


def test_step_up_continuing_needs_a_co_worker_and_rationale():
    base = {
        "status": "active",
        "role": "worker",
        "direction": "up",
        "destination": "cp",
        "rationale": "s47 strategy meeting",
        "closes": False,
    }
    assert "co-worker" in rules.step_refusal(**base, co_worker_given=False)
    assert rules.step_refusal(**base, co_worker_given=True) is None
    assert rules.step_refusal(**{**base, "closes": True}, co_worker_given=False) is None
    assert "rationale" in rules.step_refusal(**{**base, "rationale": ""}, co_worker_given=True)
    assert "cannot be stepped" in rules.step_refusal(**{**base, "status": "closed"}, co_worker_given=True)
    assert (
        rules.step_refusal(**{**base, "direction": "down", "destination": "early_help"}, co_worker_given=False) is None
    )


def test_age_warning_below_8_and_above_25_only():
    assert rules.age_warning(7) and "younger than 8" in rules.age_warning(7)
    assert rules.age_warning(26) and "older than 25" in rules.age_warning(26)
    assert rules.age_warning(8) is None and rules.age_warning(25) is None and rules.age_warning(None) is None


def test_first_contact_hours_against_the_target():
    referred = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    hours = rules.first_contact_hours(referred, datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    assert hours == 30
    assert rules.first_contact_within_target(hours, 24) is False
    assert (
        rules.first_contact_within_target(
            rules.first_contact_hours(referred, datetime(2026, 3, 2, 17, 0, tzinfo=UTC)), 24
        )
        is True
    )
    assert rules.first_contact_hours(referred, None) is None


def test_referral_clock_starts_on_an_earlier_referral_day():
    opened = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    assert rules.referral_started_at(date(2026, 3, 5), opened) == opened
    assert rules.referral_started_at(date(2026, 3, 2), opened).date() == date(2026, 3, 2)
