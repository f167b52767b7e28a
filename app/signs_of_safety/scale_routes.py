"""Safety scales: each rater's 0-10 judgement per statement pair and overall, and their history."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.audit import service as audit
from app.cases.models import Case, Person, new_id
from app.cases.people import valid_client_id
from app.db import SessionDep
from app.forms import Form, SentForm
from app.refused import Refused
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.signs_of_safety import rules, service
from app.signs_of_safety.models import Category, RaterRole
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import LOCAL, local, today, utcnow

router = APIRouter()


def _scales(session, case: Case, person: Person | None = None) -> list[tuple[str | None, str, str]]:
    """(pair_key, name, the statement) for the overall scale and each pair in the latest version.

    For a family member (`person`) the worry itself shows only if they know the worries; else
    the worker's family version of it, or the goal only (docs/family-mode.md).
    """
    labels = rules.labels(case.practice_context)
    found: list[tuple[str | None, str, str]] = [
        (None, "Overall", f"How {labels.scale_question} are things for the young person overall?")
    ]
    latest = service.latest_version(session=session, case=case)
    if latest:
        pairs = [i for i in service.items(session=session, map_version=latest) if i.category == Category.pair]
        found.extend(
            (p.item_key, f"{labels.statement} {n}", p.text if person is None else rules.shared_worry(p, person))
            for n, p in enumerate(pairs, start=1)
        )
    return found


@router.get("/cases/{case_id}/signs-of-safety/scales")
def scales_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    rows = service.ratings(session=session, case=case)
    relationships = {p.id: p.relationship for p in service.people(session=session, case=case) if p.relationship}
    scales = []
    for pair_key, name, statement in _scales(session, case):
        series = service.scale_series(rows, pair_key, relationships)
        scales.append(
            {
                "key": pair_key or "overall",
                "name": name,
                "statement": statement,
                "chart": rules.chart(series),
                "table": rules.score_table(series),
            }
        )
    latest_rows = [r for r in reversed(rows) if r.why_not_lower or r.one_step_higher][:8]
    return render(
        request,
        "signs_of_safety/scales.html",
        {
            "case": case,
            "scales": scales,
            "raters": service.raters(session=session, case=case, actor_user=actor.user),
            "role_labels": rules.RATER_ROLE_LABELS,
            "recent": latest_rows,
            "base": f"/cases/{case.id}/signs-of-safety",
        },
    )


def _rate_context(
    session,
    case: Case,
    rater_key: str | None,
    form: Form | None,
    rating_id: str | None = None,
    actor_user=None,
    person: Person | None = None,
    replayed: bool = False,
) -> dict:
    """The rating screen for `rater_key` (None: whoever service.default_rater opens it on).

    "supervisor" from someone it is not offered to comes from a form kept on a device from before
    December 2026: applied as the outbox replays it (`replayed`), and recorded as such in the audit
    log; asked any other way, the screen asks which supervisor gave the rating, by name."""
    offered = service.raters(session=session, case=case, actor_user=actor_user)
    if rater_key is None:
        rater_key = service.default_rater(case=case, actor_user=actor_user, offered=offered)
    rater = next((r for r in offered if r.key == rater_key), None)
    choose_from, kept_form = [], False
    if rater is None and rater_key == "supervisor":
        try:
            rater = service.legacy_supervisor(session=session, case=case, replayed=replayed)
            kept_form = True
        except Refused as refused:
            rater, choose_from = service.SOME_SUPERVISOR, [r for r in offered if r.role == RaterRole.supervisor]
            if form is not None:
                form.error(refused.field or "rater", refused.message)
    if rater is None:
        raise HTTPException(status_code=404)
    low, high = rules.anchors(rater_role=rater.role, practice_context=case.practice_context)
    scales = _scales(session, case, person)
    if rater.role in rules.FAMILY_OVERALL_QUESTION:
        scales[0] = (None, "Overall", rules.FAMILY_OVERALL_QUESTION[rater.role])
    return {
        "case": case,
        "rater": rater,
        "choose_from": choose_from,
        "kept_form": kept_form,
        "role_label": rules.RATER_ROLE_LABELS[rater.role],
        "anchor_low": low,
        "anchor_high": high,
        "scales": scales,
        "form": form,
        "rating_id": rating_id or new_id(),
        "young": rater.role == "young_person",
        "base": f"/cases/{case.id}/signs-of-safety",
        "today": today(),
    }


MAX_SCALES = 50


def _posted_scales(session, case: Case, form: Form, scales: list[tuple[str | None, str, str]]) -> list[str | None]:
    """Which scale each numbered answer is about, as the form said (`scale-<n>`).

    A form kept on a device may be sent after the map has changed (a pair removed or added), so
    answers are matched by the pair's key, never by position. A rating given for a pair removed
    since is still kept (ratings are never dropped); a key that is not a statement pair of this
    case is ignored. Forms without the keys (older pages) follow the current order.
    """
    if "scale-0" not in form.values:
        return [pair_key for pair_key, _name, _statement in scales]
    posted = []
    while f"scale-{len(posted)}" in form.values and len(posted) < MAX_SCALES:
        posted.append(form.values.get(f"scale-{len(posted)}") or "")
    current = {pair_key for pair_key, _name, _statement in scales}
    unknown = {key for key in posted if key != "overall" and key not in current}
    known = service.pair_keys(session=session, case=case, among=unknown) if unknown else set()
    # Each scale once per rating: a key named again (the page never does) is ignored, so one
    # submission cannot store two overall ratings.
    seen: set[str] = set()
    scales = []
    for key in posted:
        scales.append(
            "" if key in seen else None if key == "overall" else key if key in current or key in known else ""
        )
        seen.add(key)
    return scales


# The worker's rating screen: its `rater` field names whoever the worker is recording for (on
# paper, by phone), so it is refused in family mode; the family rate on their own screens
# (app/signs_of_safety/family_routes.py), where the rater comes from the session.
@router.get("/cases/{case_id}/signs-of-safety/scales/rate")
def rate_page(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, rater: str = "") -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    return render(
        request, "signs_of_safety/rate.html", _rate_context(session, case, rater or None, None, actor_user=actor.user)
    )


@router.post("/cases/{case_id}/signs-of-safety/scales/ratings")
def add_ratings(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    """One rater's ratings: the overall scale and any pairs they chose to rate, one row each."""
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    rater_key = form.values.get("rater", "")
    # An offline replay comes with its operation id (app/sync/ledger.py).
    replayed = op is not None
    if not rater_key and form.values.get("choose") == "supervisor":
        # The screen asking which supervisor gave the rating, sent without one chosen: asked again,
        # never read as a kept form however it was sent.
        rater_key, replayed = "supervisor", False
    rating_id = valid_client_id(form.values.get("id")) or new_id()
    context = _rate_context(session, case, rater_key, form, rating_id, actor_user=actor.user, replayed=replayed)
    created_any = save_ratings(session=session, actor=actor, case=case, form=form, context=context, rating_id=rating_id)
    if created_any is None:
        return render(request, "signs_of_safety/rate.html", context, status_code=422)
    if created_any:
        flash(request, f"Thank you. {context['rater'].name}'s rating is saved.")
    return redirect(request, f"/cases/{case.id}/signs-of-safety/scales")


def save_ratings(
    *,
    session,
    actor,
    case: Case,
    form: Form,
    context: dict,
    rating_id: str,
    on_family_screens: bool = False,
    handed_over: bool = False,
    handed_over_on: date | None = None,
) -> bool | None:
    """Keep one rater's answers (the overall scale and any pairs rated), one row each.

    None when the form has errors (beside their fields); else whether anything new was stored (a
    replay of the same submission stores nothing). `on_family_screens` says in the audit trail
    that the rater gave it themselves on the family screens. `handed_over`: given in family mode,
    on the day the worker gave at the hand-over (`handed_over_on`, today if None), never a day
    the form names.
    """
    answers = []
    for index, pair_key in enumerate(_posted_scales(session, case, form, context["scales"])):
        field = f"score-{index}"
        score = form.integer(field, required=index == 0, minimum=0, maximum=10)
        why = form.text(f"why-{index}", max_length=1000)
        higher = form.text(f"higher-{index}", max_length=1000)
        if score is not None and pair_key != "":
            answers.append((index, pair_key, score, why, higher))
    # The worker's screen can date the ratings in the past (issue 18: recording past work).
    if handed_over:
        rated_on = handed_over_on
    else:
        rated_on = (
            form.date("rated_on", not_future=True, label="The rating date") if "rated_on" in form.values else None
        )
    if rated_on is not None and "rated_on" not in form.errors and case.referral_date and rated_on < case.referral_date:
        form.error(
            "rated_on",
            f"The rating date is before the referral on {case.referral_date:%-d %b %Y}; "
            "please check the date it was given.",
        )
    if not form.ok:
        return None
    given_at = rules.recorded_at(form.values.get("recorded_at") or "", now=utcnow())
    if rated_on is not None and rated_on < local(given_at).date():
        given_at = datetime.combine(rated_on, time(12, 0), tzinfo=LOCAL)
    created_any = False
    where = ", given on the family screens" if on_family_screens else ""
    if context.get("kept_form"):
        # Who the rating was stored under was read from the team, not chosen (`_rate_context`).
        where += (
            f", recorded for the supervisor ({context['rater'].name}) by {actor.user.full_name}"
            " from a form kept on a device from before ratings were stored per worker"
        )
    for index, pair_key, score, why, higher in answers:
        # Each scale's row gets an id derived from the form's one client id, so a replay of the
        # same submission is recognised row by row.
        row_id = rating_id if index == 0 else f"{rating_id[:30]}-{index:05d}"
        rating, created = service.add_rating(
            session=session,
            case=case,
            rating_id=row_id,
            rater=context["rater"],
            pair_key=pair_key,
            score=score,
            why_not_lower=why,
            one_step_higher=higher,
            by=actor.user,
            rated_at=given_at,
        )
        if created:
            created_any = True
            audit.record(
                session=session,
                actor=actor,
                action="create",
                object_type="sos_scale_rating",
                object_id=rating.id,
                case_id=case.id,
                detail=f"{rating.rater_role} rated {'overall' if pair_key is None else 'a statement pair'}{where}",
            )
    return created_any
