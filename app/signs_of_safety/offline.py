"""The Signs of Safety pages "Take offline" keeps on the device for a case (app/cases/extensions.py).

A worker maps a case with the family in their home, often without a signal: the map, a form for
each category, the safety plan and its review date, submitting the map, every person's rating
screen, the scales' history (chart and table), the three houses (each house, with the drawing
screen) and the words-and-pictures storyboard must open from the device. The items already on the
map can be changed offline too, so their change pages are kept as well. So are the family's own
screens, for a hand-over with no signal (app/signs_of_safety/family_routes.py): each person's
safety scale, and the young person's three houses, one house per screen.

Five queries whatever the case holds: the latest version, its items' keys, the versions, the
case's people and the supervisor (the key worker is the session's own user or one more look-up).
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.cases.models import Case
from app.signs_of_safety import service
from app.signs_of_safety.family_routes import house_url, scale_url
from app.signs_of_safety.models import Category, House, MapItem, MapVersion, RaterRole
from app.signs_of_safety.rules import COLUMNS, SAFETY_PLAN


def pages(*, session: Session, case: Case, actor) -> list[str]:
    base = f"/cases/{case.id}/signs-of-safety"
    numbers = list(
        session.exec(
            select(MapVersion.number).where(MapVersion.case_id == case.id).order_by(MapVersion.number.desc())
        ).all()
    )
    keys: list[str] = []
    if numbers:
        latest = (
            select(MapVersion.id)
            .where(MapVersion.case_id == case.id, MapVersion.number == numbers[0])
            .scalar_subquery()
        )
        keys = list(
            session.exec(
                select(MapItem.item_key)
                .where(MapItem.map_version_id == latest)
                .order_by(MapItem.position, MapItem.created_at)
            ).all()
        )
    categories = [category for _key, _heading, column in COLUMNS for category in column] + list(SAFETY_PLAN)
    raters = service.raters(session=session, case=case, actor_user=actor.user)
    family = [r for r in raters if r.person_id]
    return [
        base,
        *(f"{base}/items/new?category={Category(c).value}" for c in categories),
        f"{base}/scales",
        *(f"{base}/scales/rate?rater={r.key}" for r in raters),
        f"{base}/three-houses",
        *(f"{base}/three-houses?house={h.value}" for h in House),
        *(f"{base}/items/{key}/edit" for key in keys),
        f"{base}/words-and-pictures",
        f"{base}/print?summary=true",
        f"{base}/print?summary=true&everyone=true",
        f"{base}/print",
        *(f"{base}/versions/{n}" for n in numbers),
        *(scale_url(case.id, r.person_id) for r in family),
        *(house_url(case.id, r.person_id, h) for r in family if r.role == RaterRole.young_person for h in House),
    ]
