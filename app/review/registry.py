"""Which items can be reviewed, and how each one plugs in.

A kind says how to show one submitted version read-only (as named sections of text) and where the
item lives. "What changed" is worked out here, generically, from two versions' sections. Other
features register their kind with `register(...)`: Signs of Safety maps, network meeting notes,
BASE assessments, endings and reopen requests are registered below.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

Sections = list[tuple[str, str]]


@dataclass(frozen=True)
class ReviewKind:
    key: str
    label: str
    # (session, submission) -> the submitted version as [(section name, text)]
    sections: Callable[[Session, object], Sections]
    # (submission) -> where the worker works on the item
    url: Callable[[object], str]
    # True when the worker resubmits from the review screen (the item itself cannot change, e.g.
    # final meeting notes that take corrections as addenda); False when a new version of the item
    # is submitted from the item's own page.
    resubmit_here: bool = False
    # (session, submission, actor, rationale) -> None: approving does more than record the decision
    # (a reopen request reopens the case) and records the decision itself; raises service.Refused.
    approve: Callable[..., None] | None = None
    # What the supervisor is told approving does, beside the Approve button.
    approve_hint: str = ""
    # What a returned item's worker does next, after the link to the item (not for resubmit_here).
    returned_hint: str = "your next change starts a new version, then submit it for review again"
    # (session, item ids) -> the items no longer waiting on the worker (withdrawn, approved another
    # way), so a returned version of them leaves the worker's "Returned to you".
    settled: Callable[[Session, list[str]], set[str]] | None = None


KINDS: dict[str, ReviewKind] = {}


def register(kind: ReviewKind) -> None:
    """Add a reviewable kind. BASE: `register(ReviewKind("base_assessment", "BASE assessment", ...))`."""
    KINDS[kind.key] = kind


def label(key: str) -> str:
    kind = KINDS.get(key)
    return kind.label if kind else key.replace("_", " ").capitalize()


@dataclass
class SectionChange:
    name: str
    text: str
    added: list[str]
    removed: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def compare(current: Sections, previous: Sections | None) -> list[SectionChange]:
    """Section by section, the lines added and removed since `previous` (None: nothing approved yet)."""
    before = dict(previous or [])
    changes = []
    for name, text in current:
        if previous is None:
            changes.append(SectionChange(name, text, [], []))
            continue
        old = [line for line in before.get(name, "").splitlines() if line.strip()]
        new = [line for line in text.splitlines() if line.strip()]
        diff = list(difflib.ndiff(old, new))
        added = [line[2:] for line in diff if line.startswith("+ ")]
        removed = [line[2:] for line in diff if line.startswith("- ")]
        changes.append(SectionChange(name, text, added, removed))
    return changes


# --- Signs of Safety map versions -------------------------------------------------------------


def _sos_sections(session: Session, submission) -> Sections:
    from app.signs_of_safety import service as sos
    from app.signs_of_safety.models import Category, MapVersion

    version = session.get(MapVersion, submission.version_id)
    if version is None:
        return []
    names = {
        Category.harm: "Harm",
        Category.pair: "Worries and goals",
        Category.complicating: "Complicating factors",
        Category.strength: "Strengths",
        Category.existing_safety: "Existing safety",
        Category.next_step: "Next steps",
        Category.rule: "Safety plan rules",
        Category.red_flag: "Red flags",
        Category.non_negotiable: "Non-negotiables",
    }
    grouped: dict[str, list[str]] = {name: [] for name in names.values()}
    for item in sos.items(session=session, map_version=version):
        line = item.text + (f" — goal: {item.goal}" if item.goal else "")
        grouped[names.get(item.category, item.category)].append(line)
    return [(name, "\n".join(lines)) for name, lines in grouped.items()]


register(
    ReviewKind(
        key="sos_map",
        label="Signs of Safety map",
        sections=_sos_sections,
        url=lambda s: f"/cases/{s.case_id}/signs-of-safety",
    )
)


# --- Network meeting notes --------------------------------------------------------------------


def _meeting_sections(session: Session, submission) -> Sections:
    from app.network import service as network
    from app.network.models import NetworkMeeting

    meeting = session.get(NetworkMeeting, submission.item_id)
    if meeting is None:
        return []
    detail = network.meeting_detail(session=session, meeting=meeting)
    return [
        ("Who came", "\n".join(f"{a.name} ({a.role})" if a.role else a.name for a in detail.present)),
        ("Young person's views", meeting.young_person_views),
        ("Worries", meeting.worries),
        ("Working well", meeting.working_well),
        ("What needs to happen", meeting.needs_to_happen),
        (
            "Decisions",
            "\n".join(f"{d.decision} — {d.rationale}" if d.rationale else d.decision for d in detail.decisions),
        ),
        ("Tasks", "\n".join(f"{t.what} ({t.who})" for t in detail.tasks)),
        ("Corrections", "\n".join(a.text for a in detail.addenda)),
    ]


register(
    ReviewKind(
        key="network_meeting",
        label="Network meeting notes",
        sections=_meeting_sections,
        url=lambda s: f"/cases/{s.case_id}/network/meetings/{s.item_id}",
        resubmit_here=True,
    )
)


# --- BASE assessment versions -----------------------------------------------------------------
# BASE (app/base, built on its own branch) plugs in here once it is on this branch: its
# `service.submit(...)` then calls `review.service.submit_item(kind="base_assessment", ...)`.

_SKIP_KEYS = {"id", "revision", "by", "by_id", "at", "created_at", "updated_at", "recorded_at"}


def _describe(entry) -> str:
    if isinstance(entry, dict):
        return " · ".join(
            str(v)
            for k, v in entry.items()
            if k not in _SKIP_KEYS and isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip()
        )
    return str(entry)


def _base_sections(session: Session, submission) -> Sections:
    from app.base.models import BaseVersion  # type: ignore[import-not-found]

    version = session.get(BaseVersion, submission.version_id)
    if version is None:
        return []
    content = version.content or {}
    judgement = content.get("risk_judgement") or {}
    marks = (content.get("resilience") or {}).get("marks") or {}
    return [
        ("Engagement", "\n".join(_describe(e) for e in content.get("engagement", []))),
        ("Resilience", "\n".join(f"{factor}: {_describe(mark)}" for factor, mark in sorted(marks.items()))),
        (
            "Risk",
            "\n".join(
                [_describe(r) for r in content.get("risks", [])]
                + (
                    [f"Overall: {judgement.get('level')} — {judgement.get('rationale', '')}"]
                    if judgement.get("level")
                    else []
                )
            ),
        ),
        ("Analysis", "\n".join(_describe(n) for n in content.get("notes", []) + content.get("meetings", []))),
        ("Plan", "\n".join(_describe(s) for s in content.get("steps", []) + content.get("requirements", []))),
    ]


def _base_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("app.base.models") is not None
    except ModuleNotFoundError:
        return False


if _base_available():
    register(
        ReviewKind(
            key="base_assessment",
            label="BASE assessment",
            sections=_base_sections,
            url=lambda s: f"/cases/{s.case_id}/base",
        )
    )


# --- Endings of active work -------------------------------------------------------------------
# An ending has already moved the case (the family was told); the supervisor signs it off or
# returns it with comments, and the worker answers and sends it again from the review screen.
# A supervisor reopens a closed case directly (a re-referral); a worker asks with a reopen request.

RATING_WORDS = {"met": "Met", "partly": "Partly met", "not_met": "Not met"}


def _ending_sections(session: Session, submission) -> Sections:
    from app.endings.models import Ending

    ending = session.get(Ending, submission.version_id)
    if ending is None:
        return [("Ending", "This ending is no longer on record.")]
    goals = "\n".join(
        f"{RATING_WORDS.get(g.get('rating'), g.get('rating', ''))}: {g.get('goal', '')} ({g.get('evidence', '')})"
        for g in ending.goals
    )
    outcome = "Dormant" if ending.outcome == "dormant" else f"Closed: {ending.closure_reason.replace('_', ' ')}"
    if ending.dormant_review_on:
        outcome += f", dormant review on {ending.dormant_review_on:%-d %b %Y}"
    if ending.destination:
        outcome += f", to {ending.destination} (lead: {ending.lead_name})"
    agreement = (f"Agreed on {ending.agreed_on:%-d %b %Y}. " if ending.agreed_on else "") + ending.agreement_how
    sections = [
        ("Outcome", outcome),
        ("Goals", goals or "None recorded."),
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


register(
    ReviewKind(
        key="ending",
        label="Ending of active work",
        sections=_ending_sections,
        url=lambda s: f"/cases/{s.case_id}",
        resubmit_here=True,
    )
)


# --- Reopen requests --------------------------------------------------------------------------
# A case worker asks the supervisor to reopen a closed case (app/endings/reopen_requests.py).
# Approving it reopens the case as a re-referral; a returned request is sent again from the case's
# request page as a new version, or withdrawn.


def _reopen_sections(session: Session, submission) -> Sections:
    from app.cases.models import CLOSURE_REASONS, Case
    from app.endings.models import ASKED_BY, URGENCY, ReopenRequestVersion

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
    from app.cases.service import Conflict
    from app.cases.service import Refused as CaseRefused
    from app.endings import reopen_requests
    from app.review.service import Refused

    try:
        reopen_requests.approve(session=session, submission=submission, by=actor, rationale=rationale)
    except (CaseRefused, Conflict) as error:
        raise Refused(error.message) from None


def _reopen_settled(session: Session, item_ids: list[str]) -> set[str]:
    from app.endings import reopen_requests

    return reopen_requests.settled_item_ids(session, item_ids)


register(
    ReviewKind(
        key="reopen_request",
        label="Reopen request",
        sections=_reopen_sections,
        url=lambda s: f"/cases/{s.case_id}/reopen-request",
        approve=_reopen_approve,
        approve_hint="Approving reopens the case for screening, recorded as a re-referral with the worker's reason.",
        returned_hint="send it again from there, changed as the comments ask, or withdraw it",
        settled=_reopen_settled,
    )
)
