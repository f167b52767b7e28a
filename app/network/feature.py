"""What the network contributes: members, meetings, the family letter, their case-page part,
timeline and offline pages, and the review of meeting notes."""

from app.features import CaseSection, Feature, PlanSource
from app.network import case_section, demo, glance, offline, plan, review_kinds, timeline, todo
from app.network.routes import router

feature = Feature(
    name="network",
    router=router,
    section=CaseSection("network/_case_section.html", case_section.context, jump_label="Network", glance=glance.words),
    timeline=timeline.items,
    offline_pages=offline.pages,
    review_kinds=(review_kinds.MEETING_NOTES,),
    todo=todo.items,
    plan=PlanSource(items=plan.items, set_status=plan.set_status),
    demo=demo.load,
    closing_note=todo.closing_note,
)
