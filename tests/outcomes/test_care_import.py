"""The care-status import: a good file applied, bad rows refused with line and reason, nothing half-stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.audit.models import AuditEntry
from app.outcomes.models import OutcomeRecord
from app.timeutil import today
from tests.factories import login, make_case, make_team, make_user

HEADER = "case_reference,care_status,care_status_since,care_status_until,placement,recorded_on\r\n"


@pytest.fixture
def setup(db, client, settings):
    team = make_team(db)
    worker = make_user(db, team=team)
    cases = [make_case(db, worker=worker, reference=f"HW-2026-09{i}") for i in range(3)]
    manager = make_user(db, role="manager")
    db.commit()
    login(client, db, manager, settings)
    return cases


def upload(client, body: bytes | str):
    data = body.encode("utf-8") if isinstance(body, str) else body
    return client.post("/outcomes/care-status", files={"file": ("care.csv", data, "text/csv")})


def test_template_downloads_with_the_columns(client, setup):
    response = client.get("/outcomes/care-status/template.csv")
    assert response.status_code == 200 and response.text.startswith(HEADER.strip())


def test_a_good_file_is_applied_as_imported_records(client, db, setup):
    body = HEADER + "HW-2026-090,cla,2026-03-02,,foster,2026-03-05\r\nHW-2026-091,cin,14/01/2026,,,\r\n"
    response = upload(client, "\ufeff" + body)  # Excel's byte-order mark is fine
    assert response.status_code == 200
    assert "2 rows applied; 0 refused" in response.text
    records = db.exec(select(OutcomeRecord).order_by(OutcomeRecord.care_status)).all()
    assert [(r.point, r.care_status, r.living, r.placement, r.source) for r in records] == [
        ("imported", "cin", "not_known", "", "import"),
        ("imported", "cla", "in_care", "foster", "import"),
    ]
    assert records[0].care_status_since == date(2026, 1, 14) and records[1].taken_on == date(2026, 3, 5)
    assert db.exec(select(AuditEntry).where(AuditEntry.object_type == "care_status_import")).one().detail == (
        "rows=2 applied=2 refused=0"
    )


def test_bad_rows_are_refused_with_line_and_reason_and_store_nothing(client, db, setup):
    future = (today() + timedelta(days=2)).isoformat()
    body = HEADER + (
        "HW-2026-090,cla,2026-03-02,,foster,\r\n"  # line 2: good
        "HW-9999-000,cla,,,,\r\n"  # line 3: unknown case
        "HW-2026-091,in_care,,,,\r\n"  # line 4: unknown code
        f"HW-2026-092,cp,{future},,,\r\n"  # line 5: future date
        "HW-2026-092,cp,2026-05-01,2026-04-01,,\r\n"  # line 6: ends before it starts
        "HW-2026-092,cin,,,foster,\r\n"  # line 7: placement without care
    )
    response = upload(client, body)
    assert response.status_code == 200
    assert "1 row applied; 5 refused" in response.text
    for line, reason in [
        (3, "no case with reference HW-9999-000"),
        (4, "care_status &#39;in_care&#39; is not one of"),
        (5, "care_status_since " + future + " is in the future"),
        (6, "care_status_until is before care_status_since"),
        (7, "placement is given but care_status is not cla"),
    ]:
        assert f"<td>{line}</td><td>{reason}" in response.text
    assert [r.case_id for r in db.exec(select(OutcomeRecord)).all()] == [setup[0].id]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("reference,status\r\nHW-2026-090,cla\r\n", "The columns are wrong (missing case_reference, care_status"),
        (HEADER.encode("utf-16"), "not UTF-8"),
        ((HEADER + "HW-2026-090,cla,,,,\r\n").encode("utf-8").replace(b"cla", b"cl\xe9"), "not UTF-8"),
        (HEADER, "no rows"),
    ],
)
def test_a_file_with_wrong_columns_or_encoding_is_refused_whole(client, db, setup, body, message):
    response = upload(client, body)
    assert response.status_code == 422
    assert 'id="file-error"' in response.text and message in response.text
    assert db.exec(select(OutcomeRecord)).all() == []


def test_only_managers_import(client, db, setup, settings):
    login(client, db, make_user(db, role="supervisor"), settings)
    assert upload(client, HEADER + "HW-2026-090,cla,,,,\r\n").status_code == 403
    assert db.exec(select(OutcomeRecord)).all() == []


def test_uploading_a_fixed_file_again_stores_only_the_rows_not_already_imported(client, db, setup):
    """The first upload refuses line 3; the manager fixes it and uploads the whole file again."""
    body = HEADER + "HW-2026-090,cla,2026-01-01,,foster,2026-02-01\r\nHW-2026-091,zzz,,,,2026-02-01\r\n"
    assert "1 row applied; 1 refused" in upload(client, body).text
    response = upload(client, body.replace("zzz", "cin"))
    assert response.status_code == 200
    assert "1 row applied; 0 refused" in response.text
    assert "1 row was already imported and was not stored again" in response.text
    assert sorted(r.care_status for r in db.exec(select(OutcomeRecord)).all()) == ["cin", "cla"]


def test_a_cell_too_long_for_a_csv_file_is_refused_with_a_message(client, db, setup):
    body = HEADER + "HW-2026-090,cla,2026-01-01,,foster,2026-02-01\r\nHW-2026-091," + "x" * 200000 + ",,,,\r\n"
    response = upload(client, body)
    assert response.status_code == 422 and 'id="file-error"' in response.text
    assert "line 3" in response.text and "too long" in response.text
    assert db.exec(select(OutcomeRecord)).all() == []


def test_a_blank_column_at_the_end_of_the_header_is_ignored(client, db, setup):
    response = upload(client, HEADER.replace("\r\n", ",\r\n") + "HW-2026-090,cla,,,,2026-02-01,\r\n")
    assert response.status_code == 200 and "1 row applied; 0 refused" in response.text


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("HW-2026-090,cla,2026-01-01,,foster,2026-02-01,extra,more", "the row has more values than the header"),
        ("HW-2026-090,cla,0001-01-01,,,2026-02-01", "care_status_since 0001-01-01 is before 1900"),
        ("HW-2026-090,cla,2026-01-20,,,2026-01-10", "care_status_since is after recorded_on"),
    ],
)
def test_a_row_the_workers_form_would_refuse_is_refused(client, db, setup, row, reason):
    response = upload(client, HEADER + row + "\r\n")
    assert response.status_code == 200 and "0 rows applied; 1 refused" in response.text
    assert f"<td>2</td><td>{reason}" in response.text
    assert db.exec(select(OutcomeRecord)).all() == []
