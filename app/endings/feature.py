"""What endings contribute: ending active work, dormant spells, reopen requests, their case-page
part, timeline and offline pages, their reviews, and the dormant and sustainability flags."""

from app.endings import case_section, demo, flags, fulfils, glance, offline, plan, review_kinds, service, timeline, todo
from app.endings.routes import router
from app.features import CaseSection, Feature, NavLink, PlanSource

feature = Feature(
    name="endings",
    router=router,
    section=CaseSection("endings/_case_section.html", case_section.context, jump_label="Ending", glance=glance.words),
    timeline=timeline.items,
    offline_pages=offline.pages,
    review_kinds=(review_kinds.ENDING, review_kinds.REOPEN_REQUEST),
    flags=flags.FLAGS,
    nav=(NavLink("Dormant register", "/dormant", roles=frozenset({"worker", "supervisor", "manager"}), position=30),),
    todo=todo.items,
    plan=PlanSource(items=plan.items, set_status=plan.set_status),
    fulfilled=fulfils.fulfilled,
    demo=demo.load,
    closing_refusal=service.closing_refusal,
)
