"""Demo Diamond ratings: several cases, several raters, three or more reviews each (fictional)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.diamond.models import DiamondGoal, DiamondRating
from app.diamond.rules import AIM_KEYS

# For each case: rater -> numbers per review (wellbeing, learning, relationships, empowerment).
# "yp" is the young person, "family" the first family member, "worker" the key worker.
SCRIPTS = {
    "Kayla": {
        "yp": [(2, 3, 2, 2), (4, 3, 3, 4), (5, 5, 3, 6), (6, 6, 4, 7)],
        "family": [(4, 3, 5, 3), (4, 4, 6, 4), (5, 5, 7, 5), (6, 5, 8, 6)],
        "worker": [(3, 3, 3, 3), (4, 4, 4, 4), (5, 5, 5, 5), (6, 6, 6, 6)],
        "Pat": [(None), (5, 5, 6, 5), (6, 5, 7, 6), (6, 6, 7, 6)],
    },
    "Tyler": {
        "yp": [(5, 2, 4, 5), (5, 3, 5, 5), (6, 5, 6, 6)],
        "family": [(3, 2, 3, 4), (4, 3, 4, 4), (6, 4, 6, 5)],
        "worker": [(4, 2, 4, 4), (5, 3, 5, 5), (6, 4, 6, 6)],
    },
    "Amira": {
        "yp": [(3, 6, 3, 2), (3, 7, 4, 3), (4, 7, 5, 5), (5, 8, 5, 6), (6, 8, 6, 7)],
        "family": [(4, 7, 4, 3), (4, 7, 4, 3), (5, 7, 5, 4), (5, 8, 6, 5), (6, 8, 7, 5)],
        "worker": [(3, 6, 3, 3), (4, 7, 4, 3), (4, 7, 5, 4), (5, 8, 5, 5), (6, 8, 6, 6)],
    },
    "Reece": {
        "yp": [(4, 4, 5, 3), (5, 4, 5, 4), (5, 5, 6, 5)],
        "family": [(5, 3, 4, 4), (5, 4, 4, 4), (6, 5, 5, 5)],
        "worker": [(4, 3, 4, 3), (5, 4, 5, 4), (6, 5, 5, 5)],
    },
    "Mia": {
        "yp": [(2, 4, 2, 3), (3, 4, 3, 3), (4, 5, 5, 4), (5, 5, 6, 5)],
        "family": [(4, 5, 4, 4), (4, 5, 5, 4), (5, 6, 6, 5), (6, 6, 7, 6)],
        "worker": [(3, 4, 3, 3), (4, 5, 4, 4), (5, 5, 5, 5), (5, 6, 6, 5)],
    },
    "Nathan": {
        "yp": [(6, 3, 5, 4), (6, 4, 5, 5), (7, 5, 6, 6)],
        "family": [(3, 3, 2, 3), (4, 4, 3, 4), (5, 4, 4, 4)],
        "worker": [(4, 3, 4, 4), (5, 4, 4, 5), (6, 5, 5, 5)],
    },
    "Chloe": {
        "yp": [(3, 3, 4, 3), (5, 4, 5, 5), (7, 6, 7, 7)],
        "family": [(4, 4, 4, 3), (5, 5, 6, 5), (7, 6, 7, 6)],
        "worker": [(3, 3, 4, 3), (5, 5, 5, 5), (7, 6, 7, 7)],
    },
}

NOTES = {
    ("Kayla", "yp", 3): ("Going to boxing club with Jordan on Tuesdays", "Ask school about the art group"),
    ("Kayla", "family", 3): ("We had tea together three nights this week", "Keep the Sunday walks going"),
    ("Kayla", "yp", 1): ("Mum listened when I said I was stressed", ""),
    ("Tyler", "yp", 2): ("Got a merit in science", "Tell Dad about the merit"),
    ("Amira", "yp", 4): ("My uncle drives me to college now", "Choose a course for next year"),
    ("Amira", "family", 4): ("Amira is talking to me again about her day", ""),
    ("Mia", "yp", 3): ("I can see my mum every other Saturday", "Plan my birthday with my aunt"),
    ("Nathan", "family", 2): ("Fewer arguments at bedtime", "Try the calm-down plan when things get loud"),
}


# Goals in the family's words: (title, chosen by, {rater: numbers per review, latest reviews last}).
GOALS = {
    "Kayla": [
        ("Get to school on time every day", "yp", {"yp": [2, 4, 6, 7], "family": [3, 4, 5, 7], "worker": [2, 4, 5, 6]}),
        ("Cook tea together once a week", "family", {"yp": [5, 6, 8], "family": [4, 6, 7]}),
    ],
    "Amira": [
        ("Pick a college course I want", "yp", {"yp": [2, 3, 5, 6], "family": [3, 3, 4, 6], "worker": [2, 3, 4, 5]})
    ],
    "Mia": [("See Mum every other Saturday", "yp", {"yp": [3, 6, 8], "family": [4, 6, 7], "worker": [3, 5, 7]})],
}


def _review_days(opened, today, count):
    """`count` review dates from the first week of the case to a few days ago, evenly spread."""
    first = opened + timedelta(days=7)
    last = today - timedelta(days=3)
    if count == 1 or last <= first:
        return [last] * count
    step = (last - first) / (count - 1)
    return [first + step * i for i in range(count)]


def load(*, session, demo) -> None:
    for first_name, script in SCRIPTS.items():
        case = demo.cases[first_name]
        people = demo.people[first_name]
        young, family = people[0], people[1]
        worker_id = case.key_worker_id
        rounds = max(len(v) for v in script.values())
        end = case.closed_at.date() if case.closed_at else demo.today
        if case.status == "dormant":
            end = demo.today - timedelta(days=40)
        days = _review_days(case.opened_at.date(), end, rounds)
        for rater, numbers in script.items():
            person = {"yp": young, "family": family}.get(rater) or next(
                (p for p in people if p.name.startswith(rater)), None
            )
            for index, scores in enumerate(numbers):
                if scores is None:
                    continue
                day = days[index + rounds - len(numbers)]
                at = datetime.combine(day, time(17, 30 + index), tzinfo=UTC)
                good, step = NOTES.get((first_name, rater, index), ("", ""))
                for aim, score in zip(AIM_KEYS, scores, strict=False):
                    session.add(
                        DiamondRating(
                            case_id=case.id,
                            person_id=person.id if person and rater != "worker" else None,
                            user_id=worker_id if rater == "worker" else None,
                            aim=aim,
                            score=score,
                            positive_experiences=good if aim == "wellbeing" else "",
                            next_step=step if aim == "wellbeing" else "",
                            rated_on=day,
                            recorded_at=at,
                            recorded_by_user_id=worker_id,
                            in_family_mode=rater != "worker",
                        )
                    )

    for first_name, goals in GOALS.items():
        case = demo.cases[first_name]
        people = demo.people[first_name]
        raters = {"yp": people[0], "family": people[1]}
        rounds = max(len(v) for v in SCRIPTS[first_name].values())
        days = _review_days(case.opened_at.date(), demo.today, rounds)
        for title, chosen_by, numbers in goals:
            goal = DiamondGoal(
                case_id=case.id,
                title=title,
                chosen_by_person_id=raters[chosen_by].id,
                created_by_user_id=case.key_worker_id,
                created_at=datetime.combine(
                    days[rounds - max(len(v) for v in numbers.values())], time(17, 0), tzinfo=UTC
                ),
            )
            session.add(goal)
            session.flush()
            for rater, scores in numbers.items():
                for index, score in enumerate(scores):
                    day = days[index + rounds - len(scores)]
                    session.add(
                        DiamondRating(
                            case_id=case.id,
                            person_id=raters[rater].id if rater != "worker" else None,
                            user_id=case.key_worker_id if rater == "worker" else None,
                            aim="goal",
                            goal_id=goal.id,
                            score=score,
                            rated_on=day,
                            recorded_at=datetime.combine(day, time(17, 45), tzinfo=UTC),
                            recorded_by_user_id=case.key_worker_id,
                            in_family_mode=rater != "worker",
                        )
                    )
