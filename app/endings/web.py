"""What the endings screens share: a refused form shown again, with 409 for a stale version."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.cases.service import Conflict
from app.refused import WrongCase
from app.templating import render


def _failed(request: Request, template: str, ctx: dict, error: Exception) -> Response:
    if isinstance(error, WrongCase):
        raise error  # not found, like any record of another case (app/refused.py)
    if getattr(error, "field", None) and ctx.get("form") is not None:
        ctx["form"].error(error.field, error.message)  # e.g. a date before the case's latest move
        return render(request, template, ctx, status_code=422)
    ctx["refusal"] = error.message  # type: ignore[attr-defined]
    return render(request, template, ctx, status_code=409 if isinstance(error, Conflict) else 422)
