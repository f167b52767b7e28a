"""The letter to the family: drafted from a meeting's record, saved, finalised, printed and made
a PDF in the letter's language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import select

from app import i18n
from app.audit import service as audit
from app.cases.models import Case, Person
from app.db import SessionDep
from app.family import languages
from app.forms import Form, SentForm
from app.network import letters, pdf, rules, service
from app.network.models import NetworkMeeting
from app.network.web import LABELS, conflict_page, meeting_or_404, network_url
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.templating import flash, redirect, render, templates

router = APIRouter()


def _letter_language(session, case: Case, letter, asked: str | None) -> str:
    """The letter's language: the saved letter's; else the one the worker asked for (if offered);
    else the young person's own language (app.family.languages)."""
    if letter is not None:
        return letter.language
    offered = [lang.code for lang in languages.offered(session=session)]
    if asked in offered:
        return asked  # type: ignore[return-value]
    young = session.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person)).first()
    return languages.screen_language(session=session, person=young)


def _letter_context(
    session,
    case: Case,
    meeting: NetworkMeeting,
    body: str | None = None,
    form: Form | None = None,
    asked: str | None = None,
) -> dict:
    detail = service.meeting_detail(session=session, meeting=meeting)
    letter = letters.letter_for(session=session, meeting=meeting)
    language = _letter_language(session, case, letter, asked)
    if body is None:
        helpers = service.network_map(session=session, case=case)[1] if letter is None else []
        body = (
            letter.body
            if letter
            else letters.draft_letter(case=case, detail=detail, helpers=helpers, language=language)
        )
    text = body
    return {
        "case": case,
        "m": meeting,
        "d": detail,
        "letter": letter,
        "body": text,
        "blocks": rules.letter_blocks(text),
        "jargon": rules.jargon_in(text),
        "form": form,
        "labels": LABELS,
        "language": i18n.LANGUAGES[language],
        "languages": languages.offered(session=session),
    }


def _letter_html(ctx: dict) -> str:
    """The print page's own "letter" block, in the letter's language: the PDF is drawn from it,
    so the two cannot drift apart. The rest of the request stays in the worker's language."""
    workers_language = i18n.current()
    i18n.use(ctx["language"].code)
    template = templates.env.get_template("network/letter_print.html")
    html = "".join(template.blocks["letter"](template.new_context(ctx)))
    i18n.use(workers_language)
    return html


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter")
def letter_page(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    # Said before the worker asks for a PDF it would leave gaps in (characters its fonts lack).
    ctx["pdf_missing"] = pdf.missing_characters(html=_letter_html(ctx), language=ctx["language"].code)
    return render(request, "network/letter.html", ctx)


@router.post("/cases/{case_id}/network/meetings/{meeting_id}/letter")
def save_letter(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    meeting = meeting_or_404(session, case, meeting_id)
    form = Form(sent)
    body = form.text("body", required=True, max_length=letters.MAX_LETTER_CHARACTERS, label="The letter")
    lines = len(body.splitlines())
    if lines > letters.MAX_LETTER_LINES:
        form.error("body", f"Keep the letter to {letters.MAX_LETTER_LINES} lines or fewer (it has {lines}).")
    base = form.integer("base_version", minimum=0, default=None)
    language = form.choice("language", list(i18n.LANGUAGES), default=i18n.DEFAULT) or i18n.DEFAULT
    finalise = form.values.get("action") == "finalise"
    url = f"{network_url(case.id)}/meetings/{meeting.id}/letter"
    if finalise and meeting.finalised_at is None:
        # The letter is the family's copy of the meeting's plan: final only once the record is.
        form.error(
            "finalise",
            "Finalise the meeting notes first: the letter is made from them, and a draft can still "
            "change. Save the letter for now; what you typed is still here.",
        )
    if not form.ok:
        return render(
            request,
            "network/letter.html",
            _letter_context(session, case, meeting, body=body, form=form, asked=language),
            status_code=422,
        )
    try:
        letter = letters.save_letter(
            session=session, meeting=meeting, body=body, base_version=base, finalise=finalise, language=language
        )
    except (service.StaleVersion, service.AlreadyFinal):
        return conflict_page(request, case, url, "this letter")
    audit.record(
        session=session,
        actor=actor,
        action="finalise" if finalise else "update",
        object_type="family_letter",
        object_id=letter.id,
        case_id=case.id,
    )
    flash(request, "Letter is final and ready to print." if finalise else "Letter saved.")
    return redirect(request, url)


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter/print")
def letter_print(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    ctx["pdf_missing"] = pdf.missing_characters(html=_letter_html(ctx), language=ctx["language"].code)
    i18n.use(ctx["language"].code)  # the family's page: in the letter's language
    return render(request, "network/letter_print.html", ctx)


@router.get("/cases/{case_id}/network/meetings/{meeting_id}/letter.pdf")
def letter_pdf(
    request: Request, case_id: int, meeting_id: str, session: SessionDep, actor: CurrentActor, lang: str | None = None
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    meeting = meeting_or_404(session, case, meeting_id)
    ctx = _letter_context(session, case, meeting, asked=lang)
    html = _letter_html(ctx)
    if missing := pdf.missing_characters(html=html, language=ctx["language"].code):
        # Never a PDF with gaps where the family's words were: the browser's print view draws them.
        return render(request, "network/letter.html", {**ctx, "pdf_missing": missing}, status_code=422)
    code = i18n.use(ctx["language"].code)
    content = pdf.letter_pdf(html=html, title=i18n.gettext("Our family plan"), language=code)
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="family_letter",
        object_id=meeting.id,
        case_id=case.id,
        # Which text was printed: the letter saved (its id and version), or the draft made from the meeting.
        detail=f"pdf letter={letter.id} version={letter.version}{' final' if letter.finalised_at else ''}"
        if (letter := ctx["letter"]) is not None
        else "pdf unsaved draft",
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="family-letter-{meeting.held_on.isoformat()}.pdf"',
            "Cache-Control": "no-store",
        },
    )
