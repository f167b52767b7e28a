"""What a BASE assessment asks from, as shipped in app/base/data/: the resilience checklist and the
service-user feedback question sets.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@lru_cache
def resilience_factors() -> dict[str, Any]:
    """The shipped resilience checklist (app/base/data/resilience_factors.json)."""
    return json.loads((DATA / "resilience_factors.json").read_text(encoding="utf-8"))


@lru_cache
def factor_labels() -> dict[str, str]:
    return {f["key"]: f["label"] for d in resilience_factors()["domains"] for f in d["factors"]}


@lru_cache
def feedback_sets() -> dict[str, Any]:
    """The service-user feedback question sets (app/base/data/feedback_questions.json)."""
    return json.loads((DATA / "feedback_questions.json").read_text(encoding="utf-8"))
