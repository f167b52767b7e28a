"""Distance travelled on the Diamond and the Signs of Safety scale: the first and latest score per
case, rater and item, as changes per kind of rater and per group of the breakdown."""

from __future__ import annotations

from sqlalchemy import and_, case, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.cases.models import Case
from app.diamond.models import DiamondRating
from app.outcomes.card import Change
from app.outcomes.sql_time import epoch_days, epoch_seconds

RATERS = {"young_person": "Young person", "parent": "Parent or family member", "worker": "Worker"}
SOS_RATERS = {"young_person": "Young person", "parent_carer": "Parent or carer", "key_worker": "Worker"}
SOS_RATERS |= {"network_member": "Network member", "supervisor": "Supervisor", "other": "Someone else"}


def _change(label: str, pairs: int, total, improved, same, worse) -> Change:
    mean = float(total) / pairs if pairs and total is not None else None
    return Change(label, int(pairs), mean, int(improved or 0), int(same or 0), int(worse or 0))


def change_rows(rows, labels: dict[str, str], order: list[str]) -> tuple[list[Change], list[tuple[str, Change]]]:
    """Rows of (rater, group, pairs, total change, improved, same, worse): per rater, and per group and rater."""
    per_rater: dict[str, list[int]] = {}
    by_group = []
    for rater, grp, pairs, total, improved, same, worse in rows:
        label = labels.get(rater, rater)
        sums = per_rater.setdefault(label, [0, 0, 0, 0, 0])
        for i, value in enumerate((pairs, total, improved, same, worse)):
            sums[i] += int(value or 0)
        by_group.append((grp or "not_known", _change(label, int(pairs), total, improved, same, worse)))
    totals = sorted((_change(label, *sums) for label, sums in per_rater.items()), key=lambda c: c.rater)
    by_group.sort(key=lambda gc: (order.index(gc[0]) if gc[0] in order else len(order), gc[1].rater))
    return totals, by_group


def distance(
    session: Session,
    *,
    case_col,
    who,
    items,
    key,
    at,
    start,
    end,
    team_id,
    rater,
    group_of,
    rater_joins=(),
    only=(),
    first_key=None,
):
    """Per rater and group of the breakdown: pairs of first and latest score (per case, rater and item) whose latest is in [start, end).

    One statement and no window: each rating gets an integer `key` that orders ratings as the practice
    does (when rated, then when recorded) with the score in its last two digits, so the first and
    latest scores are min(key) % 100 and max(key) % 100 of a plain GROUP BY over the ratings table
    alone (a window over a million ratings took 5-12 s). `who` is the rater as stored; `rater(pairs)`
    names their kind from the grouped rows, joined after grouping so the join sees pairs, not ratings;
    `group_of(Case)` is the breakdown's group, from the case joined after grouping too. `items`
    also holds what tells two raters of one kind apart (a mother from a father, one worker from
    the next), so that each is compared with themselves; `only` limits the ratings read.

    `first_key`, where given, orders the first rating's candidates differently from `key` (for the
    Diamond: the earliest day, and the latest recorded on it, since a later rating the same day
    supersedes an earlier one); then a pair needs its ratings on two different `at`s, not just two
    ratings (a rating put right the same day is one rating, not distance travelled).
    """
    two = func.min(at) < func.max(at) if first_key is not None else func.count() >= 2
    inner = select(
        case_col.label("case_id"),
        who.label("who"),
        func.min(key if first_key is None else first_key).label("first_key"),
        func.max(key).label("last_key"),
    )
    if team_id is not None:
        inner = inner.join(Case, Case.id == case_col).where(Case.team_id == team_id)
    pairs = (
        inner.where(at < end, *only).group_by(case_col, who, *items).having(and_(two, func.max(at) >= start)).subquery()
    )
    kind = rater(pairs).label("rater")
    grp = group_of.label("grp")
    change = (pairs.c.last_key % 100) - (pairs.c.first_key % 100)
    query = select(
        kind,
        grp,
        func.count(),
        func.sum(change),
        func.sum(case((change > 0, 1), else_=0)),
        func.sum(case((change == 0, 1), else_=0)),
        func.sum(case((change < 0, 1), else_=0)),
    ).select_from(pairs)
    query = query.join(Case, Case.id == pairs.c.case_id)
    for target, on in rater_joins:
        query = query.join(target, on(pairs), isouter=True)
    return session.exec(query.group_by(kind, grp)).all()


def diamond_first_key(session: Session | str) -> ColumnElement:
    """A Diamond rating's key whose minimum is the first day's rating as it stood at the end of that
    day (the day rated, then the second recorded counted down, then the score in the last two digits):
    a later rating the same day supersedes an earlier one (app/diamond/models.py)."""
    return (
        epoch_days(session, DiamondRating.rated_on) * 10**12
        + (10**10 - epoch_seconds(session, DiamondRating.recorded_at)) * 100
        + DiamondRating.score
    )


def worker_of(person_col, user_col) -> ColumnElement:
    """The worker who gave a rating (None for a family member's, who is told apart by person)."""
    return case((person_col.is_(None), user_col), else_=None)
