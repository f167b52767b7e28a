from tests.factories import login, make_case, make_user


def test_worker_sees_own_case_page(client, db, settings):
    worker = make_user(db)
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    login(client, db, worker, settings)
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    assert "Kayla Morgan" in response.text


def test_home_lists_caseload(client, db, settings):
    worker = make_user(db)
    make_case(db, worker=worker, young_person_name="Tyler Brooks")
    login(client, db, worker, settings)
    response = client.get("/")
    assert response.status_code == 200
    assert "My caseload" in response.text and "Tyler Brooks" in response.text
