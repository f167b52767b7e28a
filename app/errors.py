"""One content-negotiated error handler: pages for people, fragments for htmx, JSON for APIs."""

from __future__ import annotations

import functools
import logging
import traceback

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.audit import service as audit
from app.refused import Refused
from app.security.auth import FamilyModeLocked, Forbidden, LoginRequired
from app.templating import is_htmx, render

log = logging.getLogger("homeward")

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Please check what you entered",
    500: "Something went wrong",
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


def error_response(request: Request, status_code: int, message: str | None = None) -> Response:
    request_id = getattr(request.state, "request_id", "")
    if _wants_json(request):
        return JSONResponse(
            {"error": TITLES.get(status_code, "Error"), "detail": message, "request_id": request_id},
            status_code=status_code,
        )
    template = f"errors/{status_code}.html" if status_code in (403, 404, 422, 500) else "errors/generic.html"
    if is_htmx(request):
        # jinja2-fragments only finds blocks a template defines itself, and generic.html defines
        # the content block that the per-status templates inherit.
        template = "errors/generic.html"
    return render(
        request,
        template,
        {"status_code": status_code, "title": TITLES.get(status_code, "Error"), "message": message},
        block="content",
        status_code=status_code,
    )


async def record_refusal(request: Request, status_code: int) -> None:
    """A signed-in user refused (403/404) on a case route is audited with the route and outcome:
    probing other cases' ids must leave a trace, though the request itself wrote nothing. Written
    in the thread pool: these handlers run on the event loop, where no database work belongs."""
    user = getattr(request.state, "user", None)
    # A route about something of a case (a review submission) names the case it found.
    case_ref = request.path_params.get("case_id") or getattr(request.state, "case_id", None)
    if status_code not in (403, 404) or user is None or case_ref is None:
        return
    route = getattr(request.scope.get("route"), "path", request.url.path)
    try:
        await run_in_threadpool(
            functools.partial(
                audit.record_refusal,
                engine=request.app.state.engine,
                user_id=user.id,
                request_id=getattr(request.state, "request_id", ""),
                route=route,
                method=request.method,
                status=status_code,
                case_ref=str(case_ref),
            )
        )
    except Exception:  # the refusal is answered even if its trace cannot be written
        log.exception("could not audit a refusal request_id=%s", getattr(request.state, "request_id", ""))


FAMILY_MODE_HEADER = "X-Homeward-Family-Mode"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        url = f"/login?next={target}" if request.method == "GET" else "/login"
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": url})
        if _wants_json(request):
            return JSONResponse({"error": "Login required"}, status_code=401)
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(FamilyModeLocked)
    async def _family_locked(request: Request, exc: FamilyModeLocked) -> Response:
        # Named in a header so the outbox of a worker's page still open in another tab waits for
        # the hand-back instead of setting its items aside as refused (offline.js).
        headers = {FAMILY_MODE_HEADER: "1"}
        if _wants_json(request):
            return JSONResponse({"error": "Hand the tablet back to your worker"}, status_code=403, headers=headers)
        response = render(request, "errors/family_locked.html", {}, block="content", status_code=403)
        response.headers.update(headers)
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        await record_refusal(request, 403)
        return error_response(request, 403, exc.message)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        # The one place a refusal becomes a response when the route has no form to show it beside
        # (STYLE.md "One refusal type"): the page with the message, or JSON for an offline replay
        # (409 for a record changed since, 422 for a rule). Not found stays silent about why.
        # The session has already been rolled back (app/db.py).
        await record_refusal(request, exc.status_code)
        return error_response(request, exc.status_code, None if exc.status_code == 404 else exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if getattr(exc, "response", None) is not None:  # a ready answer, e.g. an offline replay
            return exc.response
        await record_refusal(request, exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in TITLES.values() else None
        if exc.status_code in (404,) or detail in ("Not Found", "Method Not Allowed"):
            detail = None
        response = error_response(request, exc.status_code, detail)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, "Some of what was sent could not be understood.")

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> Response:
        # A value the database cannot hold (a number out of range, text too long for a column)
        # is something the sender can fix, so 422 and a plain message; the transaction has
        # already been rolled back. Routes validate first; this is the safety net.
        log.warning(
            "database refused a value request_id=%s path=%s", getattr(request.state, "request_id", ""), request.url.path
        )
        return error_response(request, 422, "Some of what was sent is too long or out of range, so nothing was saved.")

    app.add_exception_handler(Exception, unexpected_error)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """The 500 page. HomewardMiddleware calls this itself, so the page gets the security headers
    (Starlette's own last-resort handler sits outside every middleware)."""
    # The type and the stack only: exception messages (database errors quote their parameters)
    # can carry personal data, and logs must not (DESIGN.md "Security").
    log.error(
        "unhandled error request_id=%s path=%s type=%s\n%s",
        getattr(request.state, "request_id", ""),
        request.url.path,
        type(exc).__name__,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return error_response(request, 500)
