"""Which outcome records stand: records are never edited, a correction is a new record, and the
scorecard and the evaluator export count only those not put right by a later one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, tuple_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.cases.models import CaseEvent, CaseStatus
from app.outcomes.models import OutcomeRecord
from app.outcomes.sql_time import epoch_days, epoch_seconds, local_days


def not_corrected(
    session: Session, since: date | None, until: date | None, years: tuple[int, int], *, baseline: bool = False
) -> ColumnElement:
    """An outcome record not put right by a later one for the same case, point and spell (records
    are never edited: a correction is a new record): the latest recorded for its case, point and
    spell among those taken from `since` to `until` (the two periods, for what was known of them;
    None: ever). The care status import's records are each a fact of their day, not corrections
    of one another. Baselines are left out (no figure reads one) unless `baseline` (the export).

    A spell is told by the case's latest move into or out of active work on or before the day the
    record was taken (`years`: those the moves' local days are worked out for), so a reopened
    case's second follow-up at three months is not taken as a correction of the first spell's.
    A record at ending is told by the latest move into active work only: it is taken when the
    ending is written, before the approval moves the case out, and its correction may come after;
    both belong to the spell that move ends.
    Uncorrelated, so the database works it out once (a NOT EXISTS per record ran for over 20
    minutes on the county set)."""
    record, move = aliased(OutcomeRecord), aliased(CaseEvent)
    taken = [record.point.not_in(["imported"] if baseline else ["imported", "baseline"])]
    taken += [record.taken_on.between(since, until)] if since and until else []
    latest = (
        select(record.case_id, record.point, func.max(record.recorded_at).label("at"), func.count().label("n"))
        .where(*taken)
        .group_by(record.case_id, record.point)
        .subquery()
    )
    # The latest for its case and point is the latest in its spell too; only the case and points
    # with more than one record (few: corrections, and cases worked twice) need their spells told.
    marked = (
        select(
            record.id,
            record.case_id,
            record.point,
            record.recorded_at,
            func.coalesce(func.max(epoch_seconds(session, move.occurred_at)), 0).label("spell"),
        )
        .join(latest, and_(latest.c.case_id == record.case_id, latest.c.point == record.point, latest.c.n > 1))
        .join(
            move,
            and_(
                move.case_id == record.case_id,
                or_(
                    move.to_status == CaseStatus.active,
                    and_(move.from_status == CaseStatus.active, record.point != "ending"),
                ),
                local_days(session, move.occurred_at, *years) <= epoch_days(session, record.taken_on),
            ),
            isouter=True,
        )
        .where(*taken)
        .group_by(record.id, record.case_id, record.point, record.recorded_at)
        .cte("marked")
    )
    in_spell = (
        select(marked.c.case_id, marked.c.point, marked.c.spell, func.max(marked.c.recorded_at).label("at"))
        .group_by(marked.c.case_id, marked.c.point, marked.c.spell)
        .subquery()
    )
    current_in_spell = select(marked.c.id).join(
        in_spell,
        and_(
            in_spell.c.case_id == marked.c.case_id,
            in_spell.c.point == marked.c.point,
            in_spell.c.spell == marked.c.spell,
            in_spell.c.at == marked.c.recorded_at,
        ),
    )
    return or_(
        OutcomeRecord.point == "imported",
        tuple_(OutcomeRecord.case_id, OutcomeRecord.point, OutcomeRecord.recorded_at).in_(
            select(latest.c.case_id, latest.c.point, latest.c.at)
        ),
        OutcomeRecord.id.in_(current_in_spell),
    )
