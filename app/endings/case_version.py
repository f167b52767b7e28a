"""The case's version an ending, a dormant review or a return started from: the case changed since
is a conflict, so an older offline copy of the form never overwrites what happened meanwhile.
"""

from __future__ import annotations

from app.cases.models import Case
from app.cases.service import Conflict


def check_version(case: Case, base_version: int | None) -> None:
    if base_version is not None and base_version != case.version:
        raise Conflict(
            "The case changed since this page was opened. Look at it again before saving.", current_version=case.version
        )
