"""Network commitments are offered the Signs of Safety safety plan's rules, in the plan's words."""

from __future__ import annotations

from app.network import service as network
from app.signs_of_safety.models import Category, MapItem, MapVersion
from tests.factories import make_case, make_user


def test_safety_plan_rules_from_the_latest_map_are_offered_to_network_tasks(db):
    worker = make_user(db)
    case = make_case(db, worker=worker)
    assert network.safety_plan_rules(session=db, case=case) == []
    version = MapVersion(case_id=case.id, number=1, created_by_id=worker.id)
    db.add(version)
    db.flush()
    db.add(
        MapItem(
            map_version_id=version.id,
            item_key="k1",
            category=Category.rule,
            text="Kayla is home by 9pm on school nights",
        )
    )
    db.add(MapItem(map_version_id=version.id, item_key="k2", category=Category.harm, text="Not a rule"))
    db.flush()
    assert network.safety_plan_rules(session=db, case=case) == ["Kayla is home by 9pm on school nights"]
