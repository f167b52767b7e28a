"""What review contributes: the queue, the review screen, team oversight, the case page's
supervision part and the waiting-too-long flag. Other features bring their own review kinds."""

from app.features import CaseSection, Feature, NavLink
from app.review import case_section, flags, glance, service, todo
from app.review.routes import router

feature = Feature(
    name="review",
    router=router,
    section=CaseSection(
        "review/_case_section.html", case_section.context, jump_label="Supervision", glance=glance.words
    ),
    flags=flags.FLAGS,
    todo=todo.items,
    team_waiting=service.waiting_for_team,
    team_unsupervised=service.tell_managers_unsupervised,
    team_supervised=service.supervisor_now,
    nav=(
        NavLink("Review queue", "/review", roles=frozenset({"supervisor", "manager"}), position=20),
        NavLink("Team oversight", "/review/oversight", roles=frozenset({"supervisor", "manager"}), position=25),
        NavLink("Caseload weights", "/admin/caseload-weights", roles=frozenset({"admin"}), position=42),
        NavLink(
            "Notifications",
            "/notifications",
            roles=frozenset({"worker", "supervisor", "manager"}),
            position=50,
            attributes='hx-get="/notifications/badge" hx-trigger="load" hx-swap="outerHTML"',
        ),
    ),
)
