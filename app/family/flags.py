"""Family mode's oversight flag: wrong Worker PINs typed on a tablet without a signal.

The offline PIN check is the one secret someone holding the tablet can attack at leisure
(docs/family-mode.md, threat model), so each report the tablet sends when it reconnects is
shown to the supervisor on the team oversight page for four weeks.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.audit.models import AuditEntry
from app.cases.models import Case
from app.family.service import IS_OFFLINE_FAILURE
from app.features import FlagRule, FlagScope

SHOWN_FOR = timedelta(days=28)


def _wrong_pins_reported(scope: FlagScope):
    return (
        select(AuditEntry.case_id)
        .join(Case, Case.id == AuditEntry.case_id)
        .where(scope.in_scope, IS_OFFLINE_FAILURE, AuditEntry.at >= scope.since(SHOWN_FOR))
        .distinct()
    )


def _wrong_pins_offline(scope: FlagScope) -> list[Case]:
    """Open cases of the teams with a report of wrong PINs typed offline in the last four weeks (one query)."""
    reported = scope.figures("wrong PINs offline", _wrong_pins_reported)
    return [c for c in scope.cases if c.id in reported]


FLAGS = (
    FlagRule(
        "offline_wrong_pins",
        lambda s: "Wrong Worker PINs typed on a tablet offline",
        _wrong_pins_offline,
        lambda: {"wrong PINs offline": _wrong_pins_reported},
    ),
)
