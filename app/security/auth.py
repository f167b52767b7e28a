"""Who is asking: the `CurrentUser` dependency and the request's `Actor` for audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.accounts.models import Role, User
from app.config import Settings
from app.db import SessionDep
from app.security.models import UserSession
from app.security.sessions import COOKIE_NAME, load_session


class LoginRequired(Exception):
    """Raised when a page needs a logged-in user; the handler redirects to the login page."""


class Forbidden(Exception):
    """Raised when the user is known but the thing is not theirs to do (not for case visibility)."""

    def __init__(self, message: str = "You do not have permission to do that.") -> None:
        self.message = message


class FamilyModeLocked(Exception):
    """Raised for any route outside the family screens while the tablet is with the family."""


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` in its thread pool, a hop
# of some 50 µs of CPU each, on every request (issue 21).


async def get_settings_from(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_from)]


@dataclass(frozen=True)
class UserView:
    id: int
    email: str
    full_name: str
    role: str
    team_id: int | None


@dataclass(frozen=True)
class SessionView:
    id: int
    family_case_id: int | None
    family_person_id: str | None


@dataclass
class Actor:
    """The logged-in user and the device details every audit entry records."""

    user: User
    user_session: UserSession
    request_id: str
    user_agent: str
    address: str
    # A page (GET) that opens a case for changing it still shows the case: the read is audited.
    method: str = "GET"

    @property
    def id(self) -> int:
        return self.user.id  # type: ignore[return-value]

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def in_family_mode(self) -> bool:
        return self.user_session.family_case_id is not None


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def get_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    return resolve_actor(request, session, settings)


def resolve_actor(
    request: Request, session: Session, settings: Settings, along: tuple[type, int] | None = None
) -> Actor:
    """Who is asking (LoginRequired if nobody is); `along` is loaded with them (load_session)."""
    # Resolved once per request and database session: the ledger (app/sync/ledger.py) asks before
    # the route's own dependency does.
    known = getattr(request.state, "actor", None)
    if known is not None and known[0] is session:
        return known[1]
    loaded = load_session(session=session, cookie=request.cookies.get(COOKIE_NAME), settings=settings, along=along)
    if loaded is None:
        raise LoginRequired()
    user_session, user = loaded
    # Templates get plain snapshots: an error page renders after the transaction rolled back,
    # when ORM objects can no longer load their attributes.
    request.state.user = UserView(
        id=user.id, email=user.email, full_name=user.full_name, role=user.role, team_id=user.team_id
    )
    request.state.user_session = SessionView(
        id=user_session.id, family_case_id=user_session.family_case_id, family_person_id=user_session.family_person_id
    )
    actor = Actor(
        user=user,
        user_session=user_session,
        request_id=getattr(request.state, "request_id", ""),
        user_agent=request.headers.get("user-agent", "")[:300],
        address=client_address(request),
        method=request.method,
    )
    request.state.actor = (session, actor)
    return actor


async def get_worker_actor(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
    """The actor, refused while the session is in family mode (only family screens are open then)."""
    return refused_in_family_mode(actor)


def worker_actor(
    request: Request, session: Session, settings: Settings, along: tuple[type, int] | None = None
) -> Actor:
    """What `CurrentActor` gives, for a route that looks its actor up in its own hop to the thread
    pool (app/db.py `in_one_hop`) rather than in one of its own; `along` as for load_session."""
    return refused_in_family_mode(resolve_actor(request, session, settings, along))


def refused_in_family_mode(actor: Actor) -> Actor:
    if actor.in_family_mode:
        raise FamilyModeLocked()
    return actor


def refuse_family_mode(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """For pages that need no login (the login form): still closed while the family has the tablet."""
    loaded = load_session(session=session, cookie=request.cookies.get(COOKIE_NAME), settings=settings)
    if loaded is not None and loaded[0].family_case_id is not None:
        raise FamilyModeLocked()


# Family mode is enforced by default: every route uses CurrentActor unless it is a family screen,
# which asks for FamilyActor explicitly and checks the case itself.
CurrentActor = Annotated[Actor, Depends(get_worker_actor)]
FamilyActor = Annotated[Actor, Depends(get_actor)]


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise Forbidden()
