"""One refusal type, one place that turns it into a response (app/errors.py): a page saying why,
JSON for an offline replay, 409 for a record changed since, 404 for an id from another case."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from fastapi import APIRouter
from starlette.testclient import TestClient

from app.accounts.service import AccountError
from app.base.service import ItemMissing, PlanGated, VersionLocked
from app.cases.service import Conflict
from app.diamond.service import GoalError, RatingError
from app.family.service import HandoverError
from app.features import Feature
from app.main import FEATURES, create_app
from app.network.service import AlreadyFinal, StaleVersion, WrongCase
from app.refused import Refused
from app.review import service as review
from app.signs_of_safety import service as sos

APP = Path(__file__).resolve().parent.parent / "app"
router = APIRouter()


@router.get("/refusing/rule")
def breaks_a_rule():
    raise Refused("A closed case cannot be stepped up.", field="direction")


@router.get("/refusing/changed")
def changed_since():
    raise Conflict("This case changed since you opened it.", current_version=3)


@router.get("/refusing/elsewhere")
def another_case():
    raise WrongCase()


@pytest.fixture
def refusing(settings, engine, db):
    app = create_app(settings, engine=engine, features=[*FEATURES, Feature(name="refusing", router=router)])
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def test_every_domain_exception_is_a_refusal():
    kinds = (AccountError, PlanGated, ItemMissing, VersionLocked, GoalError, RatingError, HandoverError, Conflict)
    kinds += (AlreadyFinal, StaleVersion, WrongCase, sos.StaleVersion, sos.NotInMap, sos.NothingToSubmit)
    for kind in kinds:
        assert issubclass(kind, Refused), kind
    assert review.Refused is Refused
    assert sos.NotInMap.status_code == 404 and sos.StaleVersion.status_code == 409


def test_a_refusal_no_form_shows_is_a_page_saying_why(refusing):
    response = refusing.get("/refusing/rule")
    assert response.status_code == 422
    assert "A closed case cannot be stepped up." in response.text


def test_an_offline_replay_is_told_in_json_with_the_status_the_outbox_expects(refusing):
    response = refusing.get("/refusing/changed", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json()["detail"] == "This case changed since you opened it."


def test_an_id_from_another_case_is_not_found_and_says_nothing_more(refusing):
    response = refusing.get("/refusing/elsewhere")
    assert response.status_code == 404


def test_no_except_clause_is_shadowed_by_an_earlier_one_for_its_base_class():
    """Conflict, StaleVersion… are kinds of Refused: a handler for Refused placed first would
    swallow them (a 409 page answered as 422). Checked on every try statement in app/."""
    shadowed = []
    for path in sorted(APP.rglob("*.py")):
        module = importlib.import_module(".".join(path.relative_to(APP.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # app/cli.py imports inside its commands (tests/test_architecture.py), so its names
            # cannot be resolved from the module; its few handlers catch one kind each.
            if not isinstance(node, ast.Try) or len(node.handlers) < 2 or module.__name__ == "app.cli":
                continue
            seen: list[type] = []
            for handler in node.handlers:
                if handler.type is None:
                    continue
                caught = eval(compile(ast.Expression(handler.type), str(path), "eval"), vars(module))
                for kind in caught if isinstance(caught, tuple) else (caught,):
                    if any(issubclass(kind, earlier) for earlier in seen):
                        shadowed.append(f"{path.relative_to(APP.parent)}:{handler.lineno} {kind.__name__}")
                    seen.append(kind)
    assert shadowed == []
