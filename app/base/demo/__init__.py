"""BASE demo: a complete, reviewed assessment for Amira and one in progress for Reece.

Built through the services, so the demo exercises the same rules (and audit) as the screens.
Amira's first version was submitted with a high overall risk; her second is complete, the plan
finalised, and submitted. Feedback from Amira, her mother and her social worker at two reviews.

Each case's assessment has its own module (amira, reece), built with what acting.py holds.
"""

from __future__ import annotations

from sqlmodel import Session

from app.base.demo.amira import _amira
from app.base.demo.reece import _reece


def load(*, session: Session, demo) -> None:
    _amira(session=session, demo=demo)
    _reece(session=session, demo=demo)
