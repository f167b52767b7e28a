"""What every demo map is built with: a family member found by first name, an item added through
the service, a version moved back in time, and reviews in which several people rate the scales."""

from __future__ import annotations

from datetime import timedelta

from app.cases.models import new_id
from app.signs_of_safety import service
from app.signs_of_safety.service import ItemFields, Rater
from app.timeutil import utcnow


def _person(demo, first: str, name_start: str):
    return next(p for p in demo.people[first] if p.name.startswith(name_start))


def _add(session, case, by, category, text, *, base_version, **fields):
    fields.setdefault("by_key_worker", "person_id" not in fields)
    item, _ = service.add_item(
        session=session,
        case=case,
        item_id=new_id(),
        base_version=base_version,
        category=category,
        fields=ItemFields(text=text, **fields),
        by=by,
    )
    return item


def _backdate(version, days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    version.created_at = at
    version.updated_at = at
    if version.submitted_at:
        version.submitted_at = at + timedelta(hours=3)


def _rate_reviews(
    session,
    case,
    by,
    raters: list[Rater],
    pair_keys: list[str | None],
    scores: dict[str, list[list[int]]],
    days_ago: list[int],
    notes: dict[str, tuple[str, str]],
) -> None:
    """Each review: every rater scores the overall scale and each pair (scores[rater][review][scale])."""
    for review, ago in enumerate(days_ago):
        for rater in raters:
            for scale, pair_key in enumerate(pair_keys):
                why, higher = notes.get(rater.key, ("", "")) if scale == 0 else ("", "")
                service.add_rating(
                    session=session,
                    case=case,
                    rating_id=new_id(),
                    rater=rater,
                    pair_key=pair_key,
                    score=scores[rater.key][review][scale],
                    why_not_lower=why,
                    one_step_higher=higher,
                    by=by,
                    rated_at=utcnow() - timedelta(days=ago, hours=-scale),
                )
