"""Subject access for one person (managers only): review what is held, then download a PDF or JSON copy.

Opening the review page is audited as a read of the case (get_case); each download is audited as an
export naming the person, the format and any entries the manager left out after review.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts.models import Role
from app.audit import service as audit
from app.cases.models import Person
from app.db import SessionDep
from app.outcomes import pdf, subject_access
from app.security.auth import CurrentActor, require_role
from app.security.permissions import get_case
from app.templating import render

router = APIRouter()


def _person(session, case, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.case_id != case.id:
        raise HTTPException(status_code=404)
    return person


@router.get("/cases/{case_id}/subject-access")
def choose(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    case = get_case(session=session, actor=actor, case_id=case_id)
    people = session.exec(select(Person).where(Person.case_id == case.id).order_by(Person.name)).all()
    return render(request, "outcomes/subject_access_choose.html", {"case": case, "people": people})


@router.get("/cases/{case_id}/subject-access/{person_id}")
def review(request: Request, case_id: int, person_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    case = get_case(session=session, actor=actor, case_id=case_id)
    bundle = subject_access.gather(session=session, case=case, subject=_person(session, case, person_id),
                                   made_by=actor.user.full_name)  # fmt: skip
    return render(
        request, "outcomes/subject_access.html", {"case": case, "bundle": bundle, "label": subject_access.label}
    )


@router.post("/cases/{case_id}/subject-access/{person_id}")
async def download(
    request: Request, case_id: int, person_id: str, session: SessionDep, actor: CurrentActor
) -> Response:
    require_role(actor, Role.manager)
    case = get_case(session=session, actor=actor, case_id=case_id, audit_read=False)
    person = _person(session, case, person_id)
    form = await request.form()
    kind = "json" if form.get("format") == "json" else "pdf"
    leave_out = {str(v) for v in form.getlist("leave_out")}
    bundle = subject_access.gather(session=session, case=case, subject=person, made_by=actor.user.full_name)
    flagged = {e.key for e in bundle.to_review}
    left_out = sorted(leave_out & flagged)  # only entries flagged for review can be left out here
    bundle.entries = [e for e in bundle.entries if e.key not in left_out]
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="subject_access",
        object_id=person.id,
        case_id=case.id,
        detail=f"format={kind} entries={len(bundle.entries)} flagged={len(flagged)} left_out={','.join(left_out) or 'none'}"[
            :300
        ],
    )
    body = subject_access.as_json(bundle) if kind == "json" else pdf.subject_access_pdf(bundle=bundle)
    name = f"subject-access-{case.reference}-{bundle.made_at:%Y-%m-%d}.{kind}"
    media = "application/json" if kind == "json" else "application/pdf"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
