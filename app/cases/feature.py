"""What the cases package contributes: case pages, their events and contacts on the timeline,
the contact and caseload flags, and the demo's cases."""

from app.cases import demo, flags, timeline
from app.cases.routes import router
from app.features import Feature, NavLink

feature = Feature(
    name="cases",
    router=router,
    timeline=timeline.items,
    flags=flags.FLAGS,
    nav=(NavLink("My caseload", "/", roles=frozenset({"worker", "supervisor", "manager"}), position=10),),
    demo=demo.load,
)
