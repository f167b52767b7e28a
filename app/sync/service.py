"""Conflicts: offline edits that met a newer server version, kept for the worker to settle."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from typing import Generic, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import service as audit
from app.audit.models import AuditEntry
from app.forms import Form, StarletteForm, refuse_unexpected_parts
from app.security.auth import Actor
from app.sync.models import SyncConflict, SyncOperation
from app.sync.rules import as_text, is_stale, three_way
from app.templating import render
from app.timeutil import utcnow

# The one field an offline edit form adds (offline.js, for forms marked data-offline="edit"): what
# the page showed, as JSON of field name to value. It is the base of the three-way merge.
SHOWN = "shown"

T = TypeVar("T")


@dataclass
class Edit(Generic[T]):
    """An edit merged field by field with the record as it is now (see `merge_edit`)."""

    form: Form  # the sent values over the current ones: validate it, re-render it on 422
    values: T  # the record's fields after the merge, as the route's own parser types them: what to save
    changed: bool  # whether saving `values` changes the record
    conflicts: dict[str, tuple[str, str, str]]  # field -> (as shown, on Homeward now, as sent)
    base_version: int | None


def shown_of(sent: Mapping[str, object]) -> dict[str, str] | None:
    """What a form's page showed (its `shown` field), or None for a post without the script."""
    return _shown(sent.get(SHOWN))


def _shown(raw: object) -> dict[str, str] | None:
    try:
        shown = json.loads(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        return None
    return {str(k): str(v) for k, v in shown.items()} if isinstance(shown, dict) else None


def shown_fields(sent: Mapping[str, str]) -> dict[str, str] | None:
    """What an edit's page showed (its `shown` field), or None if it did not say."""
    return _shown(sent.get(SHOWN))


def as_fields(values: object) -> dict[str, str]:
    """A parsed record (a dataclass) as the text a form would send for each of its fields."""
    return {f.name: as_text(getattr(values, f.name)) for f in dataclass_fields(values)}  # type: ignore[arg-type]


def merge_edit(
    *,
    sent: Mapping[str, str],
    current: Mapping[str, object],
    current_version: int,
    parse: Callable[[Form], T],
    fields: Iterable[str] | None = None,
    texts: Callable[[T], Mapping[str, str]] = as_fields,
    base_unknown: Callable[[str], bool] = lambda _field: False,
) -> Edit[T]:
    """Merge an edit of a versioned record with its current state, field by field (three-way).

    The base is what the form's page showed (the `shown` field), so changes to different fields
    both apply however many versions the record moved on, and only a field changed on both sides
    conflicts. Without `shown` (a form posted without the script) the base is the current record
    if the form's base_version is current, else unknown (every differing field conflicts).

    `parse` is the route's own parser: it reads a Form into the record's typed input (a dataclass,
    problems on `form.errors`), so sent values are validated as usual, and `Edit.values` is that
    type. `texts` gives a parsed value's form fields as text (default: the dataclass's fields), so
    the three sides compare as the record stores them; `current` is the record as form fields.
    `fields` names the fields merged (default: every field `texts` names). `base_unknown` names
    fields whose shown value cannot be trusted as their base (a repeated row whose rows moved on
    Homeward since the page was drawn): every one that differs is a conflict, never a merge.
    """
    if isinstance(sent, StarletteForm):
        # As `Form(sent)` does: a field sent twice or as a file is refused, never a last-one-wins.
        refuse_unexpected_parts(sent)
    if fields is not None:
        fields = list(fields)
        current = {f: current.get(f) for f in fields}
    theirs = {f: as_text(v) for f, v in current.items()}
    shown = _shown(sent.get(SHOWN))
    # An unticked box is not sent at all: absent means unticked for the fields the form showed.
    showed = list(shown) if shown is not None else list(fields if fields is not None else theirs)
    form = Form({**theirs, **dict(sent.items()), **{f: sent.get(f, "") for f in showed}})
    base_version = form.integer("base_version", required=True, minimum=0, maximum=10**9)
    typed = parse(form)
    if not form.ok:
        return Edit(form=form, values=typed, changed=False, conflicts={}, base_version=base_version)
    sent_texts = dict(texts(typed))
    # What the page showed was valid when shown; read through `parse` it compares like the rest.
    as_shown = dict(texts(parse(Form({**theirs, **shown})))) if shown is not None else {}
    # By default the fields are those `texts` names (the form's values hold Homeward's under the sent).
    names = list(fields) if fields is not None else list(dict.fromkeys([*sent_texts, *as_shown]))
    if shown is not None:
        base = as_shown
    else:
        base = None if is_stale(base_version=base_version, current_version=current_version) else theirs
    unmerged = {f: v for f, v in theirs.items() if f not in names}  # a stored row's id: Homeward's
    theirs = {f: theirs.get(f, "") for f in names}
    # Only the fields the page showed are the worker's; the rest are Homeward's as they are.
    mine = {f: sent_texts.get(f, "") for f in names if shown is None or f in shown}
    if base is not None:
        base = {f: base.get(f, "") for f in names if not base_unknown(f)}
    merged, conflicts = three_way(base=base, mine=mine, theirs=theirs)
    # Fields outside the merge are Homeward's where it has them (a stored row's id), else as sent
    # (a new row's id, a confirmation box).
    together = Form({**dict(form.values), **unmerged, **merged})
    values = parse(together)
    if not together.ok:
        # The worker's fields and Homeward's, each valid, can break a rule between two of them
        # (the next meeting before a meeting moved later): nothing is saved, and the rule is said
        # beside its field, as for any other mistake.
        for field, message in together.errors.items():
            form.errors.setdefault(field, f"{message} (with what Homeward holds now)")
        # A field changed on both sides took Homeward's value in that check: say so beside it, so
        # the worker sees why, rather than a rule broken by a value their page never showed.
        for field in conflicts:
            form.errors.setdefault(
                field, f"Changed in Homeward as well since your page was drawn: it now says “{theirs.get(field, '')}”."
            )
        return Edit(form=form, values=typed, changed=False, conflicts={}, base_version=base_version)
    return Edit(form=form, values=values, changed=merged != theirs, conflicts=conflicts, base_version=base_version)


def in_words(
    field: str,
    value: str,
    *,
    options: Mapping[str, Mapping[str, str]] = {},
    yes_no: Iterable[str] = (),
    dates: Iterable[str] = (),
) -> str:
    """A field's value as its form shows it to the worker: the option's label (a person's name for
    a person's id), "Yes"/"No" for a box, a date as the app shows dates; free text as it is."""
    if field in yes_no:
        return "Yes" if value.strip().lower() in ("1", "on", "true", "yes") else "No"
    if not value:
        return "(empty)"
    if field in options:
        return options[field].get(value, value)
    if field in dates:
        try:
            return date.fromisoformat(value).strftime("%-d %b %Y")  # as the `date` filter shows it
        except ValueError:
            return value
    return value


def keep_conflict(
    request: Request,
    *,
    session: Session,
    actor: Actor,
    op_id: str | None,
    case_id: int | None,
    record_type: str,
    record_id: str,
    record_label: str,
    base_version: int,
    server_version: int,
    conflicts: Mapping[str, tuple[str, str, str]],
    labels: dict[str, str],
    yes_no: Iterable[str] = (),
    options: Mapping[str, Mapping[str, str]] = {},
    dates: Iterable[str] = (),
    message: str = "",
    target: str | None = None,
) -> Response:
    """Store the fields changed on both sides and answer 409 with the conflict page; nothing is overwritten.

    Each conflicting field keeps its three values (as the worker's page showed it, on Homeward,
    as the worker sent it), so history shows both versions whatever the worker chooses. `target`:
    the record's own form when this request was not it (a create that met an edited record).

    The page shows each value in the form's words (`in_words`: `options` maps a field's values to
    their labels, `yes_no` names boxes, `dates` date fields), kept with the conflict as they read
    now (a person renamed later still reads as the worker knew them); the choice posts the value.
    """
    yes_no, dates = tuple(yes_no), tuple(dates)
    words = {
        f: {v: in_words(f, v, options=options, yes_no=yes_no, dates=dates) for v in sides}
        for f, sides in conflicts.items()
    }
    conflict = SyncConflict(
        op_id=op_id or str(uuid.uuid4()),
        user_id=actor.id,
        case_id=case_id,
        record_type=record_type,
        record_id=record_id,
        record_label=record_label[:200],
        target=(target or request.url.path)[:300],  # the record's own form, where the choice is posted
        base_version=base_version,
        server_version=server_version,
        mine=json.dumps({f: v[2] for f, v in conflicts.items()}),
        theirs=json.dumps({f: v[1] for f, v in conflicts.items()}),
        labels=json.dumps(
            {
                "labels": {f: labels.get(f, f) for f in conflicts},
                "yes_no": [f for f in yes_no if f in conflicts],
                "base": {f: v[0] for f, v in conflicts.items()},
                "words": words,
            }
        ),
    )
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_kept",
        object_type=record_type,
        object_id=record_id,
        case_id=case_id,
    )
    session.flush()
    request.state.conflict_kept = True  # the ledger keeps this operation's 409 (see ledger.remember)
    # The outbox tells a kept conflict (Location set) from other 409s, which it sets aside.
    url = f"/conflicts/{conflict.op_id}"
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        body = {
            "error": "conflict",
            "detail": message or "Changed since this version.",
            "current_version": server_version,
            "conflict": url,
        }
        response = JSONResponse(body, status_code=409, headers={"Location": url})
        remember = getattr(request.state, "remember_result", None)  # the ledger records this answer
        if remember is not None:
            remember(response)
        return response
    response = render(
        request,
        "sync/conflict.html",
        {**conflict_context(conflict, last_changed(session=session, conflict=conflict)), "message": message},
        status_code=409,
    )
    response.headers["Location"] = url
    return response


def last_changed(*, session: Session, conflict: SyncConflict) -> tuple[str, datetime] | None:
    """Who changed the record on Homeward, and when, before this conflict was kept: its latest
    entry in the audit log other than a read (read through the case's entries, newest first)."""
    if conflict.case_id is None:
        return None
    found = session.exec(
        select(User.full_name, AuditEntry.at)
        .join(User, User.id == AuditEntry.user_id)
        .where(
            AuditEntry.case_id == conflict.case_id,
            AuditEntry.at <= conflict.created_at,
            AuditEntry.object_id == conflict.record_id,
            AuditEntry.action.not_in(("read", "conflict_kept", "conflict_resolved")),
        )
        .order_by(AuditEntry.at.desc())
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def conflict_context(conflict: SyncConflict, changed: tuple[str, datetime] | None = None) -> dict:
    """What the conflict page shows: per conflicting field, as shown, on Homeward and as sent;
    and who changed it on Homeward and when (`last_changed`), for the worker to decide with."""
    mine, theirs, meta = json.loads(conflict.mine), json.loads(conflict.theirs), json.loads(conflict.labels)
    base, words = meta.get("base", {}), meta.get("words", {})
    chosen = json.loads(conflict.resolution) if conflict.resolution else None

    def said(field: str, value: str | None) -> str:
        # As kept with the conflict; a conflict kept before words were (or a value chosen since) as it is.
        value = value or ""
        kept = words.get(field, {})
        if value in kept:
            return kept[value]
        return in_words(field, value, yes_no=meta["yes_no"])

    rows = []
    for field, label in meta["labels"].items():
        if (mine.get(field) or "") == (theirs.get(field) or ""):
            continue
        row = {"field": field, "label": label, "mine": mine.get(field, ""), "theirs": theirs.get(field, "")}
        row["chosen"] = (chosen or {}).get(field, row["theirs"]) if conflict.resolved_at else None
        row["words"] = {
            side: said(field, value)
            for side, value in (
                ("base", base.get(field)),
                ("mine", row["mine"]),
                ("theirs", row["theirs"]),
                ("chosen", row["chosen"]),
            )
        }
        rows.append(row)
    return {
        "conflict": conflict,
        "rows": rows,
        "shown_values": json.dumps({r["field"]: r["theirs"] for r in rows}),
        "changed": changed,
    }


def get_conflict(*, session: Session, actor: Actor, op_id: str) -> SyncConflict | None:
    """The actor's own conflict (other people's conflicts are not theirs to see)."""
    conflict = session.get(SyncConflict, op_id)
    return conflict if conflict is not None and conflict.user_id == actor.id else None


def conflicts_for(*, session: Session, actor: Actor, limit: int = 50) -> tuple[list[SyncConflict], list[SyncConflict]]:
    """The actor's open conflicts and their recently resolved ones (one query)."""
    rows = session.exec(
        select(SyncConflict)
        .where(SyncConflict.user_id == actor.id)
        .order_by(SyncConflict.created_at.desc())
        .limit(limit)
    ).all()
    return [c for c in rows if c.resolved_at is None], [c for c in rows if c.resolved_at is not None]


def mark_resolved(
    *, session: Session, actor: Actor, op_id: str, values: Mapping[str, object] | None, target: str
) -> None:
    """Record how the worker settled a conflict; its two versions stay as they were. Only a save
    of the conflict's own record (its form, `target`) settles it: another record's save does not."""
    conflict = get_conflict(session=session, actor=actor, op_id=op_id)
    if conflict is None or conflict.resolved_at is not None or conflict.target != target:
        return
    fields = json.loads(conflict.labels)["labels"]
    chosen = {f: as_text(values.get(f)) for f in fields} if values is not None else {}
    conflict.resolution = json.dumps(chosen)
    conflict.resolved_at = utcnow()
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_resolved",
        object_type=conflict.record_type,
        object_id=conflict.record_id,
        case_id=conflict.case_id,
    )


def keep_server_version(*, session: Session, actor: Actor, conflict: SyncConflict) -> None:
    """Settle a conflict by keeping the server's version; the offline version stays in history."""
    conflict.resolution = conflict.theirs
    conflict.resolved_at = utcnow()
    session.add(conflict)
    audit.record(
        session=session,
        actor=actor,
        action="conflict_resolved",
        object_type=conflict.record_type,
        object_id=conflict.record_id,
        case_id=conflict.case_id,
        detail="kept server version",
    )


def operation(*, session: Session, actor: Actor, op_id: str) -> SyncOperation | None:
    """The actor's applied operation with this id, if the server has it."""
    op = session.get(SyncOperation, op_id)
    return op if op is not None and op.user_id == actor.id else None
