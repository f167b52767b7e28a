"""What the cases package contributes: case pages, their events and contacts on the timeline,
the contact and caseload flags, and the demo's cases."""

from app.cases import caseload, demo, flags, timeline, visit
from app.cases.routes import router
from app.features import Feature, NavLink

feature = Feature(
    name="cases",
    router=router,
    timeline=timeline.items,
    offline_pages=visit.offline_pages,
    flags=flags.FLAGS,
    nav=(
        NavLink("My caseload", "/", roles=frozenset({"worker", "manager"}), position=10),
        # A supervisor's home is their team's cases; their own caseload is one click away.
        NavLink("My caseload", "/?mine=1", roles=frozenset({"supervisor"}), position=10),
        NavLink("Team cases", "/team/cases", roles=frozenset({"supervisor", "manager"}), position=15),
    ),
    demo=demo.load,
    held_work=caseload.open_cases_held,
)
