"""Which items can be reviewed: the kinds the installed features declare (app/features.py).

A kind says how to show one submitted version read-only (as named sections of text) and where the
item lives; each feature defines its own in its package (e.g. app/endings/review_kinds.py) and lists
it in its `Feature`. "What changed" is worked out here, generically, from two versions' sections.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from app.features import ReviewKind, Sections, review_kinds


def kinds() -> dict[str, ReviewKind]:
    """Every installed kind by key, in feature order."""
    return review_kinds()


def kind(key: str) -> ReviewKind | None:
    return review_kinds().get(key)


def decided_by_managers() -> list[str]:
    """Kinds whose approval only records the decision (no `approve` hook that moves the case):
    what a service manager may decide when a supervisor of the team sent it."""
    return [key for key, found in review_kinds().items() if found.approve is None]


def label(key: str) -> str:
    found = kind(key)
    return found.label if found else key.replace("_", " ").capitalize()


@dataclass
class SectionChange:
    name: str
    text: str
    added: list[str]
    removed: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def compare(current: Sections, previous: Sections | None) -> list[SectionChange]:
    """Section by section, the lines added and removed since `previous` (None: nothing approved yet)."""
    before = dict(previous or [])
    changes = []
    for name, text in current:
        if previous is None:
            changes.append(SectionChange(name, text, [], []))
            continue
        old = [line for line in before.get(name, "").splitlines() if line.strip()]
        new = [line for line in text.splitlines() if line.strip()]
        diff = list(difflib.ndiff(old, new))
        added = [line[2:] for line in diff if line.startswith("+ ")]
        removed = [line[2:] for line in diff if line.startswith("- ")]
        changes.append(SectionChange(name, text, added, removed))
    return changes
