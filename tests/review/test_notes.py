"""Supervision notes and competency: who may write and read them."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.refused import Refused
from app.review import service
from app.review.models import CompetencyRating
from tests.factories import login, make_case, make_team, make_user


def _team(db):
    team = make_team(db)
    worker = make_user(db, team=team, full_name="Sam Okafor")
    supervisor = make_user(db, team=team, role="supervisor", full_name="Priya Shah")
    return team, worker, supervisor


def test_case_supervision_note_needs_decision_and_why_and_shows_on_the_case(client, db, settings):
    _team_, worker, supervisor = _team(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, supervisor, settings)
    refused = client.post(
        f"/cases/{case.id}/supervision", data={"text": "Talked about school.", "decision": "", "rationale": ""}
    )
    assert refused.status_code == 422 and "Talked about school." in refused.text
    ok = client.post(
        f"/cases/{case.id}/supervision",
        data={"text": "Talked about school.", "decision": "Keep weekly visits", "rationale": "Attendance still low"},
    )
    assert ok.status_code == 303
    login(client, db, worker, settings)
    assert "Keep weekly visits" in client.get(f"/cases/{case.id}/supervision").text
    assert "Latest supervision decision" in client.get(f"/cases/{case.id}").text
    assert (
        client.post(f"/cases/{case.id}/supervision", data={"text": "x", "decision": "y", "rationale": "z"}).status_code
        == 403
    )


def test_reflective_notes_are_only_for_the_worker_and_their_supervisor(client, db, settings):
    team, worker, supervisor = _team(db)
    colleague = make_user(db, team=team, full_name="Jo Evans")
    manager = make_user(db, role="manager")
    db.commit()
    login(client, db, supervisor, settings)
    assert (
        client.post(
            f"/supervision/{worker.id}/notes", data={"text": "Sam is carrying the Morgan case's worry well."}
        ).status_code
        == 303
    )
    login(client, db, worker, settings)
    assert "carrying the Morgan case" in client.get(f"/supervision/{worker.id}").text
    for outsider in (colleague, manager):
        login(client, db, outsider, settings)
        assert client.get(f"/supervision/{worker.id}").status_code == 404


def test_competency_self_rating_sits_beside_the_supervisors(client, db, settings):
    _team_, worker, supervisor = _team(db)
    db.commit()
    login(client, db, worker, settings)
    client.post(f"/supervision/{worker.id}/competency", data={"area": "risk", "level": "competent"})
    login(client, db, supervisor, settings)
    client.post(f"/supervision/{worker.id}/competency", data={"area": "risk", "level": "basic"})
    page = client.get("/review/oversight").text
    assert "Self: Competent<br>Supervisor: Basic" in page
    assert (
        client.post(f"/supervision/{worker.id}/competency", data={"area": "nonsense", "level": "basic"}).status_code
        == 422
    )


def test_a_fellow_supervisor_neither_reads_nor_rates_a_supervisors_own_supervision(client, db, settings):
    team, worker, supervisor = _team(db)
    peer = make_user(db, team=team, role="supervisor", full_name="Helen Marsh")
    make_case(db, worker=peer)  # a supervisor holding casework has a row on team oversight
    db.commit()
    login(client, db, peer, settings)
    assert (
        client.post(f"/supervision/{peer.id}/notes", data={"text": "I carry the Morgan case's worry."}).status_code
        == 303
    )
    assert (
        client.post(f"/supervision/{peer.id}/competency", data={"area": "risk", "level": "competent"}).status_code
        == 303
    )

    login(client, db, supervisor, settings)
    assert client.get(f"/supervision/{peer.id}").status_code == 404
    assert client.post(f"/supervision/{peer.id}/notes", data={"text": "Peer note."}).status_code == 404
    assert client.post(f"/supervision/{peer.id}/competency", data={"area": "risk", "level": "basic"}).status_code == 404
    with pytest.raises(Refused):
        service.rate_competency(session=db, worker=peer, area="risk", level="basic", by=supervisor)
    oversight = client.get("/review/oversight").text
    assert "Helen Marsh" in oversight  # the peer's caseload row stays
    assert f'href="/supervision/{worker.id}"' in oversight and f'href="/supervision/{peer.id}"' not in oversight
    assert "Self: Competent" not in oversight  # the peer's own rating stays theirs

    login(client, db, peer, settings)
    assert "carry the Morgan case" in client.get(f"/supervision/{peer.id}").text
    assert db.exec(select(CompetencyRating).where(CompetencyRating.worker_id == peer.id)).one().rater == "self"
    # Their own team's key worker is still theirs to supervise.
    assert client.get(f"/supervision/{worker.id}").status_code == 200
