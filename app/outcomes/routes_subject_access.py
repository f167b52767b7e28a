"""Subject access for one person (managers only): review what is held, then download a PDF or JSON copy.

Opening the review page is audited as a read of the case (get_case), and of every other case the
person appears on that the manager includes; each download is audited as an export naming the
person, the format, any entries the manager left out after review, how many sentences were
withheld and how many of someone else's private entries were left out, with one more entry per entry partly withheld saying which of its sentences.

The service-wide search (/subject-access?q=) finds a person by name on every case, also where they
appear only on another family's case (as one of its people, a network member or a professional).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import or_
from sqlmodel import select

from app.accounts.models import Role
from app.audit import service as audit
from app.cases.models import Case, Person
from app.core.text import fold
from app.db import SessionDep
from app.forms import SentForm
from app.network.models import NetworkMember
from app.outcomes import pdf, subject_access
from app.outcomes.subject_access_elsewhere import appearances, escape_like
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


SEARCH_LIMIT = 50


@router.get("/subject-access")
def search(request: Request, session: SessionDep, actor: CurrentActor, q: str = "") -> Response:
    """Find a person by name on every case of the service: people of a case and network members."""
    require_role(actor, Role.manager)
    words = q.replace("\x00", "").strip()[:120]  # PostgreSQL refuses a NUL in a string
    found: list[tuple[str, str, str, str]] = []  # (name, case reference, as what, link)
    if len(words) >= 2:
        terms = {words, fold(words)}
        like = lambda column: or_(*[column.ilike(f"%{escape_like(t)}%", escape="\\") for t in terms])  # noqa: E731
        people = session.execute(
            select(Person.id, Person.name, Person.relationship, Case.id, Case.reference)
            .join(Case, Case.id == Person.case_id)
            .where(like(Person.name))
            .order_by(Person.name, Case.reference)
            .limit(SEARCH_LIMIT)
        ).all()
        found += [
            (name, ref, rel or "Person", f"/cases/{cid}/subject-access/{pid}") for pid, name, rel, cid, ref in people
        ]
        members = session.execute(
            select(NetworkMember.name, NetworkMember.role, Case.reference, Case.id)
            .join(Case, Case.id == NetworkMember.case_id)
            .where(NetworkMember.person_id.is_(None), like(NetworkMember.name))
            .order_by(NetworkMember.name, Case.reference)
            .limit(SEARCH_LIMIT)
        ).all()
        found += [(name, ref, f"Network member{f', {role}' if role else ''}", "") for name, role, ref, _ in members]
        audit.record_list(session=session, actor=actor, object_type="subject_access_search",
                          case_ids=[r[3] for r in people] + [r[3] for r in members],
                          detail=f"subject access search found {len(found)}")  # fmt: skip
    return render(request, "outcomes/subject_access_search.html", {"q": words, "found": found})


def _elsewhere(request: Request, session, actor, person: Person, chosen: dict | None = None) -> tuple[list, list]:
    """Every other case the person appears on, and those the manager included (all unless they
    chose): each included case is opened through the permission check, so it is audited as read."""
    found = appearances(session, person)
    params = chosen if chosen is not None else request.query_params
    if params.get("chosen"):
        keep = set(params.getlist("also"))
        included = [a for a in found if f"{a.case_id}:{a.person_id or a.member_id}" in keep]
    else:
        included = found
    audit_read = actor.method in ("GET", "HEAD")
    for a in included:
        get_case(session=session, actor=actor, case_id=a.case_id, audit_read=audit_read)
    return found, included


@router.get("/cases/{case_id}/subject-access/{person_id}")
def review(request: Request, case_id: int, person_id: str, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.manager)
    case = get_case(session=session, actor=actor, case_id=case_id)
    person = _person(session, case, person_id)
    found, included = _elsewhere(request, session, actor, person)
    bundle = subject_access.gather(session=session, case=case, subject=person, made_by=actor.user.full_name,
                                   elsewhere=included)  # fmt: skip
    return render(
        request,
        "outcomes/subject_access.html",
        {"case": case, "bundle": bundle, "label": subject_access.label, "found": found, "included": included},
    )


@router.post("/cases/{case_id}/subject-access/{person_id}")
def download(
    request: Request, case_id: int, person_id: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    require_role(actor, Role.manager)
    case = get_case(session=session, actor=actor, case_id=case_id, audit_read=False)
    person = _person(session, case, person_id)
    kind = "json" if sent.get("format") == "json" else "pdf"
    leave_out = {str(v) for v in sent.getlist("leave_out")}
    _, included = _elsewhere(request, session, actor, person, chosen=sent)
    bundle = subject_access.gather(session=session, case=case, subject=person, made_by=actor.user.full_name,
                                   elsewhere=included)  # fmt: skip
    reviewed = {e.key: e for e in bundle.to_review}
    flagged = set(reviewed)
    # An entry from another family's case goes out only when the manager released it (its box
    # ticked): left out whatever else is sent, so a post without the page releases none of them.
    released = {str(v) for v in sent.getlist("release")}
    unreleased = {key for key, e in reviewed.items() if e.from_another_family and key not in released}
    left_out = sorted((leave_out & flagged) | unreleased)  # only entries flagged for review
    bundle.entries = [e for e in bundle.entries if e.key not in left_out]
    partly = bundle.withhold({str(v) for v in sent.getlist("withhold")})
    withheld = sum(len(p.split("|", 1)[1].split(",")) for p in partly)
    cases = ",".join(a.case_reference for a in included) or "none"
    audit.record(
        session=session,
        actor=actor,
        action="export",
        object_type="subject_access",
        object_id=person.id,
        case_id=case.id,
        detail=(f"format={kind} entries={len(bundle.entries)} flagged={len(flagged)} sentences_withheld={withheld} "
                f"private_left_out={len(bundle.private_left_out)} left_out={len(left_out)} "
                f"released={len(released & flagged)} other_cases={cases}")[:300],
    )  # fmt: skip
    # Each entry left out or released by name, one audit entry each (a list of keys in the detail
    # above was cut at 300 characters once entries from other cases started left out).
    for key, action in [*((k, "leave_out") for k in left_out), *((k, "release") for k in sorted(released & flagged))]:
        audit.record(session=session, actor=actor, action=action, object_type="subject_access_entry", object_id=key,
                     case_id=_case_id_of(bundle, reviewed[key], case, included), detail=f"person={person.id}")  # fmt: skip
    by_key = {e.key: e for e in bundle.entries}
    for part in partly:
        key, which = part.split("|", 1)
        audit.record(session=session, actor=actor, action="withhold", object_type="subject_access_entry",
                     object_id=key, case_id=_case_id_of(bundle, by_key[key], case, included),
                     detail=f"person={person.id} sentences={which}")  # fmt: skip
    for a in included:
        audit.record(session=session, actor=actor, action="export", object_type="subject_access", object_id=person.id,
                     case_id=a.case_id, detail=f"format={kind} also on this case as {a.as_what} for case {case.reference}")  # fmt: skip
    body = subject_access.as_json(bundle) if kind == "json" else pdf.subject_access_pdf(bundle=bundle)
    name = f"subject-access-{case.reference}-{bundle.made_at:%Y-%m-%d}.{kind}"
    media = "application/json" if kind == "json" else "application/pdf"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _case_id_of(bundle, entry, case, included) -> int:
    refs = {a.case_reference: a.case_id for a in included}
    return refs.get(entry.case_reference, case.id)
