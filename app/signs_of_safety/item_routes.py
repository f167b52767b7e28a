"""Signs of Safety map items: adding, changing and removing what is on the map."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from app.cases import visit as visit_flow
from app.cases.models import Case, new_id
from app.cases.people import valid_client_id
from app.core.plan_rules import earliest_due
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.security.permissions import get_case
from app.signs_of_safety import rules, service
from app.signs_of_safety.models import Category
from app.signs_of_safety.service import ItemFields, StaleVersion
from app.signs_of_safety.web import _accepts, _audit_write, base_url, conflict
from app.sync import service as sync
from app.sync.ledger import Idempotent
from app.templating import flash, redirect, render
from app.timeutil import today

router = APIRouter()

WORRIES = {Category.harm, Category.pair, Category.complicating}
WHO_LABEL = {
    Category.next_step: "Who will do it",
    Category.rule: "Who makes sure",
    Category.red_flag: "Who notices and acts",
}
TEXT_LABEL = {
    Category.rule: "What will happen",
    Category.red_flag: "The sign that things are going wrong",
    Category.next_step: "The next step",
    Category.non_negotiable: "What must (or must not) happen",
}
DETAIL_LABEL = {Category.rule: "How everyone will know it is kept", Category.red_flag: "What they will do"}


def _item_changed(request: Request, case: Case, item_key: str) -> Response:
    """409: a removal from a page drawn before the item was changed (service.ItemChanged). The item
    stays; the outbox shows `detail` beside the removal it sets aside, a page says it beside a link."""
    detail = (
        "Not removed: this item was changed after the page you removed it from was drawn, so it is "
        "still on the map. Open the map, read it as it is now, and remove it again if it should go."
    )
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse({"error": "conflict", "detail": detail, "url": base_url(case)}, status_code=409)
    flash(request, detail, "warning")
    return redirect(request, f"{base_url(case)}#item-{item_key}")


def _who_options(people) -> list[tuple[str, str]]:
    return [
        ("key_worker", "Key worker"),
        *((f"person:{p.id}", f"{p.name} ({p.relationship})" if p.relationship else p.name) for p in people),
    ]


def _item_form_context(
    session,
    case: Case,
    category: Category,
    form: Form | None,
    *,
    item=None,
    base_version: int,
    item_id: str | None = None,
) -> dict:
    labels = rules.labels(case.practice_context)
    people = service.people(session=session, case=case)
    text_label = labels.statement if category is Category.pair else TEXT_LABEL.get(category, "What was said")
    return {
        "case": case,
        "category": category,
        "category_name": rules.category_label(category, case.practice_context),
        "hint": rules.CATEGORY_HINTS.get(category),
        "labels": labels,
        "form": form,
        "item": item,
        "item_id": item_id or new_id(),
        "base_version": base_version,
        "who_options": _who_options(people),
        "who_label": WHO_LABEL.get(category, "Who said this"),
        "text_label": text_label,
        "detail_label": DETAIL_LABEL.get(category),
        "is_worry": category in WORRIES,
        "statement_help": rules.STATEMENT_HELP,
        "jargon": rules.jargon_hints(form.values.get("text", "") if form else (item.text if item else "")),
        "base": base_url(case),
    }


def _read_item(
    form: Form, case_people_keys: set[str], category: Category, stored_due: date | None = None
) -> ItemFields:
    text_label = "The statement" if category is Category.pair else "This"
    text = form.text("text", required=True, max_length=1000, label=text_label)
    who = form.choice(
        "who",
        case_people_keys,
        required=category in (Category.next_step, Category.rule, Category.red_flag),
        default=None,
    )
    agrees = form.choice("family_agrees", ["yes", "no", "not_asked"], required=False, default="not_asked")
    goal = (
        form.text("goal", required=category is Category.pair, max_length=1000, label="The goal")
        if category is Category.pair
        else ""
    )
    return ItemFields(
        text=text,
        person_id=who.split(":", 1)[1] if who and who.startswith("person:") else None,
        by_key_worker=who == "key_worker",
        family_agrees={"yes": True, "no": False}.get(agrees or "") if category in WORRIES else None,
        goal=goal,
        sustain_for=form.text("sustain_for", max_length=120) if category is Category.pair else "",
        family_text=form.text("family_text", max_length=1000) if category is Category.pair else "",
        detail=form.text("detail", max_length=1000) if category in DETAIL_LABEL else "",
        due_on=form.date(
            "due_on",
            required=True,
            not_before=earliest_due(today(), stored=stored_due),
            label="The date it is due by",
        )
        if category is Category.next_step
        else None,
        done=form.boolean("done") if category is Category.next_step else False,
    )


def _category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise HTTPException(status_code=404) from None


def _visit(context: dict, case: Case, category: Category, visit: bool) -> dict:
    """A next step added from "Record a visit" (app/cases/visit.py): due in a week unless changed,
    and the form goes on to the visit's last page."""
    context["visit_steps"] = visit_flow.steps(case.id) if visit and category is Category.next_step else None
    context["due_default"] = today() + timedelta(days=7) if context["visit_steps"] else None
    return context


@router.get("/cases/{case_id}/signs-of-safety/items/new")
def new_item_page(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, category: str = "harm", visit: str = ""
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    latest = service.latest_version(session=session, case=case)
    kind = _category(category)
    context = _item_form_context(session, case, kind, None, base_version=latest.number if latest else 0)
    return render(request, "signs_of_safety/item_form.html", _visit(context, case, kind, bool(visit)))


@router.post("/cases/{case_id}/signs-of-safety/items")
def add_item(request: Request, case_id: int, session: SessionDep, actor: CurrentActor, sent: SentForm) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    category = _category(form.values.get("category", ""))
    item_id = valid_client_id(form.values.get("id")) or new_id()
    base_version = form.integer("base_version", default=0, minimum=0, maximum=100000) or 0
    people = service.people(session=session, case=case)
    fields = _read_item(form, {key for key, _ in _who_options(people)}, category)
    visit = visit_flow.in_visit(form.values)
    if not form.ok:
        context = _item_form_context(session, case, category, form, base_version=base_version, item_id=item_id)
        context = _visit(context, case, category, visit)
        return render(request, "signs_of_safety/item_form.html", context, status_code=422)
    try:
        item, created = service.add_item(
            session=session,
            case=case,
            item_id=item_id,
            base_version=base_version,
            category=category,
            fields=fields,
            by=actor.user,
        )
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    if created:
        _audit_write(session, actor, case, "create", "sos_map_item", item.id, f"{category.value} added to the map")
        _flash_saved(request, case, category, fields)
    if visit:
        return redirect(request, visit_flow.after(case.id, "next_step"))
    return redirect(request, f"{base_url(case)}#{category.value}")


def _flash_saved(request: Request, case: Case, category: Category, fields: ItemFields) -> None:
    flash(request, f"{rules.category_label(category, case.practice_context)}: saved.")
    for hint in rules.jargon_hints(fields.text)[:1]:
        flash(request, hint, "warning")


@router.get("/cases/{case_id}/signs-of-safety/items/{item_key}/edit")
def edit_item_page(request: Request, case_id: int, item_key: str, session: SessionDep, actor: CurrentActor) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id)
    latest = service.latest_version(session=session, case=case)
    item = service.find_item(session=session, map_version=latest, item_key=item_key) if latest else None
    if item is None:
        raise HTTPException(status_code=404)
    context = _item_form_context(session, case, Category(item.category), None, item=item, base_version=latest.number)
    return render(request, "signs_of_safety/item_form.html", context)


# An item's form fields: what the merge compares (app/sync `merge_edit`), with the form's labels.
# The family-agrees choice as the item form words it (for the conflict page).
FAMILY_AGREES = {"yes": "Yes, they agree", "no": "No, they do not agree", "not_asked": "Not asked yet"}
ITEM_LABELS = {
    "text": "What was said",
    "who": "Who",
    "family_agrees": "Does the family agree?",
    "goal": "The goal",
    "sustain_for": "For how long the change must last",
    "family_text": "For family members who do not know the worries",
    "detail": "The detail",
    "due_on": "By when",
    "done": "This step is done",
}


def item_texts(fields: ItemFields) -> dict[str, str]:
    """An item's fields as its form sends them."""
    who = f"person:{fields.person_id}" if fields.person_id else ("key_worker" if fields.by_key_worker else "")
    return {
        "text": fields.text,
        "who": who,
        "family_agrees": {True: "yes", False: "no"}.get(fields.family_agrees, "not_asked"),  # type: ignore[arg-type]
        "goal": fields.goal,
        "sustain_for": fields.sustain_for,
        "family_text": fields.family_text,
        "detail": fields.detail,
        "due_on": fields.due_on.isoformat() if fields.due_on else "",
        "done": "1" if fields.done else "",
    }


def _item_fields(item) -> ItemFields:
    return ItemFields(**{name: getattr(item, name) for name in ItemFields.__dataclass_fields__})


@router.post("/cases/{case_id}/signs-of-safety/items/{item_key}")
def edit_item(
    request: Request,
    case_id: int,
    item_key: str,
    session: SessionDep,
    actor: CurrentActor,
    op: Idempotent,
    sent: SentForm,
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    latest = service.latest_version(session=session, case=case)
    item = service.find_item(session=session, map_version=latest, item_key=item_key) if latest else None
    if item is None or latest is None:
        raise HTTPException(status_code=404)
    category = Category(item.category)
    people = service.people(session=session, case=case)
    keys = {key for key, _ in _who_options(people)}
    sent_base = Form(sent).integer("base_version", default=0, minimum=0, maximum=100000) or 0
    # Merged field by field with the item as the map holds it now, in whichever version (app/sync,
    # docs/offline.md): a correction from a page kept on the device changes only what it changes.
    edit = sync.merge_edit(
        sent=sent,
        current=item_texts(_item_fields(item)),
        # Without the script, a page of the version being worked on is current (as before).
        current_version=sent_base if _accepts(latest, sent_base) else latest.number,
        parse=lambda form: _read_item(form, keys, category, stored_due=item.due_on),
        fields=ITEM_LABELS,
        texts=item_texts,
    )
    if not edit.form.ok:
        context = _item_form_context(session, case, category, edit.form, item=item, base_version=sent_base)
        return render(request, "signs_of_safety/item_form.html", context, status_code=422)
    fields = edit.values
    if edit.changed:
        edited = service.edit_item(
            session=session, case=case, item_key=item_key, base_version=latest.number, fields=fields, by=actor.user
        )
        _audit_write(session, actor, case, "update", "sos_map_item", edited.id, f"{category.value} changed")
    if edit.conflicts:
        now = service.latest_version(session=session, case=case)
        return sync.keep_conflict(
            request,
            session=session,
            actor=actor,
            op_id=op,
            case_id=case.id,
            record_type="sos_map_item",
            record_id=item_key,
            record_label=rules.category_label(category, case.practice_context),
            base_version=sent_base,
            server_version=now.number if now else latest.number,
            conflicts=edit.conflicts,
            labels=ITEM_LABELS,
            yes_no=("done",),
            options={"who": dict(_who_options(people)), "family_agrees": FAMILY_AGREES},
            dates=("due_on",),
        )
    _flash_saved(request, case, category, fields)
    return redirect(request, f"{base_url(case)}#{category.value}")


@router.post("/cases/{case_id}/signs-of-safety/items/{item_key}/remove")
def remove_item(
    request: Request, case_id: int, item_key: str, session: SessionDep, actor: CurrentActor, sent: SentForm
) -> Response:
    case = get_case(session=session, actor=actor, case_id=case_id, write=True)
    form = Form(sent)
    base_version = form.integer("base_version", default=0, minimum=0, maximum=100000) or 0
    seen = form.text("seen", max_length=64)
    try:
        draft = service.remove_item(
            session=session, case=case, item_key=item_key, base_version=base_version, by=actor.user, seen=seen
        )
    except StaleVersion as exc:
        return conflict(request, case, exc, form)
    except service.ItemChanged:
        return _item_changed(request, case, item_key)
    _audit_write(session, actor, case, "delete", "sos_map_item", item_key, f"item removed from version {draft.number}")
    flash(request, f"Removed from version {draft.number}. Earlier versions still show it.")
    return redirect(request, base_url(case))
