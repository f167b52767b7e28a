"""Pages, scripts and styles leave the app compressed when the browser accepts it."""

from __future__ import annotations

from tests.factories import login, make_case, make_user


def test_scripts_and_styles_are_sent_gzipped_and_unpack_to_the_file(client):
    for path in ("/static/js/offline.js", "/static/css/app.css"):
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip", path
        # httpx unpacks it; what arrived on the wire is the smaller gzip stream.
        assert int(response.headers["content-length"]) < len(response.content) / 2, path


def test_a_case_page_is_sent_gzipped_and_a_client_without_gzip_gets_it_plain(client, db, settings):
    worker = make_user(db, email="sam@example.org")
    case = make_case(db, worker=worker, young_person_name="Kayla Morgan")
    db.commit()
    login(client, db, worker, settings)
    zipped = client.get(f"/cases/{case.id}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Kayla Morgan" in zipped.text
    plain = client.get(f"/cases/{case.id}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "Kayla Morgan" in plain.text
    # The same page either way; compressed, it is a fraction of the bytes on the wire.
    assert zipped.content == plain.content
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
