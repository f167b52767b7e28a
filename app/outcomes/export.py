"""The evaluator export: a pseudonymised data set as a streamed ZIP of CSVs with a data dictionary.

What leaves the service (DESIGN.md "Security"; issue 17): stable ids made by a keyed hash (HMAC-SHA256
with a key derived from SECRET_KEY, so they cannot be reversed or recomputed without the service's
secret, yet the same case has the same id in every export), age bands instead of dates of birth,
months instead of days, codes instead of words. No names, addresses, phone numbers or free text:
every column is listed in FIELDS, and only listed columns are written.

The columns and the descriptor are in export_fields.py and the rows of each CSV in export_rows.py;
this module writes them into the ZIP as they come.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from itertools import islice

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.outcomes.export_fields import FIELDS, descriptor
from app.outcomes.export_rows import LINES, _rows, id_key

BATCH = 1000  # rows written between hand-overs of the ZIP's bytes
# Deflate's fastest level: the CSVs shrink almost as much (ids and codes repeat) for a third of
# the CPU of the default level, and CPU is what the export waits for on a busy machine.
COMPRESSION_LEVEL = 1


class _Sink(io.RawIOBase):
    """A write-only stream the ZIP writes into; the generator hands its bytes on as they come."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


def stream_zip(*, engine: Engine, secret_key: str) -> Iterator[bytes]:
    """The export as ZIP bytes, yielded as each batch of rows is written (memory stays flat)."""
    key = id_key(secret_key)
    sink = _Sink()
    with (
        Session(engine) as session,
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL) as archive,
    ):
        archive.writestr("datapackage.json", json.dumps(descriptor(), indent=2))
        yield sink.drain()
        for name, fields in FIELDS.items():
            with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow([f["name"] for f in fields])
                rows = _rows(session, name, key)
                while batch := list(islice(rows, BATCH)):
                    if name in LINES:
                        text.write("".join(batch))
                    else:
                        writer.writerows(batch)  # None is written as an empty field
                    text.flush()
                    yield sink.drain()
                text.flush()
                text.detach()
            yield sink.drain()
    yield sink.drain()
