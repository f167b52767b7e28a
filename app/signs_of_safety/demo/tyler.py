"""Tyler's demo map (early help): one statement pair, a strength, a next step, and his key worker's
ratings of the overall scale and the pair, three weeks apart."""

from __future__ import annotations

from datetime import timedelta

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.demo.maps import _add, _person
from app.signs_of_safety.models import Category
from app.timeutil import utcnow

C = Category


def _tyler(session, demo) -> None:
    case, worker = demo.cases["Tyler"], demo.users["worker"]
    lisa = _person(demo, "Tyler", "Lisa")
    pair = _add(
        session,
        case,
        worker,
        C.pair,
        "Lisa and the school are worried that Tyler's anger at school will get him excluded and he will lose his place.",
        base_version=0,
        person_id=lisa.id,
        family_agrees=True,
        goal="Tyler has a way to calm down at school and stays in lessons.",
        sustain_for="one term",
    )
    _add(
        session,
        case,
        worker,
        C.strength,
        "Tyler looks after his little sister after school without being asked.",
        base_version=1,
        person_id=lisa.id,
    )
    _add(
        session,
        case,
        worker,
        C.next_step,
        "Meet Tyler's head of year with Lisa.",
        base_version=1,
        due_on=demo.today + timedelta(days=3),
    )
    kw = next(r for r in service.raters(session=session, case=case, actor_user=worker) if r.key == "key_worker")
    for days, score in ((30, 3), (9, 5)):
        service.add_rating(
            session=session,
            case=case,
            rating_id=new_id(),
            rater=kw,
            pair_key=None,
            score=score,
            why_not_lower="",
            one_step_higher="",
            by=worker,
            rated_at=utcnow() - timedelta(days=days),
        )
        service.add_rating(
            session=session,
            case=case,
            rating_id=new_id(),
            rater=kw,
            pair_key=pair.item_key,
            score=score - 1,
            why_not_lower="",
            one_step_higher="",
            by=worker,
            rated_at=utcnow() - timedelta(days=days),
        )
