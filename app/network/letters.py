"""The letter to the family: a plain-language first draft from the meeting, the worker's edits, final.

PRACTICE.md: the plan is the family's, so they get a copy in plain words. Saving carries the version
the edit started from; a stale save or a save after the letter is final is refused.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from sqlmodel import Session, select

from app.cases.models import Case
from app.i18n import gettext_in
from app.network.models import FamilyLetter, NetworkMeeting
from app.network.service import AlreadyFinal, MapEntry, MeetingDetail, StaleVersion
from app.timeutil import utcnow

# What one letter may hold: a family letter is a page or two, and the PDF's time grows with its
# lines (issue 20: 4,900 one-word lines took 92 s of a core).
MAX_LETTER_CHARACTERS = 20000
MAX_LETTER_LINES = 200


def _when(value: date | None, language: str = "en") -> str:
    if not value:
        return gettext_in(language, "a date we will agree")
    if language == "en":
        return value.strftime("%A %-d %B %Y")
    return format_date(value, "EEEE d MMMM y", locale=language)


def task_line(*, who: str, what: str, due: str, checker: str | None, language: str = "en") -> str:
    """One task as the letter says it, whatever the worker typed (issue 18, defect 3).

    The task keeps the worker's own words as they are (never "Lan (Nan) will nan keeps her
    phone on", from gluing "will" to a sentence); who does it and by when follow as labels.
    """
    what = " ".join(what.split()).rstrip(" .")
    what = what[:1].upper() + what[1:]
    line = gettext_in(language, "{what}. Who: {who}. By {when}.").format(what=what, who=who.strip(), when=due)
    if checker:
        line += " " + gettext_in(language, "Checked by {name}.").format(name=checker.strip())
    return line


def draft_letter(
    *, case: Case, detail: MeetingDetail, helpers: list[MapEntry] | None = None, language: str = "en"
) -> str:
    """A first draft of the letter in plain words, in the family's language, for the worker to edit."""

    def _(message: str, **values: str) -> str:  # gettext in the letter's language (extracted as `_`)
        return gettext_in(language, message).format(**values)

    m = detail.meeting
    name = case.display_name
    thanks = (
        _("Thank you for coming to the meeting on {when} at {place}.", when=_when(m.held_on, language), place=m.venue)
        if m.venue
        else _("Thank you for coming to the meeting on {when}.", when=_when(m.held_on, language))
    )
    lines = [
        _("Dear {name} and family,", name=name),
        "",
        thanks + " " + _("This letter says what we talked about and what we all agreed. It is your plan."),
        "",
        "## " + _("Who came"),
    ]
    lines += [f"- {a.name}{' (' + a.role + ')' if a.role else ''}" for a in detail.present]
    if detail.apologies:
        lines += ["", _("Could not come this time: {names}.", names=", ".join(a.name for a in detail.apologies))]
    if m.young_person_views:
        lines += ["", "## " + _("What {name} said", name=name), m.young_person_views]
    if detail.decisions:
        lines += ["", "## " + _("What we agreed")] + [f"- {d.decision}" for d in detail.decisions]
    if detail.tasks:
        lines += ["", "## " + _("Who does what")]
        lines += [
            "- "
            + task_line(
                who=task.who,
                what=task.what,
                due=_when(task.due_on, language),
                checker=task.checked_by,
                language=language,
            )
            for task in detail.tasks
        ]
    if detail.contingencies:
        lines += ["", "## " + _("If things go wrong")]
        lines += ["- " + _("If {this}: {then}", this=c.if_this, then=c.then_this) for c in detail.contingencies]
    numbers = [h for h in helpers or [] if h.agreed_to_help and h.phone]
    if numbers:
        lines += ["", "## " + _("Useful numbers")] + [f"- {h.name}: {h.phone}" for h in numbers]
    lines += [
        "",
        "## " + _("Next meeting"),
        _("We will meet again on {when}.", when=_when(m.next_meeting_on, language)),
        "",
        _("If anything here is not right, please tell your worker."),
        "",
    ]
    return "\n".join(lines)


def letter_for(*, session: Session, meeting: NetworkMeeting) -> FamilyLetter | None:
    return session.exec(select(FamilyLetter).where(FamilyLetter.meeting_id == meeting.id)).first()


def save_letter(
    *,
    session: Session,
    meeting: NetworkMeeting,
    body: str,
    base_version: int | None,
    finalise: bool = False,
    language: str = "en",
) -> FamilyLetter:
    """Save the worker's edited letter (and optionally make it final); stale edits are refused."""
    letter = letter_for(session=session, meeting=meeting)
    if letter is None:
        if base_version not in (None, 0):
            raise StaleVersion(0)
        letter = FamilyLetter(meeting_id=meeting.id, body=body, language=language)
    else:
        if letter.body == body and letter.language == language and (letter.finalised_at is not None or not finalise):
            return letter  # a replay of a save already applied: success, nothing changes
        if letter.finalised_at is not None:
            raise AlreadyFinal()
        if base_version is not None and base_version != letter.version:
            raise StaleVersion(letter.version)
        letter.body = body
        letter.language = language
        letter.version += 1
    letter.updated_at = utcnow()
    if finalise:
        letter.finalised_at = utcnow()
    session.add(letter)
    session.flush()
    return letter
