"""What Signs of Safety contributes: the map, scales, three houses and their parts of the case page,
timeline and offline pages, the map's review, and the young person's voice for oversight."""

from app.features import CaseSection, Feature, PlanSource
from app.signs_of_safety import case_section, demo, glance, offline, plan, review_kinds, timeline, todo, voice
from app.signs_of_safety.routes import router

feature = Feature(
    name="signs_of_safety",
    router=router,
    section=CaseSection(
        "signs_of_safety/_case_section.html", case_section.context, jump_label="Signs of Safety", glance=glance.words
    ),
    timeline=timeline.items,
    offline_pages=offline.pages,
    review_kinds=(review_kinds.MAP,),
    voice=voice.VOICE,
    todo=todo.items,
    plan=PlanSource(items=plan.items, set_status=plan.set_status),
    demo=demo.load,
)
