"""Caseload, new referral and the case page; people, consent, contacts, living and lifecycle live
in routes_people.py, routes_consent.py, routes_contacts.py, routes_living.py and
routes_lifecycle.py, included here so app.main finds one router."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import true
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.cases import caseload, eligibility, extensions, page_cache, reads, referral, rules, service
from app.cases import consent as consent_service
from app.cases import contacts as contact_words
from app.cases import header as case_header
from app.cases import people as people_service
from app.cases import timeline as case_timeline
from app.cases.models import (
    CONSENT_PURPOSES,
    ETHNICITIES,
    GENDERS,
    PRACTICE_CONTEXT_LABELS,
    REFERRAL_ROUTES,
    STATUTORY_STATUSES,
    YES_NO_NOT_KNOWN,
    Case,
)
from app.config import Settings
from app.db import SessionDep, in_one_hop
from app.forms import Form, SentForm
from app.ids import is_valid_id
from app.page_versions import pending_page_changes
from app.security.auth import CurrentActor, SettingsDep, require_role, worker_actor
from app.security.permissions import get_case
from app.templating import flash, is_htmx, redirect, render, render_body
from app.timeutil import age_on, local, today, utcnow

router = APIRouter()

TIMELINE_FILTERS = [("", "Everything"), ("event", "Decisions"), ("contact", "Contacts")]
TIMELINE_PAGE = 20  # timeline items on the case page; older ones on demand
RECENT_CONTACTS = 5  # in the Contacts part
DUE_SOON_DAYS = 7


@router.get("/")
def home(request: Request, session: SessionDep, actor: CurrentActor, q: str = "", mine: str = "") -> Response:
    if actor.role is Role.admin:
        return redirect(request, "/admin/users", status_code=303)
    if actor.role is Role.supervisor and not mine:
        # A supervisor starts from what their team needs today (issue 19); "My caseload" is ?mine=1.
        return redirect(request, "/team/cases", status_code=303)
    rows = caseload.caseload_rows(session=session, user=actor.user, search=q[:100].strip())
    audit.record_list(session=session, actor=actor, object_type="caseload", case_ids=[r.case.id for r in rows])
    groups = {
        "open": [r for r in rows if r.case.status in ("active", "screening", "referred")],
        "dormant": [r for r in rows if r.case.status == "dormant"],
        "closed": [r for r in rows if r.case.status == "closed"],
    }
    counts = {"active": sum(1 for r in rows if r.case.status == "active"), "dormant": len(groups["dormant"])}
    ctx = {"groups": groups, "counts": counts, "q": q, "today": today(), "show_worker": actor.role is not Role.worker}
    return render(request, "cases/caseload.html", ctx, block="caseload")


# ---------------------------------------------------------------- new referral


def _staff(session: Session, actor) -> tuple[list[User], list[User]]:
    """Key workers the actor may assign and possible co-workers: their own team's staff (a
    manager's: the whole service), so a referral form does not list every team's people."""
    in_scope = true() if actor.role is Role.manager else User.team_id == actor.user.team_id
    team_workers = list(
        session.exec(
            select(User).where(in_scope, User.role == Role.worker, User.is_active.is_(True)).order_by(User.full_name)
        ).all()
    )
    co_workers = list(
        session.exec(
            select(User)
            .where(in_scope, User.role.in_([Role.worker, Role.supervisor]), User.is_active.is_(True))
            .order_by(User.full_name)
            .limit(300)
        ).all()
    )
    return team_workers, co_workers


def _referral_ctx(session: Session, actor, form: Form | None) -> dict:
    team_workers, co_workers = _staff(session, actor)
    return {
        "form": form,
        "genders": GENDERS,
        "ethnicities": ETHNICITIES,
        "routes": REFERRAL_ROUTES,
        "statutory": STATUTORY_STATUSES,
        "yes_no": YES_NO_NOT_KNOWN,
        "contexts": [(k.value, v) for k, v in PRACTICE_CONTEXT_LABELS.items()],
        "key_workers": [(u.id, u.full_name) for u in team_workers],
        "co_workers": [(u.id, u.full_name) for u in co_workers],
        "default_worker": actor.id if actor.role is Role.worker else None,
        "today": today(),
        "age_warning": form is not None and "age_note" in form.errors,
    }


@router.get("/referrals/new")
def new_referral(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    require_role(actor, Role.worker, Role.supervisor)
    return render(request, "cases/referral.html", _referral_ctx(session, actor, None))


@router.post("/referrals")
def create_referral(request: Request, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    require_role(actor, Role.worker, Role.supervisor)
    form = Form(sent)
    team_workers, co_workers = _staff(session, actor)
    fields = {
        "young_person_name": " ".join(
            form.text("young_person_name", required=True, max_length=120, label="The young person's name").split()
        ),
        "preferred_name": form.text("preferred_name", max_length=80),
        "date_of_birth": form.date("date_of_birth", required=True, not_future=True, label="The date of birth"),
        "gender": form.choice("gender", [c for c, _ in GENDERS], default="not_known"),
        "ethnicity": form.choice("ethnicity", [c for c, _ in ETHNICITIES], default="not_known"),
        "referral_date": form.date(
            "referral_date", required=True, not_future=True, default=today(), label="The referral date"
        ),
        "referral_time": form.time("referral_time"),
        "referral_route": form.choice("referral_route", [c for c, _ in REFERRAL_ROUTES]),
        "referrer_agency": form.text("referrer_agency", max_length=120),
        "referrer_name": form.text("referrer_name", max_length=120),
        "referrer_contact": form.text("referrer_contact", max_length=200),
        "referral_reason": form.text(
            "referral_reason", required=True, max_length=4000, label="The reason for referral"
        ),
        "statutory_status_at_referral": form.choice(
            "statutory_status_at_referral", [c for c, _ in STATUTORY_STATUSES], default="none"
        ),
        "practice_context": form.choice(
            "practice_context", [k.value for k in PRACTICE_CONTEXT_LABELS], default="early_help"
        ),
    }
    for key in ("prior_cin", "prior_cp", "prior_cla"):
        fields[key] = form.choice(key, [c for c, _ in YES_NO_NOT_KNOWN], default="not_known")
        fields[f"{key}_on"] = form.date(
            f"{key}_on", not_future=True, label=f"The date of the earlier {key.removeprefix('prior_').upper()}"
        )
        if fields[f"{key}_on"] and fields[key] != "yes":
            form.error(f"{key}_on", "A date is only needed when the answer is yes.")
    worker_id = form.choice("key_worker_id", [u.id for u in team_workers])
    co_worker_id = form.choice("co_worker_id", [u.id for u in co_workers], required=False)
    if worker_id and co_worker_id and worker_id == co_worker_id:
        form.error("co_worker_id", "The co-worker must be someone other than the key worker.")
    dob = fields["date_of_birth"]
    if dob and "date_of_birth" not in form.errors:
        warning = rules.age_warning(age_on(dob, today()))
        fields["age_note"] = form.text("age_note", max_length=500)
        if warning and not fields["age_note"]:
            form.error("age_note", warning)
    if (
        fields["referral_date"] == today()
        and fields["referral_time"]
        and fields["referral_time"] > local(utcnow()).time().replace(tzinfo=None)
    ):
        form.error("referral_time", "This time has not happened yet today.")
    if fields["referral_date"] and dob and fields["referral_date"] < dob:
        form.error("referral_date", "The referral date is before the young person's date of birth.")
    if not form.ok:
        return render(request, "cases/referral.html", _referral_ctx(session, actor, form), status_code=422)
    key_worker = next(u for u in team_workers if str(u.id) == worker_id)
    case = referral.create_referral(
        session=session,
        by=actor,
        fields=fields,
        key_worker=key_worker,
        co_worker_id=int(co_worker_id) if co_worker_id else None,
    )
    flash(request, f"Referral recorded as {case.reference}.")
    return redirect(request, f"/cases/{case.id}")


# ---------------------------------------------------------------- the case page


def case_context(*, session: Session, case, actor, settings, kind: str = "", shown: int = TIMELINE_PAGE) -> dict:
    """Everything the case page shows, in a constant number of queries: the parts that want the
    same small record sets of the case read them once (app/cases/reads.py)."""
    with reads.case_page_reads(session, case.id, names={actor.user.id: actor.user.full_name}):
        return _case_context(session=session, case=case, actor=actor, settings=settings, kind=kind, shown=shown)


def _case_context(*, session: Session, case, actor, settings, kind: str, shown: int) -> dict:
    people = people_service.people_of(session=session, case=case)
    consents, consent_grid = consent_service.at_a_glance(session=session, case=case, people=people)
    # The timeline's latest contacts, read once for both (the latest by day and start time).
    latest_contacts = case_timeline.latest_contacts(session=session, case=case, latest=shown)
    visited = [c for c in latest_contacts if c.attended][:1]
    if not visited and latest_contacts and latest_contacts[0].total > len(latest_contacts):
        # Only missed visits lately: the last one attended, read only then.
        visited = [v for v in [contact_words.last_visit(session=session, case=case)] if v is not None]
    facts = service.case_facts(session=session, case=case, by=actor)
    todo = extensions.todo(session=session, case=case, actor=actor)
    return {
        **timeline_context(session=session, case=case, kind=kind, shown=shown),
        "timeline_open": bool(kind) or shown > TIMELINE_PAGE,
        "needs": needs_doing(todo, case=case, last=visited, no_contact_days=settings.no_contact_flag_days, on=today()),
        "dormant_review": next((t for t in todo if t.key == "dormant_review"), None),
        "today": today(),
        "case": case,
        "header": case_header.header(
            session=session, case=case, first_contact_target_hours=settings.first_contact_target_hours
        ),
        "target_hours": settings.first_contact_target_hours,
        "people": people,
        "names": {p.id: p.name for p in people},
        "consent_grid": consent_grid,
        "consent_purposes": CONSENT_PURPOSES,
        "has_consents": bool(consents),
        # Purposes nobody has consented to yet, for the Consent part's closed summary line.
        "consent_missing": [
            words
            for code, words in CONSENT_PURPOSES
            if not any(consent_grid[p.id][code].state == "given" for p in people)
        ],
        "eligibility": eligibility.latest_decision(session=session, case=case),
        "recent_contacts": latest_contacts[:RECENT_CONTACTS],
        "contact_title": contact_words.title,
        "allowed": rules.allowed_transitions(facts),
        "facts": facts,
        "can_change": actor.role in (Role.worker, Role.supervisor) and facts.role in ("worker", "supervisor"),
        "contexts": PRACTICE_CONTEXT_LABELS,
        "sections": extensions.case_sections(session=session, case=case, actor=actor),
    }


def timeline_context(*, session: Session, case, kind: str = "", shown: int = TIMELINE_PAGE) -> dict:
    """What the timeline block needs: the whole case page's context is not built for a filter.
    The latest `shown` items; older ones on demand ("Show older items"), so a long case does not
    make a long page."""
    # Each feature reads only its latest `shown` of a kind (with how many older ones it has), so
    # the newest `shown` of the whole case, or of one kind, are all there whatever its length.
    everything = extensions.timeline_items(session=session, case=case, latest=shown)
    known = {k for k, _ in TIMELINE_FILTERS}
    kinds = sorted(({item.kind for item in everything} | set(everything.left_out)) - known)
    chosen = [item for item in everything if item.kind == kind] if kind else everything
    left_out = everything.left_out.get(kind, 0) if kind else sum(everything.left_out.values())
    count = len(chosen) + left_out
    return {
        "case": case,
        "timeline": chosen[:shown],
        "timeline_more": shown + TIMELINE_PAGE if count > shown else 0,
        "timeline_hidden": max(0, count - shown),
        "timeline_kind": kind,
        "timeline_filters": TIMELINE_FILTERS + [(k, k.capitalize()) for k in kinds],
    }


@dataclass(frozen=True)
class NeedsDoing:
    flags: list
    overdue: list
    soon: list
    returned: list
    waiting: list
    later: int
    next_visit: str


def needs_doing(todo: list, *, case, last: list, no_contact_days: int, on: date) -> NeedsDoing:
    """Sort every feature's open items for the top of the case page: overdue, due within a week,
    flags and returned work; the next visit is due before the no-contact flag would be raised."""
    tasks = [t for t in todo if t.kind == "task"]
    soon_until = on + timedelta(days=DUE_SOON_DAYS)
    overdue = sorted((t for t in tasks if t.due_on and t.due_on < on), key=lambda t: t.due_on)
    soon = sorted((t for t in tasks if t.due_on and on <= t.due_on <= soon_until), key=lambda t: t.due_on)
    next_visit = ""
    if case.status == "active":
        visited = next((c.occurred_on for c in last if c.attended), None)
        if visited is None:
            next_visit = "no visit recorded yet"
        else:
            due = visited + timedelta(days=no_contact_days - 1)
            words = "overdue since" if due < on else "due by"
            next_visit = f"{words} {due.strftime('%-d %b %Y')} (last contact {visited.strftime('%-d %b %Y')})"
    return NeedsDoing(
        flags=[t for t in todo if t.kind == "flag"],
        overdue=overdue,
        soon=soon,
        returned=[t for t in todo if t.kind == "returned"],
        waiting=[t for t in todo if t.kind == "waiting"],
        later=len(tasks) - len(overdue) - len(soon),
        next_visit=next_visit,
    )


@router.get("/cases/{case_id}")
async def case_page(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    kind: str = "",
    shown: int = TIMELINE_PAGE,
) -> Response:
    # The page a worker opens most: who is asking, the case, its page and the commit in one hop to
    # the thread pool instead of four (the session's two, the actor's, the route's: issue 21).
    return await in_one_hop(session, _case_page, request, case_id, session, settings, kind, shown)


def _case_page(request: Request, case_id: int, session: Session, settings: Settings, kind: str, shown: int) -> Response:
    # The case comes with the session lookup, one statement for both; get_case decides on it.
    actor = worker_actor(request, session, settings, along=(Case, case_id) if is_valid_id(case_id) else None)
    case = get_case(session=session, actor=actor, case_id=case_id)
    if kind and not kind.isidentifier():
        raise HTTPException(status_code=404)
    shown = min(max(shown, TIMELINE_PAGE), 5000)
    if is_htmx(request):  # a timeline filter or older items: only the timeline block is sent back
        with reads.case_page_reads(session, case.id):  # the kinds of record the case has none of are not read
            ctx = timeline_context(session=session, case=case, kind=kind[:20], shown=shown)
        return render(request, "cases/case.html", ctx, block="timeline")
    if kind or shown != TIMELINE_PAGE or actor.in_family_mode or pending_page_changes(session):
        ctx = case_context(session=session, case=case, actor=actor, settings=settings, kind=kind[:20], shown=shown)
        return render(request, "cases/case.html", ctx)
    # The usual view: its body from the cache when nothing it shows has changed (app/cases/page_cache.py).
    key = page_cache.key(case=case, actor=actor, settings=settings)
    cached = page_cache.pages.get(key)
    if cached is None:
        ctx = case_context(session=session, case=case, actor=actor, settings=settings)
        cached = page_cache.CachedPage(render_body(request, "cases/case.html", ctx))
        page_cache.pages.put(key, cached)

    def whole() -> Response:
        return render(request, "cases/case.html", {"case": case, "cached_body": Markup(cached.body)})

    if page_cache.sendable(request):
        return page_cache.send_whole(cached, actor.user.full_name, whole)
    return whole()


from app.cases import (  # noqa: E402  (they import helpers from here)
    routes_consent,
    routes_contacts,
    routes_lifecycle,
    routes_living,
    routes_people,
    routes_plan,
    routes_team,
)

router.include_router(routes_people.router)
router.include_router(routes_consent.router)
router.include_router(routes_contacts.router)
router.include_router(routes_living.router)
router.include_router(routes_lifecycle.router)
router.include_router(routes_team.router)
router.include_router(routes_plan.router)
