"""Service-user feedback: append-only ratings of the worker, and the side-by-side triangulation.

Young person, parent and social worker each rate on 1 (very poor) to 5 (very good), or "can't
say" (stored as None, never as a number), with an optional comment (PRACTICE.md "Service-user
feedback", 001:L465). Sets differ in wording but share themes, so answers line up.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlmodel import Session, select

from app.accounts.models import User
from app.audit import service as audit
from app.base.checklists import feedback_sets
from app.base.models import PERSPECTIVE_LABELS, BaseFeedback, Perspective
from app.cases.models import Case, Person
from app.refused import WrongCase
from app.security.auth import Actor

SCALE = (1, 2, 3, 4, 5)


def question_set(perspective: str) -> dict[str, Any]:
    """The questions for one perspective: label, lead-in and the questions with their themes."""
    return feedback_sets()["sets"][Perspective(perspective)]


def workers_for(*, session: Session, case: Case) -> list[User]:
    """The workers a rater may rate: the key worker and any co-worker (a rater may rate both)."""
    ids = [i for i in (case.key_worker_id, case.co_worker_id) if i is not None]
    users = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids))).all()}
    return [users[i] for i in ids if i in users]


def record(
    *,
    session: Session,
    case: Case,
    by: Actor,
    feedback_id: str,
    perspective: str,
    rater_name: str,
    about_worker_id: int | None,
    rater_person_id: str | None = None,
    review_round: int,
    scores: dict[str, int | None],
    comments: dict[str, str],
    in_family_mode: bool | None = None,
) -> BaseFeedback:
    """Record one person's feedback; a replay with the same id (the same person's same answers)
    changes nothing. `rater_person_id` names the person of the family who answered (None for the
    social worker's feedback).

    `in_family_mode` says it was given on the family screens even when it arrives later from the
    outbox, sent by the worker's session after the hand-back; by default, whether `by` is in
    family mode now.
    """
    sent = _sent(perspective, about_worker_id, review_round, scores, comments)
    sent_as = feedback_id
    existing = session.get(BaseFeedback, feedback_id)
    if existing is not None:
        # Another case's id stores nothing and is not told it was saved (app.refused.WrongCase).
        if existing.case_id != case.id:
            raise WrongCase()
        # A replay is the same person's same answers. Anyone else's under this id (a second parent
        # on a device that reused the first's form id) are kept under an id made from what was
        # sent, not dropped as a replay: a refusal would be set aside in the outbox and sent again
        # under the same id, refused for ever, and the family would have to answer again.
        if _same_person(session, existing, rater_name, rater_person_id) and _sent_as(existing) == sent:
            return existing
        made_from = json.dumps([case.id, sent_as, rater_person_id or rater_name, *sent])
        feedback_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"homeward-base-feedback:{made_from}"))
        again = session.get(BaseFeedback, feedback_id)
        if again is not None:
            return again
    qs = question_set(perspective)
    answers = [
        {
            "theme": q["theme"],
            "text": q["text"],
            "score": scores.get(q["theme"]),
            "comment": comments.get(q["theme"], ""),
        }
        for q in qs["questions"]
    ]
    row = BaseFeedback(
        id=feedback_id,
        case_id=case.id,
        perspective=perspective,
        rater_name=rater_name,
        rater_person_id=rater_person_id,
        about_worker_id=about_worker_id,
        round=review_round,
        question_set=feedback_sets()["version"],
        answers=answers,
        given_in_family_mode=by.in_family_mode if in_family_mode is None else in_family_mode,
        recorded_by_id=by.id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=by,
        action="create",
        object_type="base_feedback",
        object_id=row.id,
        case_id=case.id,
        detail=perspective if row.id == sent_as else f"{perspective}, sent under {sent_as}",
    )
    return row


def _sent(perspective: str, about_worker_id, review_round, scores, comments) -> list[Any]:
    """What one sending of answers says, to tell a replay from other answers under its id."""
    answers = sorted([t, scores.get(t), comments.get(t, "")] for t in scores)
    return [str(perspective), about_worker_id, review_round, answers]


def _sent_as(row: BaseFeedback) -> list[Any]:
    """What the sending that made `row` said, as `_sent` gives it."""
    answers = sorted([a["theme"], a["score"], a.get("comment", "")] for a in row.answers)
    return [row.perspective, row.about_worker_id, row.round, answers]


def _same_person(session: Session, row: BaseFeedback, rater_name: str, rater_person_id: str | None) -> bool:
    """Whether answers sent by `rater_person_id` (or, for the social worker's, in `rater_name`) are
    from whoever gave `row`. Two people of the family who share a name are two people; feedback
    stored before people were recorded (0030) is matched by name, or as a person of the family
    renamed in between (the name it was saved in is nobody's on the case now)."""
    if row.rater_person_id is not None and rater_person_id is not None:
        return row.rater_person_id == rater_person_id
    if row.rater_name == rater_name:
        return True
    if row.perspective == Perspective.social_worker:  # a name typed in, not a person on the case
        return False
    return row.rater_name not in session.exec(select(Person.name).where(Person.case_id == row.case_id)).all()


def rounds(*, session: Session, case_id: int) -> list[int]:
    """The review rounds that have any feedback, oldest first."""
    return sorted(set(session.exec(select(BaseFeedback.round).where(BaseFeedback.case_id == case_id)).all()))


def triangulation(*, session: Session, case_id: int, review_round: int) -> dict[str, Any]:
    """For one round: per theme, each perspective's ratings side by side (one query).

    A cell lists every rating from that perspective (a rater may rate two workers; two parents
    may both rate), each with who rated and about whom.
    """
    rows = session.exec(
        select(BaseFeedback, User.full_name)
        .join(User, User.id == BaseFeedback.about_worker_id, isouter=True)
        .where(BaseFeedback.case_id == case_id, BaseFeedback.round == review_round)
        .order_by(BaseFeedback.recorded_at)
    ).all()
    perspectives = [p.value for p in Perspective]
    young = {q["theme"]: q["text"] for q in question_set("young_person")["questions"]}
    themes: dict[str, dict[str, Any]] = {
        t: {"text": text, "cells": {p: [] for p in perspectives}} for t, text in young.items()
    }
    raters: dict[str, list[str]] = {p: [] for p in perspectives}
    for feedback, worker_name in rows:
        label = feedback.rater_name or PERSPECTIVE_LABELS[Perspective(feedback.perspective)]
        raters[feedback.perspective].append(f"{label} about {worker_name}" if worker_name else label)
        for answer in feedback.answers:
            theme = themes.setdefault(answer["theme"], {"text": answer["text"], "cells": {p: [] for p in perspectives}})
            theme["cells"][feedback.perspective].append(
                {
                    "score": answer["score"],
                    "comment": answer.get("comment", ""),
                    "rater": label,
                    "worker": worker_name or "",
                }
            )
    averages = {}
    for p in perspectives:
        scores = [c["score"] for t in themes.values() for c in t["cells"][p] if c["score"] is not None]
        averages[p] = round(sum(scores) / len(scores), 1) if scores else None
    return {
        "round": review_round,
        "perspectives": perspectives,
        "themes": themes,
        "raters": raters,
        "averages": averages,
        "count": len(rows),
    }
