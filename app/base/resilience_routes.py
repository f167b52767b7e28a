"""BASE stage 2, resilience (PRACTICE.md "BASE"): the factor checklist, each factor a strength or
a vulnerability with who decided so, saved and merged as one record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.base import service
from app.base.stage_forms import Record, _settle, _stage_post, _texts
from app.db import SessionDep
from app.forms import Form, SentForm
from app.security.auth import CurrentActor
from app.sync import service as sync
from app.sync.ledger import Idempotent

router = APIRouter()


def _resilience_labels() -> dict[str, str]:
    labels = {}
    for key, label in service.factor_labels().items():
        labels[f"mark_{key}"] = f"{label}: strength or vulnerability"
        labels[f"decided_{key}"] = f"{label}: who decided"
        labels[f"notes_{key}"] = f"{label}: notes"
    return labels


def _resilience_words() -> dict[str, dict[str, str]]:
    """The checklist's marks and who decided, as its form words them."""
    marks = {**service.MARKS, "none": "Not marked"}
    words: dict[str, dict[str, str]] = {}
    for key in service.factor_labels():
        words[f"mark_{key}"] = marks
        words[f"decided_{key}"] = service.DECIDED_BY
    return words


def _resilience_fields(form: Form) -> dict[str, str]:
    fields = {}
    for key in service.factor_labels():
        fields[f"mark_{key}"] = form.choice(f"mark_{key}", [*service.MARKS, "none"], required=False, default="none")
        fields[f"decided_{key}"] = form.choice(
            f"decided_{key}", service.DECIDED_BY.keys(), required=False, default="family_with_worker"
        )
        fields[f"notes_{key}"] = form.text(f"notes_{key}", max_length=500)
    return fields


def _marks(values: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        key: {"mark": values[f"mark_{key}"], "decided_by": values[f"decided_{key}"], "notes": values[f"notes_{key}"]}
        for key in service.factor_labels()
        if values[f"mark_{key}"] in service.MARKS
    }


@router.post("/cases/{case_id}/base/resilience")
def save_resilience(
    request: Request, case_id: int, session: SessionDep, actor: CurrentActor, op: Idempotent, sent: SentForm
) -> Response:
    case, _, version = _stage_post(sent, session, actor, case_id)
    record = Record(
        stage="resilience",
        record_type="base_resilience",
        record_id=version.id,
        label="Resilience checklist",
        current=service.resilience_fields(version.content),
        revision=version.content["stages"]["resilience"]["revision"],
        labels=_resilience_labels(),
        options=_resilience_words(),
    )
    edit = sync.merge_edit(
        sent=sent,
        current=record.current,
        current_version=record.revision,
        fields=record.labels,
        texts=_texts,
        parse=_resilience_fields,
    )
    return _settle(
        request,
        session,
        case,
        actor,
        op,
        version,
        record,
        edit,
        save=lambda values: service.save_resilience(session=session, version=version, by=actor, marks=_marks(values)),
        revision_after=lambda: version.content["stages"]["resilience"]["revision"],
        message="Resilience checklist saved.",
    )
