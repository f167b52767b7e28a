"""What BASE contributes: the assessment, feedback, their case-page part, timeline and offline
pages, the assessment's review, the stages-skipped flag and the competency column."""

from app.base import case_section, demo, flags, glance, offline, plan, review_kinds, timeline
from app.base.routes import router
from app.features import CaseSection, Feature, PlanSource

feature = Feature(
    name="base",
    router=router,
    section=CaseSection("base/_case_section.html", case_section.context, jump_label="BASE", glance=glance.words),
    timeline=timeline.items,
    offline_pages=offline.pages,
    review_kinds=(review_kinds.ASSESSMENT,),
    flags=flags.FLAGS,
    competency=flags.competency,
    plan=PlanSource(items=plan.items, set_status=plan.set_status),
    demo=demo.load,
)
