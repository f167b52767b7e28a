"""The service scorecard: a period against the one before, every figure from SQL aggregates.

Each figure comes from a GROUP BY over both periods at once (a CASE names the period), so the
page runs the same few statements for ten cases or fifty thousand (DESIGN.md "Budgets"). Counts
are returned as they are; the page and the PDF withhold small ones (rules.shown / rules.share).

What the card holds is in card.py, the breakdowns' groups in breakdowns.py, distance travelled in
distance.py, which outcome records stand in corrections.py, and dates and times in SQL in sql_time.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import JSON, and_, case, column, func, literal, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from app.accounts.models import Team
from app.base.models import BaseFeedback
from app.cases.models import Case, CaseEvent, CaseStatus, Contact, EligibilityDecision, Person
from app.diamond.models import DiamondRating
from app.endings.models import Reactivation
from app.outcomes.breakdowns import BREAKDOWN_LABELS, group_column
from app.outcomes.card import FEEDBACK_FROM, Feedback, Pair, Period, Scorecard, pair_of, which_period, which_period_at
from app.outcomes.corrections import not_corrected
from app.outcomes.distance import RATERS, SOS_RATERS, change_rows, diamond_first_key, distance, worker_of
from app.outcomes.models import AT_HOME, OutcomeRecord
from app.outcomes.sql_time import days_between, epoch_days, epoch_seconds, local_days, referral_started
from app.signs_of_safety.models import ScaleRating

# Where active work ends: the statuses a case moves to from active when the work is done.
ENDED_TO = (CaseStatus.dormant, CaseStatus.closed)


def _scope(team_id: int | None) -> ColumnElement:
    return Case.team_id == team_id if team_id is not None else literal(True)


def scorecard(
    *,
    session: Session,
    period: Period,
    team_id: int | None,
    breakdown: str = "age_band",
    first_contact_target_hours: int = 24,
) -> Scorecard:
    """Every figure for `period` and the one before, for one team or (None) the whole service; thirteen statements."""
    before = period.previous
    card = Scorecard(period=period, team_id=team_id, breakdown=breakdown)
    scope = _scope(team_id)

    # 1. Young people worked with (an attended contact in the period), contacts and direct time, by
    # the breakdown's group. A young person is in one group, so distinct counts add up across groups:
    # one pass over the contacts gives both the totals and the breakdown.
    group = group_column(breakdown, period.end).label("grp")
    flag = which_period(Contact.occurred_on, period, before).label("flag")
    groups: dict[str, Pair] = {}
    for g, f, worked, contacts, direct, recorded in session.exec(
        select(
            group,
            flag,
            func.count(func.distinct(case((Contact.attended.is_(True), Contact.case_id)))),
            func.count(),
            func.sum(Contact.direct_minutes),
            func.sum(Contact.direct_minutes + Contact.admin_minutes),
        )
        .join(Case, Case.id == Contact.case_id)
        .where(scope, Contact.occurred_on.between(before.start, period.end))
        .group_by(group, flag)
    ).all():
        for target, value in (
            (card.worked_with, worked),
            (card.contacts, contacts),
            (card.direct_minutes, direct),
            (card.recorded_minutes, recorded),
        ):
            setattr(target, f, getattr(target, f) + int(value or 0))
        if worked:
            setattr(groups.setdefault(g or "not_known", Pair()), f, int(worked))
        pair = card.contacts_by_group.setdefault(g or "not_known", Pair())
        setattr(pair, f, getattr(pair, f) + int(contacts or 0))
    order = list(BREAKDOWN_LABELS[breakdown])
    card.by_group = sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))

    # 2. Referrals received, and first contact within the target of the referral (as the case page
    # times it; until December 2026 from when the case was entered, which could be days later).
    flag = which_period(Case.referral_date, period, before).label("flag")
    started = referral_started(session, before.start.year - 1, period.end.year + 1)
    hours = (epoch_seconds(session, Case.first_contact_at) - started) / 3600.0
    rows = session.exec(
        select(
            flag,
            func.count(),
            func.count(Case.first_contact_at),
            func.sum(case((hours <= first_contact_target_hours, 1), else_=0)),
        )
        .where(scope, Case.referral_date.between(before.start, period.end))
        .group_by(flag)
    ).all()
    card.referrals = pair_of(rows, 0, 1)
    card.first_contacts = pair_of(rows, 0, 2)
    card.first_contacts_on_target = pair_of(rows, 0, 3)

    # 3. Caseloads now: active cases and the workers holding them.
    active, holding = session.exec(
        select(func.count(), func.count(func.distinct(Case.key_worker_id))).where(
            scope, Case.status == CaseStatus.active
        )
    ).one()
    card.active_now, card.workers_holding = int(active), int(holding)

    # 4. Endings: to dormant or closed, and by reason, by the breakdown's group. Every ending of
    # active work is the case's move out of active (app/cases/service.py `transition`, on the day
    # it happened), whichever way it was made: "End active work" (when approved, if it waited), a
    # step up or down that closes, or closing from the status screen, which makes no `Ending` row
    # (until December 2026 only `Ending` rows were counted, and those closures went uncounted).
    (a, _), (_, d) = before.bounds(), period.bounds()
    ended_at = CaseEvent.occurred_at
    ends_work = and_(CaseEvent.from_status == CaseStatus.active, CaseEvent.to_status.in_(ENDED_TO))
    flag = which_period_at(ended_at, period, before).label("flag")
    for g, f, outcome, reason, n in session.exec(
        select(group, flag, CaseEvent.to_status, CaseEvent.reason, func.count())
        .join(Case, Case.id == CaseEvent.case_id)
        .where(scope, ends_work, ended_at >= a, ended_at < d)
        .group_by(group, flag, CaseEvent.to_status, CaseEvent.reason)
    ).all():
        per_group = card.endings_by_group.setdefault(g or "not_known", {})
        # Work ended to dormant is asked for no closure reason (the case stays open): its own row,
        # not "reason not given", which would read as a worker's omission.
        why = reason or ("to_dormant" if outcome == "dormant" else "not_given")
        for pair in (
            card.endings.setdefault(outcome, Pair()),
            card.endings.setdefault(why, Pair()),
            per_group.setdefault("all", Pair()),
            per_group.setdefault(outcome, Pair()),
            per_group.setdefault(why, Pair()),
        ):
            setattr(pair, f, getattr(pair, f) + int(n))

    # 5. Outcome records at ending and follow-ups: at home (of those known), by the breakdown's group.
    flag = which_period(OutcomeRecord.taken_on, period, before).label("flag")
    years = (before.start.year - 1, period.end.year + 2)
    current = not_corrected(session, before.start, period.end, years)
    known = OutcomeRecord.living != "not_known"
    home = OutcomeRecord.living.in_(AT_HOME)
    looked_after = OutcomeRecord.care_status == "cla"
    until = OutcomeRecord.care_status_until
    # Looked after counts while the spell reaches into the record's period: a record in 2026 saying
    # looked after from 2019 to 2020 is the young person's history, not their entering care now.
    spell_reaches = or_(
        until.is_(None), until >= case((OutcomeRecord.taken_on >= period.start, period.start), else_=before.start)
    )
    in_care = or_(OutcomeRecord.living == "in_care", and_(looked_after, spell_reaches))
    recorded = and_(scope, OutcomeRecord.taken_on.between(before.start, period.end), current)
    for g, f, point, n_home, n_known in session.exec(
        select(
            group,
            flag,
            OutcomeRecord.point,
            func.count(func.distinct(case((home, OutcomeRecord.case_id)))),
            func.count(func.distinct(case((known, OutcomeRecord.case_id)))),
        )
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(recorded, OutcomeRecord.point != "baseline")
        .group_by(group, flag, OutcomeRecord.point)
    ).all():
        at, of = card.at_home.setdefault(point, (Pair(), Pair()))
        setattr(at, f, getattr(at, f) + int(n_home))
        setattr(of, f, getattr(of, f) + int(n_known))
        if point == "ending":
            at, of = card.home_by_group.setdefault(g or "not_known", (Pair(), Pair()))
            setattr(at, f, int(n_home))
            setattr(of, f, int(n_known))

    # 5b. Entered care: young people recorded in care at an ending, a follow-up or by the care-status
    # import in the period, each counted once however many records say so.
    for g, f, n in session.exec(
        select(group, flag, func.count(func.distinct(OutcomeRecord.case_id)))
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(recorded, OutcomeRecord.point.not_in(["baseline", "review"]), in_care)
        .group_by(group, flag)
    ).all():
        setattr(card.entered_care, f, getattr(card.entered_care, f) + int(n))
        setattr(card.care_by_group.setdefault(g or "not_known", Pair()), f, int(n))

    # 5c. Entered care within 12 months of the work ending, for young people whose work ended in the
    # period (their latest ending in it). "Yes": a record at ending, follow-up or import says they
    # were in care on a day from the ending to 365 days after it, or that they became looked after
    # on such a day. "No": not yes, and a record taken 365 days or more after the ending says they
    # were not in care, or that looked after began later than that. Otherwise "not known": no
    # record covers the twelve months yet, which is not the same as "no".
    ends = (
        select(
            CaseEvent.case_id.label("case_id"),
            which_period_at(ended_at, period, before).label("flag"),
            func.max(local_days(session, ended_at, before.start.year, period.end.year)).label("day"),
        )
        .join(Case, Case.id == CaseEvent.case_id)
        .where(scope, ends_work, ended_at >= a, ended_at < d)
        .group_by(CaseEvent.case_id, "flag")
        .subquery()
    )
    taken = epoch_days(session, OutcomeRecord.taken_on)
    since = epoch_days(session, OutcomeRecord.care_status_since)
    # In care during the twelve months: living in care, or looked after with the spell not ended
    # before the ending.
    in_care_after = or_(
        OutcomeRecord.living == "in_care",
        and_(looked_after, or_(until.is_(None), epoch_days(session, until) >= ends.c.day)),
    )
    not_in_care = and_(
        OutcomeRecord.living != "in_care",
        or_(
            OutcomeRecord.care_status.in_(["none", "cin", "cp"]),
            and_(OutcomeRecord.care_status == "not_known", OutcomeRecord.living != "not_known"),
        ),
    )
    per_case = (
        select(
            ends.c.case_id,
            ends.c.flag,
            func.max(
                case(
                    (and_(in_care_after, taken.between(ends.c.day, ends.c.day + 365)), 1),
                    (and_(looked_after, since.between(ends.c.day, ends.c.day + 365)), 1),
                    else_=0,
                )
            ).label("yes"),
            func.max(
                case(
                    (and_(not_in_care, taken >= ends.c.day + 365), 1),
                    (and_(looked_after, since > ends.c.day + 365), 1),
                    else_=0,
                )
            ).label("no"),
        )
        .select_from(ends)
        .join(
            OutcomeRecord,
            and_(
                OutcomeRecord.case_id == ends.c.case_id,
                OutcomeRecord.point.not_in(["baseline", "review"]),
                or_(taken >= ends.c.day, since >= ends.c.day),
                not_corrected(session, None, None, years),  # the twelve months after an ending run past the period
            ),
            isouter=True,
        )
        .group_by(ends.c.case_id, ends.c.flag)
        .subquery()
    )
    answer = case(
        (per_case.c.yes == 1, literal("yes")), (per_case.c.no == 1, literal("no")), else_=literal("not_known")
    ).label("answer")
    for g, f, said, n in session.exec(
        select(group, per_case.c.flag, answer, func.count())
        .select_from(per_case)
        .join(Case, Case.id == per_case.c.case_id)
        .group_by(group, per_case.c.flag, answer)
    ).all():
        for pair in (
            card.care_within_12.setdefault(said, Pair()),
            card.care_within_12_by_group.setdefault(g or "not_known", {}).setdefault(said, Pair()),
        ):
            setattr(pair, f, getattr(pair, f) + int(n))

    # 6. Reactivations from dormant, re-referrals (closed cases reopened), and days dormant.
    flag = which_period_at(Reactivation.reactivated_at, period, before).label("flag")
    for f, kind, days, n in session.exec(
        select(flag, Reactivation.kind, Reactivation.days_dormant, func.count())
        .join(Case, Case.id == Reactivation.case_id)
        .where(scope, Reactivation.reactivated_at >= a, Reactivation.reactivated_at < d)
        .group_by(flag, Reactivation.kind, Reactivation.days_dormant)
        .order_by(Reactivation.days_dormant)
    ).all():
        target = card.re_referrals if kind == "reopened" else card.reactivations
        setattr(target, f, getattr(target, f) + int(n))
        if f == "now" and kind == "reactivated" and days is not None:
            card.days_dormant.append((int(days), int(n)))

    # 7 and 8. Distance travelled on the Diamond (per aim or goal) and the overall safety scale.
    start, end = period.bounds()
    card.diamond, card.diamond_by_group = change_rows(
        distance(
            session,
            case_col=DiamondRating.case_id,
            who=DiamondRating.person_id,  # empty for a worker's rating
            # A worker's ratings are compared with that worker's own (a case reallocated: the
            # first worker's first rating is not the second's starting point).
            # (user_id is set for a worker's rating alone; the table's check holds it.)
            items=[DiamondRating.aim, DiamondRating.goal_id, DiamondRating.user_id],
            # Day rated (under 10^5) then second recorded (under 10^10), then the score: fits 63 bits.
            key=epoch_days(session, DiamondRating.rated_on) * 10**12
            + epoch_seconds(session, DiamondRating.recorded_at) * 100
            + DiamondRating.score,
            # The first day's rating is the one recorded last that day: the recording second
            # counted down from 10^10 (the Diamond's rule, app/diamond/models.py).
            first_key=diamond_first_key(session),
            at=DiamondRating.rated_on,
            start=period.start,
            end=period.end + timedelta(days=1),
            team_id=team_id,
            rater=lambda pairs: case(
                (pairs.c.who.is_(None), literal("worker")),
                (Person.is_young_person.is_(True), literal("young_person")),
                else_=literal("parent"),
            ),
            group_of=group_column(breakdown, period.end),
            rater_joins=[(Person, lambda pairs: Person.id == pairs.c.who)],
        ),
        RATERS,
        order,
    )
    card.scales, card.scales_by_group = change_rows(
        distance(
            session,
            case_col=ScaleRating.case_id,
            who=ScaleRating.rater_role,
            # Each person compared with themselves (a mother with herself, not with the father),
            # a worker with that worker; the overall scale only, never a statement pair's.
            items=[ScaleRating.rater_person_id, worker_of(ScaleRating.rater_person_id, ScaleRating.recorded_by_id)],
            only=[ScaleRating.pair_key.is_(None)],
            # Second rated, then (for two ratings given in the same second) the second recorded
            # within a 10^6-second window, then the score.
            key=epoch_seconds(session, ScaleRating.rated_at) * 10**8
            + (epoch_seconds(session, ScaleRating.created_at) % 10**6) * 100
            + ScaleRating.score,
            at=ScaleRating.rated_at,
            rater=lambda pairs: pairs.c.who,
            start=start,
            end=end,
            team_id=team_id,
            group_of=group_column(breakdown, period.end),
        ),
        SOS_RATERS,
        order,
    )

    # 9. Eligibility: cases screened in the period, and eligible at their latest screening in it.
    latest = (
        select(
            EligibilityDecision.case_id,
            which_period_at(EligibilityDecision.decided_at, period, before).label("flag"),
            func.max(EligibilityDecision.decided_at).label("at"),
        )
        .join(Case, Case.id == EligibilityDecision.case_id)
        .where(scope, EligibilityDecision.decided_at >= a, EligibilityDecision.decided_at < d)
        .group_by(EligibilityDecision.case_id, "flag")
        .subquery()
    )
    rows = session.exec(
        select(
            latest.c.flag,
            func.count(),
            func.sum(case((EligibilityDecision.eligible.is_(True), 1), else_=0)),
            func.sum(case((EligibilityDecision.overridden.is_(True), 1), else_=0)),
        )
        .select_from(latest)
        .join(
            EligibilityDecision,
            and_(EligibilityDecision.case_id == latest.c.case_id, EligibilityDecision.decided_at == latest.c.at),
        )
        .group_by(latest.c.flag)
    ).all()
    card.screened, card.eligible, card.overridden = pair_of(rows, 0, 1), pair_of(rows, 0, 2), pair_of(rows, 0, 3)

    # 10. Days in care, where known: from the date looked after began to its end (or the record's
    # date), the longest per case, for records at ending, follow-up or imported in the period.
    in_care_days = days_between(
        session, OutcomeRecord.care_status_since, func.coalesce(OutcomeRecord.care_status_until, OutcomeRecord.taken_on)
    )
    per_case = (
        select(
            OutcomeRecord.case_id,
            which_period(OutcomeRecord.taken_on, period, before).label("flag"),
            func.max(in_care_days).label("days"),
        )
        .join(Case, Case.id == OutcomeRecord.case_id)
        .where(
            scope,
            OutcomeRecord.taken_on.between(before.start, period.end),
            OutcomeRecord.point.not_in(["baseline", "review"]),
            OutcomeRecord.care_status == "cla",
            OutcomeRecord.care_status_since.is_not(None),
        )
        .group_by(OutcomeRecord.case_id, "flag")
        .subquery()
    )
    for f, days, n in session.exec(
        select(per_case.c.flag, per_case.c.days, func.count())
        .group_by(per_case.c.flag, per_case.c.days)
        .order_by(per_case.c.days)
    ).all():
        setattr(card.care_days_known, f, getattr(card.care_days_known, f) + int(n))
        if f == "now":
            card.days_in_care.append((max(0, int(days)), int(n)))

    # 11. Feedback from young people, parents and social workers: responses and how answers scored.
    each = func.json_each if session.get_bind().dialect.name == "sqlite" else func.json_array_elements
    # A function in FROM may read the tables before it (implicitly lateral on both databases).
    answer = each(BaseFeedback.answers).table_valued(column("value", JSON))
    score = answer.c.value["score"].as_integer()
    flag = which_period_at(BaseFeedback.recorded_at, period, before).label("flag")
    found: dict[str, Feedback] = {}
    for f, perspective, responses, scored, good in session.exec(
        select(
            flag,
            BaseFeedback.perspective,
            func.count(func.distinct(BaseFeedback.id)),
            func.count(score),
            func.sum(case((score >= 4, 1), else_=0)),
        )
        .join(Case, Case.id == BaseFeedback.case_id)
        .join(answer, true())
        .where(scope, BaseFeedback.recorded_at >= a, BaseFeedback.recorded_at < d)
        .group_by(flag, BaseFeedback.perspective)
    ).all():
        item = found.setdefault(
            perspective, Feedback(FEEDBACK_FROM.get(perspective, perspective), Pair(), Pair(), Pair())
        )
        for target, value in ((item.responses, responses), (item.answers, scored), (item.good, good)):
            setattr(target, f, int(value or 0))
    order = list(FEEDBACK_FROM.values())
    card.feedback = sorted(found.values(), key=lambda x: order.index(x.perspective) if x.perspective in order else 9)

    return card


def team_choices(*, session: Session) -> list[tuple[int, str]]:
    """Teams for the manager's choice (one query)."""
    return [(t.id, t.name) for t in session.exec(select(Team).order_by(Team.name)).all()]
