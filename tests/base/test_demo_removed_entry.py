"""The demo shows an engagement entry taken out as a mistake, with its reason (issue 21's demo)."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import User
from app.base.models import BaseVersion
from app.base.service import engagement
from app.cases.models import Case
from app.demo import load_demo
from tests.factories import login


def test_demo_reece_has_an_engagement_entry_removed_with_its_reason(client, db, settings):
    load_demo(session=db, settings=settings)
    db.commit()
    reece = db.exec(select(Case).where(Case.young_person_name == "Reece Patel")).one()
    version = db.exec(select(BaseVersion).where(BaseVersion.case_id == reece.id)).one()
    entries = version.content["engagement"]
    removed = [e for e in entries if e.get("removed")]
    assert [e["person_name"] for e in removed] == ["Anita Patel"]
    assert [e["person_name"] for e in engagement(version.content)] == ["Reece Patel", "Anita Patel", "Dev Patel"]
    # The worker's engagement screen still shows what was taken out, and why.
    login(client, db, db.get(User, reece.key_worker_id), settings)
    page = client.get(f"/cases/{reece.id}/base/engagement").text
    assert "Dev&#39;s views, entered under Anita&#39;s name by mistake" in page
