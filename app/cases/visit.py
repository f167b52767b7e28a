"""Record a visit, in one flow (issue 18): contact, the family's Diamond, the worker's own rating,
one next step, done. Each step is an ordinary page of the feature that owns it, opened with
`?visit=1`: it shows where the worker is in the visit, a "Skip" link, and sends its form on to the
next step (online by the route's redirect, offline by the form's `data-offline-next`). The steps
are addresses only, so this lower package imports none of the frameworks."""

from __future__ import annotations

from dataclasses import dataclass

VISIT_COOKIE = "homeward_visit"  # set by the hand-over in a visit, read by the hand-back


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str


def steps(case_id: int) -> list[Step]:
    base = f"/cases/{case_id}"
    return [
        Step("contact", "Contact", f"{base}/visit"),
        Step("family", "With the family", f"{base}/hand-to-family?visit=1"),
        Step("rating", "Your rating", f"{base}/diamond/rate?visit=1"),
        Step("next_step", "Next step", f"{base}/signs-of-safety/items/new?category=next_step&visit=1"),
        Step("done", "Done", f"{base}/visit/done"),
    ]


def after(case_id: int, key: str) -> str:
    """Where the visit goes after step `key` (saved or skipped)."""
    keys = [s.key for s in steps(case_id)]
    return steps(case_id)[min(keys.index(key) + 1, len(keys) - 1)].url


def in_visit(form_values) -> bool:
    """A step's form says it was sent from the visit flow."""
    return form_values.get("then") == "visit"


def offline_pages(*, session, case, actor) -> list[str]:
    """Every step of "Record a visit" kept on the device by "Take offline" (no query)."""
    return [] if case.status == "closed" else [step.url for step in steps(case.id)]
