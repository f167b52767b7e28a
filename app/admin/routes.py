"""Administrator screens: accounts and teams (DESIGN.md: an admin manages accounts, not casework).

Every change is audited; a bad entry re-renders the same form with 422, values kept.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import select

from app.accounts import service
from app.accounts.models import ROLE_LABELS, Role, Team, User
from app.audit import service as audit
from app.db import SessionDep
from app.forms import Form, SentForm
from app.ids import is_valid_id, parse_id
from app.security import throttle
from app.security.auth import Actor, CurrentActor, require_role
from app.security.sessions import live_session_count
from app.templating import flash, redirect, render

# Flash messages say what happened, never whose account: they travel in a cookie (templating.py).

router = APIRouter(prefix="/admin")


def get_admin(actor: CurrentActor) -> Actor:
    """The actor, if an administrator; everyone else gets 403 (these pages are no secret)."""
    require_role(actor, Role.admin)
    return actor


AdminActor = Annotated[Actor, Depends(get_admin)]

ROLE_OPTIONS = [(role.value, ROLE_LABELS[role]) for role in Role]


def _team_options(session) -> list[tuple[int, str]]:
    return [(team.id, team.name) for team in service.teams(session=session)]


def _user_or_404(session, user_id: int) -> User:
    user = session.get(User, user_id) if is_valid_id(user_id) else None
    if user is None:
        raise HTTPException(status_code=404)
    return user


def _team_or_404(session, team_id: int) -> Team:
    team = session.get(Team, team_id) if is_valid_id(team_id) else None
    if team is None:
        raise HTTPException(status_code=404)
    return team


def _team_id(form: Form) -> int | None:
    """The chosen team (blank means none); an unknown id is an error beside the field."""
    if not form.values.get("team_id"):
        return None
    team_id = parse_id(form.text("team_id", max_length=20))
    if team_id is None:
        form.error("team_id", "Please choose one of the teams shown.")
    return team_id


def _secret(form: Form, field: str) -> str:
    """A password field's value, taken out of the form so a re-rendered page never echoes it."""
    value = form.values.pop(field, "")
    return value if isinstance(value, str) else ""


# ---- Users -------------------------------------------------------------------------------


@router.get("/users")
def users_page(request: Request, session: SessionDep, actor: AdminActor) -> Response:
    return render(request, "admin/users.html", {"rows": service.users_with_teams(session=session)})


@router.get("/users/new")
def new_user_page(request: Request, session: SessionDep, actor: AdminActor) -> Response:
    return render(
        request, "admin/user_new.html", {"form": Form(), "roles": ROLE_OPTIONS, "teams": _team_options(session)}
    )


@router.post("/users")
def create_user(request: Request, session: SessionDep, actor: AdminActor, sent: SentForm) -> Response:
    form = Form(sent)
    full_name = form.text("full_name", required=True, max_length=120, label="Full name")
    email = form.text("email", required=True, max_length=254, label="Email")
    if email and not service.EMAIL_RE.match(email):
        form.error("email", "Enter an email address like name@example.org.")
    role = form.choice("role", [r.value for r in Role])
    team_id = _team_id(form)
    password = _secret(form, "password")
    if not password:
        form.error("password", "Set a first password for the account.")
    if role and "team_id" not in form.errors:
        # The same rule as a role change (workers need a team), checked alongside the other fields.
        try:
            service.check_role_and_team(session=session, role=role, team_id=team_id)
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if form.ok:
        try:
            user = service.create_user(
                session=session, email=email, full_name=full_name, role=role, team_id=team_id, password=password
            )
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if not form.ok:
        return render(
            request,
            "admin/user_new.html",
            {"form": form, "roles": ROLE_OPTIONS, "teams": _team_options(session)},
            status_code=422,
        )
    audit.record(
        session=session,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        detail=f"role {user.role}, team {user.team_id or '-'}",
    )
    flash(request, "Account created.")
    return redirect(request, f"/admin/users/{user.id}")


def _user_page(
    request: Request,
    session,
    user: User,
    *,
    role_form: Form | None = None,
    password_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "account": user,
        "team": session.get(Team, user.team_id) if user.team_id else None,
        "devices": live_session_count(session=session, user_id=user.id),
        "roles": ROLE_OPTIONS,
        "teams": _team_options(session),
        "role_form": role_form or Form({"role": user.role, "team_id": str(user.team_id or "")}),
        "password_form": password_form or Form(),
        "failures": throttle.recent_failures(
            session=session, settings=request.app.state.settings, email=user.email, limit=20
        ),
    }
    return render(request, "admin/user.html", context, status_code=status_code)


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: int, session: SessionDep, actor: AdminActor) -> Response:
    return _user_page(request, session, _user_or_404(session, user_id))


@router.post("/users/{user_id}/role")
def change_role(request: Request, user_id: int, session: SessionDep, actor: AdminActor, sent: SentForm) -> Response:
    user = _user_or_404(session, user_id)
    form = Form(sent)
    role = form.choice("role", [r.value for r in Role])
    team_id = _team_id(form)
    if form.ok and user.id == actor.id and role != Role.admin:
        form.error("role", "You cannot take away your own administrator role; ask another administrator.")
    if form.ok:
        try:
            service.change_role_and_team(
                session=session,
                user=user,
                role=role,
                team_id=team_id,
                keep_session_id=actor.user_session.id if user.id == actor.id else None,
            )
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if not form.ok:
        return _user_page(request, session, user, role_form=form, status_code=422)
    audit.record(
        session=session,
        actor=actor,
        action="update",
        object_type="user",
        object_id=user.id,
        detail=f"role {user.role}, team {user.team_id or '-'}",
    )
    flash(request, "Role and team saved.")
    return redirect(request, f"/admin/users/{user.id}")


@router.post("/users/{user_id}/password")
def reset_password(request: Request, user_id: int, session: SessionDep, actor: AdminActor, sent: SentForm) -> Response:
    user = _user_or_404(session, user_id)
    form = Form(sent)
    password = _secret(form, "new_password")
    try:
        service.reset_password(session=session, user=user, password=password)
    except service.AccountError as exc:
        form.error(exc.field, str(exc))
        return _user_page(request, session, user, password_form=form, status_code=422)
    audit.record(
        session=session,
        actor=actor,
        action="reset_password",
        object_type="user",
        object_id=user.id,
        detail="all sessions ended",
    )
    flash(request, "Password reset. The account has been logged out everywhere.")
    return redirect(request, f"/admin/users/{user.id}")


@router.post("/users/{user_id}/disable")
def disable_user(request: Request, user_id: int, session: SessionDep, actor: AdminActor) -> Response:
    user = _user_or_404(session, user_id)
    if user.id == actor.id:
        flash(request, "You cannot disable your own account; ask another administrator.", "error")
        return redirect(request, f"/admin/users/{user.id}")
    waiting = service.disable_user(session=session, user=user)
    audit.record(
        session=session,
        actor=actor,
        action="disable",
        object_type="user",
        object_id=user.id,
        detail="all sessions ended",
    )
    flash(request, "Account disabled: it can no longer log in and has been logged out everywhere.")
    if waiting:
        flash(
            request,
            f"Its team has no active supervisor now, and {service.waiting_words(waiting)} for one (work to "
            "review, endings or reopen requests to approve, items kept from offline). Make another person the "
            "team's supervisor; the service's managers have been told.",
            "warning",
        )
    return redirect(request, f"/admin/users/{user.id}")


@router.post("/users/{user_id}/enable")
def enable_user(request: Request, user_id: int, session: SessionDep, actor: AdminActor) -> Response:
    user = _user_or_404(session, user_id)
    service.enable_user(session=session, user=user)
    audit.record(session=session, actor=actor, action="enable", object_type="user", object_id=user.id)
    flash(request, "Account re-enabled: it can log in again.")
    return redirect(request, f"/admin/users/{user.id}")


@router.post("/users/{user_id}/unlock")
def unlock_user(request: Request, user_id: int, session: SessionDep, actor: AdminActor) -> Response:
    """Clear the account's failed log-ins from every address, so no wait holds it back."""
    user = _user_or_404(session, user_id)
    cleared = throttle.unlock(session=session, email=user.email)
    audit.record(
        session=session,
        actor=actor,
        action="unlock_login",
        object_type="user",
        object_id=user.id,
        detail=f"{cleared} failed attempts cleared",
    )
    flash(request, "Failed log-ins cleared: the account can log in again at once, from anywhere.")
    return redirect(request, f"/admin/users/{user.id}")


@router.get("/failed-logins")
def failed_logins_page(request: Request, session: SessionDep, actor: AdminActor) -> Response:
    """Recent failed log-ins across the service, by account and address, with who is waiting."""
    groups = throttle.recent_failures(session=session, settings=request.app.state.settings)
    emails = {group.email for group in groups}
    accounts = (
        {user.email: user for user in session.exec(select(User).where(User.email.in_(emails))).all()} if emails else {}
    )
    audit.record(session=session, actor=actor, action="list", object_type="failed_logins", detail=f"{len(groups)} rows")
    return render(request, "admin/failed_logins.html", {"groups": groups, "accounts": accounts})


# ---- Teams -------------------------------------------------------------------------------


def _teams_page(request: Request, session, *, form: Form | None = None, status_code: int = 200) -> Response:
    rows = service.teams_with_counts(session=session)
    return render(request, "admin/teams.html", {"rows": rows, "form": form or Form()}, status_code=status_code)


@router.get("/teams")
def teams_page(request: Request, session: SessionDep, actor: AdminActor) -> Response:
    return _teams_page(request, session)


@router.post("/teams")
def create_team(request: Request, session: SessionDep, actor: AdminActor, sent: SentForm) -> Response:
    form = Form(sent)
    name = form.text("name", required=True, max_length=120, label="Team name")
    if form.ok:
        try:
            team = service.create_team(session=session, name=name)
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if not form.ok:
        return _teams_page(request, session, form=form, status_code=422)
    audit.record(session=session, actor=actor, action="create", object_type="team", object_id=team.id)
    flash(request, "Team created.")
    return redirect(request, "/admin/teams")


@router.get("/teams/{team_id}")
def team_page(request: Request, team_id: int, session: SessionDep, actor: AdminActor) -> Response:
    team = _team_or_404(session, team_id)
    return render(request, "admin/team.html", {"team": team, "form": Form({"name": team.name})})


@router.post("/teams/{team_id}")
def rename_team(request: Request, team_id: int, session: SessionDep, actor: AdminActor, sent: SentForm) -> Response:
    team = _team_or_404(session, team_id)
    form = Form(sent)
    name = form.text("name", required=True, max_length=120, label="Team name")
    if form.ok:
        try:
            service.rename_team(session=session, team=team, name=name)
        except service.AccountError as exc:
            form.error(exc.field, str(exc))
    if not form.ok:
        return render(request, "admin/team.html", {"team": team, "form": form}, status_code=422)
    audit.record(session=session, actor=actor, action="update", object_type="team", object_id=team.id, detail="renamed")
    flash(request, "Team renamed.")
    return redirect(request, "/admin/teams")
