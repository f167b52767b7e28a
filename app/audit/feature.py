"""What the audit package contributes: its pages and the case page's link to the audit trail."""

from app.audit import case_section
from app.audit.routes import router
from app.features import CaseSection, Feature

feature = Feature(
    name="audit",
    router=router,
    section=CaseSection("audit/_case_section.html", case_section.context),
)
