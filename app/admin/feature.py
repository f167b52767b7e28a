"""What the admin package contributes: accounts and teams pages, and their header links."""

from app.admin import demo
from app.admin.routes import router
from app.features import Feature, NavLink

ADMIN = frozenset({"admin"})

feature = Feature(
    name="admin",
    router=router,
    demo=demo.load,
    nav=(
        NavLink("Users", "/admin/users", roles=ADMIN, position=40),
        NavLink("Teams", "/admin/teams", roles=ADMIN, position=41),
    ),
)
