"""The letter to the family: a plain-language first draft from the meeting, the worker's edits, final.

PRACTICE.md: the plan is the family's, so they get a copy in plain words. Saving carries the version
the edit started from; a stale save or a save after the letter is final is refused.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from app.cases.models import Case
from app.network.models import FamilyLetter, NetworkMeeting
from app.network.service import AlreadyFinal, MapEntry, MeetingDetail, StaleVersion
from app.timeutil import utcnow

# What one letter may hold: a family letter is a page or two, and the PDF's time grows with its
# lines (issue 20: 4,900 one-word lines took 92 s of a core).
MAX_LETTER_CHARACTERS = 20000
MAX_LETTER_LINES = 200


def _when(value: date | None) -> str:
    return value.strftime("%A %-d %B %Y") if value else "a date to be agreed"


def draft_letter(*, case: Case, detail: MeetingDetail, helpers: list[MapEntry] | None = None) -> str:
    """A first draft of the letter in plain words, for the worker to edit before it is final."""
    m = detail.meeting
    name = case.display_name
    lines = [
        f"Dear {name} and family,",
        "",
        f"Thank you for coming to the meeting on {_when(m.held_on)}{' at ' + m.venue if m.venue else ''}. "
        "This letter is a short record of what we talked about and what everyone agreed. It is your plan.",
        "",
        "## Who came",
    ]
    lines += [f"- {a.name}{' (' + a.role + ')' if a.role else ''}" for a in detail.present]
    if detail.apologies:
        lines += ["", "Could not come this time: " + ", ".join(a.name for a in detail.apologies) + "."]
    if m.young_person_views:
        lines += ["", f"## What {name} said", m.young_person_views]
    if detail.decisions:
        lines += ["", "## What we agreed"] + [f"- {d.decision}" for d in detail.decisions]
    if detail.tasks:
        lines += ["", "## Who does what"]
        lines += [
            f"- {t.who} will {_lower_first(t.what)} by {_when(t.due_on)}{_checker(t.checked_by)}." for t in detail.tasks
        ]
    if detail.contingencies:
        lines += ["", "## If things go wrong"] + [f"- If {c.if_this}: {c.then_this}" for c in detail.contingencies]
    numbers = [h for h in helpers or [] if h.agreed_to_help and h.phone]
    if numbers:
        lines += ["", "## Useful numbers"] + [f"- {h.name}: {h.phone}" for h in numbers]
    lines += [
        "",
        "## Next meeting",
        f"We will meet again on {_when(m.next_meeting_on)}.",
        "",
        "If anything here is not right, please tell your worker.",
        "",
    ]
    return "\n".join(lines)


def letter_for(*, session: Session, meeting: NetworkMeeting) -> FamilyLetter | None:
    return session.exec(select(FamilyLetter).where(FamilyLetter.meeting_id == meeting.id)).first()


def save_letter(
    *, session: Session, meeting: NetworkMeeting, body: str, base_version: int | None, finalise: bool = False
) -> FamilyLetter:
    """Save the worker's edited letter (and optionally make it final); stale edits are refused."""
    letter = letter_for(session=session, meeting=meeting)
    if letter is None:
        if base_version not in (None, 0):
            raise StaleVersion(0)
        letter = FamilyLetter(meeting_id=meeting.id, body=body)
    else:
        if letter.body == body and (letter.finalised_at is not None or not finalise):
            return letter  # a replay of a save already applied: success, nothing changes
        if letter.finalised_at is not None:
            raise AlreadyFinal()
        if base_version is not None and base_version != letter.version:
            raise StaleVersion(letter.version)
        letter.body = body
        letter.version += 1
    letter.updated_at = utcnow()
    if finalise:
        letter.finalised_at = utcnow()
    session.add(letter)
    session.flush()
    return letter


def _lower_first(what: str) -> str:
    return what[0].lower() + what[1:] if what else ""


def _checker(checked_by: str | None) -> str:
    return f". {checked_by} will check" if checked_by else ""
