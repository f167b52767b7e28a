import pytest

from app.main import create_app
from tests.sync.routes_for_tests import router


@pytest.fixture
def app(settings, engine, db):
    """The real app plus a small person form written the way offline-capable routes are."""
    app = create_app(settings, engine=engine)
    app.include_router(router)
    return app
