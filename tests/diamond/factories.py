"""Diamond ratings made directly, for pages and charts."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.diamond.models import DiamondRating


def rate(
    session: Session, *, case, by_user, scores: dict[str, int], on: date, person=None, user=None, **overrides
) -> list[DiamondRating]:
    """One rater's four numbers on one day; the rater is `person` or else `user`."""
    rows = [
        DiamondRating(
            case_id=case.id,
            person_id=person.id if person else None,
            user_id=None if person else (user or by_user).id,
            aim=aim,
            score=score,
            rated_on=on,
            recorded_by_user_id=by_user.id,
            **overrides,
        )
        for aim, score in scores.items()
    ]
    session.add_all(rows)
    session.flush()
    return rows


def four(w: int, l: int, r: int, e: int) -> dict[str, int]:  # noqa: E741 (the four aims' initials)
    return {"wellbeing": w, "learning": l, "relationships": r, "empowerment": e}
