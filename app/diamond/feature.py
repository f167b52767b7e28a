"""What the Diamond contributes: ratings, charts, its case-page part and timeline items, and the
young person's own ratings as their voice for oversight, and the pages its family screens need
offline."""

from app.diamond import case_section, demo, glance, offline, timeline, voice
from app.diamond.routes import router
from app.features import CaseSection, Feature

feature = Feature(
    name="diamond",
    router=router,
    section=CaseSection("diamond/_case_section.html", case_section.context, jump_label="Diamond", glance=glance.words),
    timeline=timeline.items,
    offline_pages=offline.pages,
    voice=voice.VOICE,
    demo=demo.load,
)
