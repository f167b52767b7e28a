"""How a supervisor reviews an ending of active work and a reopen request (app/features.py ReviewKind)."""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import CLOSURE_REASONS, STEP_DOWN_DESTINATIONS, STEP_UP_DESTINATIONS, Case, label
from app.endings import reopen_requests, service
from app.endings.models import ASKED_BY, URGENCY, Ending, ReopenRequestVersion
from app.features import ReviewKind, Sections

# --- Endings of active work -------------------------------------------------------------------
# With approval first (ENDING_APPROVAL=before, the default) a worker's ending waits here and the
# case stays active: approving it makes the case dormant or closed; a returned one is made again
# from the ending form as the item's next version. With approval after the fact the ending has
# already moved the case; the supervisor signs it off or returns it, and the worker answers and
# sends it again from the review screen.
# A supervisor reopens a closed case directly (a re-referral); a worker asks with a reopen request.

RATING_WORDS = {"met": "Met", "partly": "Partly met", "not_met": "Not met"}


def _ending_sections(session: Session, submission) -> Sections:
    ending = session.get(Ending, submission.version_id)
    if ending is None:
        return [("Ending", "This ending is no longer on record.")]
    goals = "\n".join(
        f"{RATING_WORDS.get(g.get('rating'), g.get('rating', ''))}: {g.get('goal', '')} ({g.get('evidence', '')})"
        for g in ending.goals
    )
    reason = ending.closure_other if ending.closure_reason == "other" and ending.closure_other else None
    outcome = (
        "Dormant"
        if ending.outcome == "dormant"
        else f"Closed: {reason or label(CLOSURE_REASONS, ending.closure_reason)}"
    )
    if ending.dormant_review_on:
        outcome += f", dormant review on {ending.dormant_review_on:%-d %b %Y}"
    if ending.destination:
        places = dict(STEP_UP_DESTINATIONS + STEP_DOWN_DESTINATIONS)
        outcome += f", to {places.get(ending.destination, ending.destination)} (lead: {ending.lead_name})"
    agreement = (f"Agreed on {ending.agreed_on:%-d %b %Y}. " if ending.agreed_on else "") + ending.agreement_how
    if ending.pending:
        outcome += ". Awaiting approval: the case stays in active work until it is approved."
    sections = [
        ("Outcome", outcome),
        ("Goals met", goals or "None recorded."),
        ("Outcome summary", ending.outcome_summary or "Not recorded."),
        ("The family's agreement", agreement or "Not recorded."),
        ("Taper", ending.taper or "None."),
        ("Sustainability plan", ending.sustainability_plan or "Not recorded."),
        ("Named contact", ending.named_contact or "Not recorded."),
        ("Summary for the family", ending.family_summary or "Not recorded."),
        ("The young person's views", ending.young_person_views or "Not recorded."),
    ]
    if ending.missing:
        sections.append(
            (
                "Missing at the ending",
                "\n".join(ending.missing)
                + (f"\nApproved because: {ending.approval_reason}" if ending.approval_reason else ""),
            )
        )
    return sections


def _ending_approve(session: Session, submission, actor, rationale: str) -> None:
    service.approve_ending(session=session, submission=submission, by=actor, rationale=rationale)


def _ending_made(session: Session, submission) -> bool:
    ending = session.get(Ending, submission.version_id)
    return ending is not None and not ending.pending


def _ending_settled(session: Session, item_ids: list[str]) -> set[str]:
    return service.settled_endings(session, item_ids)


ENDING = ReviewKind(
    key="ending",
    label="Ending of active work",
    sections=_ending_sections,
    url=lambda s: f"/cases/{s.case_id}#endings",
    resubmit_here=True,
    resubmits_here=_ending_made,
    approve=_ending_approve,
    approve_hint=(
        "Approving an ending that awaits approval makes the case dormant or closed as it says; "
        "an ending already made is signed off."
    ),
    returned_hint="end active work again from there, changed as the comments ask",
    settled=_ending_settled,
)


# --- Reopen requests --------------------------------------------------------------------------
# A case worker asks the supervisor to reopen a closed case (app/endings/reopen_requests.py).
# Approving it reopens the case as a re-referral; a returned request is sent again from the case's
# request page as a new version, or withdrawn.


def _reopen_sections(session: Session, submission) -> Sections:
    version = session.get(ReopenRequestVersion, submission.version_id)
    if version is None:
        return [("Request", "This request is no longer on record.")]
    case = session.get(Case, submission.case_id)
    closed = f"No longer closed: now {case.status}." if case is not None else ""
    if case is not None and case.status == "closed":
        closed = (
            "Closed"
            + (f" on {case.closed_at:%-d %b %Y}" if case.closed_at else "")
            + (
                f": {dict(CLOSURE_REASONS).get(case.closure_reason, case.closure_reason).lower()}"
                if case.closure_reason
                else ""
            )
            + "."
        )
    return [
        ("The case", closed),
        ("Who asked", dict(ASKED_BY).get(version.asked_by, version.asked_by)),
        ("What has changed", version.what_changed),
        ("Urgency", dict(URGENCY).get(version.urgency, version.urgency)),
        ("Why reopen", version.reason),
    ]


def _reopen_approve(session: Session, submission, actor, rationale: str) -> None:
    # Refused and Conflict are both Refused, which the review screen shows beside the decision.
    reopen_requests.approve(session=session, submission=submission, by=actor, rationale=rationale)


def _reopen_settled(session: Session, item_ids: list[str]) -> set[str]:
    return reopen_requests.settled_item_ids(session, item_ids)


REOPEN_REQUEST = ReviewKind(
    key="reopen_request",
    label="Reopen request",
    sections=_reopen_sections,
    url=lambda s: f"/cases/{s.case_id}/reopen-request",
    approve=_reopen_approve,
    approve_hint="Approving reopens the case for screening, recorded as a re-referral with the worker's reason.",
    returned_hint="send it again from there, changed as the comments ask, or withdraw it",
    settled=_reopen_settled,
)
