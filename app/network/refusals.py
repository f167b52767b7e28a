"""Why the network refuses an edit: a stale version, a final record changed, a draft corrected.

Edits carry the version they started from and a stale one raises `StaleVersion` (DESIGN.md "Offline").
"""

from __future__ import annotations

from app.refused import Refused


class StaleVersion(Refused):
    """The record changed on the server since the version the edit started from."""

    status_code = 409

    def __init__(self, current: int) -> None:
        super().__init__("This changed since you opened it.")
        self.current = current


class AlreadyFinal(Refused):
    """A finalised record is append-only: corrections are addenda."""

    status_code = 409


class NotYetFinal(Refused):
    """A draft is changed on its own form: a correction (addendum) is for a final record only."""

    status_code = 409
