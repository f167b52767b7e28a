"""What the sync package contributes: the outbox pages and the case page's "On this device"."""

from app.features import CaseSection, Feature, NavLink
from app.sync import case_section, demo, held
from app.sync.routes import router

feature = Feature(
    name="sync",
    router=router,
    section=CaseSection("sync/_case_section.html", case_section.context),
    nav=(NavLink("Outbox", "/outbox", position=60, attributes='class="outbox-link"'),),
    demo=demo.load,
    team_waiting=held.unsettled_for_team,
)
