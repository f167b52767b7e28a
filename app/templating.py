"""One template per screen; htmx requests get a named block of it, other requests the whole page.

jinja2-fragments renders a single block with the page's context, so the fragment and the page
cannot drift apart. Responses say `Vary: HX-Request` so no cache mixes the two.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, FileSystemLoader
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks

from app import i18n
from app.assets import static_url
from app.features import nav_links
from app.flashcookie import read_flashes, write_flashes
from app.timeutil import local, utcnow

APP_DIR = Path(__file__).resolve().parent

templates = Jinja2Blocks(directory=str(APP_DIR / "templates"))


def add_template_folder(folder: Path) -> None:
    """Let templates be found in `folder` too, after app/templates (a feature that keeps its own)."""
    loader = templates.env.loader
    loaders = list(loader.loaders) if isinstance(loader, ChoiceLoader) else [loader]
    if not any(getattr(each, "searchpath", None) == [str(folder)] for each in loaders):
        templates.env.loader = ChoiceLoader([*loaders, FileSystemLoader(str(folder))])


templates.env.globals.update(static_url=static_url, nav_links=nav_links)
# gettext in every template ({{ _("...") }}, {% trans %}): the request's language (app/i18n.py),
# English unless a family screen chose another. New-style: `_("Hello %(name)s", name=...)`.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.globals["page_language"] = i18n.current_language
templates.env.filters["day"] = i18n.day
templates.env.globals["language_options"] = lambda: [(c, lang.english) for c, lang in i18n.LANGUAGES.items()]
# A string made in Python (a question from data, a form's error) in the page's language, if the
# catalog has it; never %-formatted, so a worker's own words pass through unchanged.
templates.env.filters["tr"] = lambda value: i18n.gettext(value) if isinstance(value, str) and value else value


def _format_date(value, fmt: str = "%-d %b %Y") -> str:
    if not value:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    return value.strftime(fmt)


templates.env.filters["date"] = _format_date
templates.env.filters["datetime"] = lambda v: _format_date(v, "%-d %b %Y, %H:%M")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render `template`; for an htmx request with `block`, only that block."""
    ctx = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "user_session": getattr(request.state, "user_session", None),
        "request_id": getattr(request.state, "request_id", ""),
        "flashes": pop_flashes(request),
        "now": utcnow(),
        **(context or {}),
    }
    if block and is_htmx(request):
        response = templates.TemplateResponse(request, template, ctx, block_name=block, status_code=status_code)
    else:
        response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers["Vary"] = "HX-Request, Cookie"
    write_flashes(request, response)
    _remember_for_replay(request, response)
    return response


def render_body(request: Request, template: str, context: dict[str, Any]) -> str:
    """The `content` block of `template` alone, as a string (a page body to cache): the same
    context as render() gives, without the flash messages, which belong to one response only."""
    ctx = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "user_session": getattr(request.state, "user_session", None),
        "request_id": "",
        "flashes": [],
        "now": utcnow(),
        **context,
    }
    return render_block(templates.env, template, "content", ctx)


def _remember_for_replay(request: Request, response) -> None:
    # A request replayed from the offline outbox records its answer in the ledger, in the same
    # transaction as its change (app/sync/ledger.py).
    remember = getattr(request.state, "remember_result", None)
    if remember is not None:
        remember(response)


# Flash messages travel in a short signed cookie set on the redirect and read on the next page
# (post/redirect/get). They carry only our own wording, never personal data.


def flash(request: Request, message: str, kind: str = "success") -> None:
    request.state.new_flashes = [*getattr(request.state, "new_flashes", []), (kind, message)]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    if getattr(request.state, "flashes_read", False):
        return []
    request.state.flashes_read = True
    return read_flashes(request)


def redirect(request: Request, url: str, status_code: int = 303):
    """Post/redirect/get: a 303 to `url` carrying any flash messages; htmx follows it too."""
    from fastapi.responses import RedirectResponse

    response = RedirectResponse(url, status_code=status_code)
    write_flashes(request, response)
    _remember_for_replay(request, response)
    return response
