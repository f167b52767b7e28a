"""Signs of Safety's part of the case page's "Needs doing": the map's open next steps (the
same two queries as its part of the page, read once: app/cases/reads.py)."""

from __future__ import annotations

from sqlmodel import Session

from app.cases.models import Case
from app.features import ToDo
from app.signs_of_safety.case_section import open_next_steps


def items(*, session: Session, case: Case, actor) -> list[ToDo]:
    _, rows = open_next_steps(session=session, case=case)
    return [
        ToDo(
            "task",
            text,
            due_on=due,
            url=f"/cases/{case.id}/signs-of-safety#next_step",
            who=name or ("Key worker" if by_key_worker else ""),
            source="Signs of Safety next step",
        )
        for text, due, by_key_worker, name in rows
    ]
