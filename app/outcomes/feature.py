"""What outcomes contribute: outcome records on the case page, the scorecard in the header, the
evaluator export and care-status import (managers), and a year of outcome history in the demo."""

from app.features import CaseSection, Feature, NavLink
from app.outcomes import case_section, demo, glance
from app.outcomes.routes import router

feature = Feature(
    name="outcomes",
    router=router,
    section=CaseSection(
        "outcomes/_case_section.html", case_section.context, jump_label="Outcomes", glance=glance.words
    ),
    nav=(NavLink("Scorecard", "/scorecard", roles=frozenset({"supervisor", "manager"}), position=35),),
    demo=demo.load,
)
