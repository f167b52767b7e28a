"""Import of care status from the council's case system: a CSV keyed by case reference.

Every row is checked before anything is stored; a refused row stores nothing and is reported with
its line number and reason, and the good rows are applied as outcome records (point "imported"),
so "entered care within 12 months of the work ending" is known without retyping (issue 17).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from app.audit import service as audit
from app.cases.models import Case
from app.forms import EARLIEST_YEAR
from app.outcomes import service
from app.outcomes.models import CARE_STATUSES, PLACEMENTS, OutcomeRecord
from app.security.auth import Actor
from app.security.permissions import visible_cases
from app.timeutil import today

COLUMNS = ["case_reference", "care_status", "care_status_since", "care_status_until", "placement", "recorded_on"]
REQUIRED = {"case_reference", "care_status"}
MAX_ROWS = 5000
TEMPLATE = ",".join(COLUMNS) + "\r\nHW-2026-0001,cla,2026-03-02,,foster,2026-03-05\r\n"


class FileRefused(Exception):
    """The whole file cannot be read (encoding, columns, size); `message` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Report:
    applied: list[tuple[int, str]] = field(default_factory=list)  # (line, reference)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    # Rows the same as a record an earlier import stored (a fixed file uploaded again): not stored twice.
    already: list[tuple[int, str]] = field(default_factory=list)  # (line, reference)


EXTRA = "extra values"  # a row's values beyond the header's columns, kept so check_row can refuse them


def _date(value: str, column: str) -> tuple[date | None, str | None]:
    """A date written 2026-03-14 or 14/03/2026 (as spreadsheets save it), not in the future."""
    if not value:
        return None, None
    try:
        if len(value) == 10 and value[2] == "/" and value[5] == "/":
            parsed = date(int(value[6:]), int(value[3:5]), int(value[:2]))
        else:
            parsed = date.fromisoformat(value)
    except ValueError:
        return None, f"{column} {value!r} is not a date like 2026-03-14 or 14/03/2026"
    if parsed.year < EARLIEST_YEAR:
        return None, f"{column} {value} is before {EARLIEST_YEAR}"
    if parsed > today():
        return None, f"{column} {value} is in the future"
    return parsed, None


def read_rows(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers, or FileRefused naming what is wrong with the file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The file is not UTF-8 text. Save it from your spreadsheet as \u201cCSV UTF-8\u201d."
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _rows(reader)
    except csv.Error:
        # A cell over the csv module's field limit (128 KB), most often from a quotation mark left
        # open so that the rest of the file reads as one cell (line_num: the last line read whole).
        raise FileRefused(
            f"The file cannot be read from line {reader.line_num + 1}: a cell is too long, perhaps from a "
            "quotation mark that is not closed. Check that line, then save it again as \u201cCSV UTF-8\u201d."
        ) from None


def _rows(reader: csv.DictReader) -> list[tuple[int, dict[str, str]]]:
    # A blank header name is a column the spreadsheet saved empty (a trailing comma): not a column.
    header = [h.strip() for h in (reader.fieldnames or []) if h.strip()]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unknown {', '.join(unknown)}"] if unknown else []
        )
        raise FileRefused(f"The columns are wrong ({'; '.join(parts)}). Use the template: {', '.join(COLUMNS)}.")
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise FileRefused(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
        cleaned = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None and k.strip()}
        if any(cleaned.values()):
            # Values past the header's columns, or under a blank header name: the row does not
            # line up with the header, so none of it can be trusted (empty ones are trailing commas).
            extra = list(row.get(None, [])) + [v for k, v in row.items() if k is not None and not k.strip()]
            if any((v or "").strip() for v in extra):
                cleaned[EXTRA] = "yes"
            rows.append((reader.line_num, cleaned))
    if not rows:
        raise FileRefused("The file has no rows under its header.")
    return rows


def check_row(row: dict[str, str], cases: dict[str, Case]) -> tuple[dict | None, list[str], Case | None]:
    """The record's fields for one row, or the reasons it is refused."""
    reasons = ["the row has more values than the header has columns"] if row.get(EXTRA) else []
    reference = row.get("case_reference", "")
    case = cases.get(reference)
    if not reference:
        reasons.append("case_reference is empty")
    elif case is None:
        reasons.append(f"no case with reference {reference}")
    status = row.get("care_status", "")
    if status not in dict(CARE_STATUSES):
        reasons.append(f"care_status {status!r} is not one of {', '.join(c for c, _ in CARE_STATUSES)}")
    placement = row.get("placement", "")
    if placement and placement not in dict(PLACEMENTS):
        reasons.append(f"placement {placement!r} is not one of {', '.join(c for c, _ in PLACEMENTS)}")
    if placement and status != "cla":
        reasons.append("placement is given but care_status is not cla")
    since, why = _date(row.get("care_status_since", ""), "care_status_since")
    reasons += [why] if why else []
    until, why = _date(row.get("care_status_until", ""), "care_status_until")
    reasons += [why] if why else []
    if since and until and until < since:
        reasons.append("care_status_until is before care_status_since")
    recorded_on, why = _date(row.get("recorded_on", ""), "recorded_on")
    reasons += [why] if why else []
    if since and recorded_on and since > recorded_on:
        reasons.append("care_status_since is after recorded_on")
    if reasons:
        return None, reasons, case
    in_care = status == "cla" and until is None
    return (
        {
            "point": "imported",
            "taken_on": recorded_on or today(),
            "care_status": status,
            "care_status_since": since,
            "care_status_until": until,
            "living": "in_care" if in_care else "not_known",
            "placement": (placement or "not_known") if in_care else "",
        },
        [],
        case,
    )


def import_care_status(*, session: Session, actor: Actor, raw: bytes) -> Report:
    """Check every row, then store the good ones; FileRefused if the file itself cannot be used."""
    rows = read_rows(raw)
    references = {row.get("case_reference", "") for _, row in rows}
    cases = {
        c.reference: c
        for c in session.exec(select(Case).where(Case.reference.in_(references), visible_cases(actor.user))).all()
    }
    report, good = Report(), []
    for line, row in rows:
        fields, reasons, case = check_row(row, cases)
        if fields is None:
            report.refused.append((line, "; ".join(reasons)))
        else:
            good.append((line, case, fields))
    stored = _imported(session=session, case_ids={case.id for _, case, _ in good})
    for line, case, fields in good:
        same = _same(case.id, fields)
        if same in stored:
            report.already.append((line, case.reference))
            continue
        stored.add(same)
        service.record(session=session, case=case, actor=actor, fields=fields, source="import")
        report.applied.append((line, case.reference))
    audit.record(
        session=session,
        actor=actor,
        action="import",
        object_type="care_status_import",
        detail=f"rows={len(rows)} applied={len(report.applied)} refused={len(report.refused)}"
        + (f" already={len(report.already)}" if report.already else ""),
    )
    return report


SAME = ("taken_on", "care_status", "care_status_since", "care_status_until", "living", "placement")


def _same(case_id: int, fields: dict) -> tuple:
    """What makes an imported record the same as another: its case and every value the file gives."""
    return (case_id, *(fields[name] for name in SAME))


def _imported(*, session: Session, case_ids: set[int]) -> set[tuple]:
    """The records earlier imports stored for these cases, as `_same` keys (one query)."""
    if not case_ids:
        return set()
    columns = [getattr(OutcomeRecord, name) for name in SAME]
    return set(
        session.exec(
            select(OutcomeRecord.case_id, *columns).where(
                OutcomeRecord.case_id.in_(case_ids), OutcomeRecord.point == "imported"
            )
        ).all()
    )
