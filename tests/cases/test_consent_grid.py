"""Issue 18: consent for everyone on one screen, a signature drawn on screen kept as a picture."""

from __future__ import annotations

import base64
import uuid

from sqlmodel import select

from app.cases.models import Consent, Person
from tests.factories import login
from tests.network.factories import make_family_case

# A 1×1 PNG, as a canvas would send a (very small) signature.
PNG = (
    "data:image/png;base64,"
    + base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    ).decode()
)


def test_one_save_records_people_by_purposes_with_the_drawn_signature(client, db, settings):
    worker, case, people = make_family_case(db, network_consent=False)
    db.commit()
    login(client, db, worker, settings)
    page = client.get(f"/cases/{case.id}/consent/all").text
    assert "Consent for everyone" in page and "data-signature" in page
    kayla = db.exec(select(Person).where(Person.case_id == case.id, Person.is_young_person == True)).one()  # noqa: E712
    form_id = str(uuid.uuid4())
    data = {
        "id": form_id,
        f"give-{kayla.id}-work": "1",
        f"give-{people['Donna'].id}-work": "1",
        f"give-{people['Donna'].id}-network_meeting": "1",
        f"give-{people['Pat'].id}-network_meeting": "1",
        "how_given": "signed",
        "signature": PNG,
        "given_on": "2026-11-02",
    }
    # One signature for three people: refused beside "How it was given", nothing saved (it was
    # kept with each, Kayla's consent recorded as signed in her mother's hand).
    refused = client.post(f"/cases/{case.id}/consent/all", data=data)
    assert refused.status_code == 422 and "A signature drawn here is one person&#39;s." in refused.text
    assert 'id="how_given-error"' in refused.text
    assert db.exec(select(Consent)).all() == []
    donna = {key: value for key, value in data.items() if kayla.id not in key and people["Pat"].id not in key}
    others = {
        "id": str(uuid.uuid4()),
        f"give-{kayla.id}-work": "1",
        f"give-{people['Pat'].id}-network_meeting": "1",
        "how_given": "verbal",
        "given_on": "2026-11-02",
    }
    for sent in (donna, donna, others):  # Donna's twice: a replay adds nothing
        assert client.post(f"/cases/{case.id}/consent/all", data=sent).status_code == 303
    db.expire_all()
    stored = db.exec(select(Consent).where(Consent.case_id == case.id)).all()
    assert sorted((c.person_id, c.purpose, c.how_given, c.signature) for c in stored) == sorted(
        [
            (kayla.id, "work", "verbal", None),
            (people["Donna"].id, "work", "signed", PNG),
            (people["Donna"].id, "network_meeting", "signed", PNG),
            (people["Pat"].id, "network_meeting", "verbal", None),
        ]
    )
    # Given consents show as given, not as boxes to tick again.
    assert client.get(f"/cases/{case.id}/consent/all").text.count("Given</span>") == 4


def test_a_signature_that_is_not_a_picture_is_refused_and_nothing_is_saved(client, db, settings):
    worker, case, people = make_family_case(db, network_consent=False)
    db.commit()
    login(client, db, worker, settings)
    data = {
        "id": str(uuid.uuid4()),
        f"give-{people['Donna'].id}-work": "1",
        "how_given": "signed",
        "signature": "data:image/png;base64,bm90IGEgcGljdHVyZQ==",
        "given_on": "2026-11-02",
    }
    refused = client.post(f"/cases/{case.id}/consent/all", data=data)
    assert refused.status_code == 422 and "please sign again" in refused.text
    assert f'name="give-{people["Donna"].id}-work" value="1" checked' in refused.text
    empty = client.post(f"/cases/{case.id}/consent/all", data={"id": str(uuid.uuid4()), "how_given": "verbal"})
    assert empty.status_code == 422 and "Tick at least one box" in empty.text
    assert db.exec(select(Consent)).all() == []
