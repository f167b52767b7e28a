"""An equivalent of `frictionless validate` for the parts of the Tabular Data Package spec we use.

Checks the descriptor's shape, that every resource's file is in the ZIP, that each CSV's header is
its fields in order, every value against its field's type and constraints (enum, pattern, minimum),
primary keys unique and foreign keys resolved. Returns a list of problems (empty when valid).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

TYPES = {
    "string": lambda v: True,
    "integer": lambda v: re.fullmatch(r"-?\d+", v) is not None,
    "number": lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
    "yearmonth": lambda v: re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v) is not None,
}


def validate(archive: zipfile.ZipFile) -> list[str]:
    problems: list[str] = []
    package = json.loads(archive.read("datapackage.json"))
    if package.get("profile") != "tabular-data-package" or not re.fullmatch(r"[a-z0-9._-]+", package.get("name", "")):
        problems.append("descriptor: profile or name is wrong")
    keys: dict[str, set[tuple]] = {}
    foreign: list[tuple[str, list[str], str, list[str], list[tuple]]] = []
    for resource in package["resources"]:
        name, schema = resource["name"], resource["schema"]
        fields = schema["fields"]
        missing = set(schema.get("missingValues", [""]))
        for field in fields:
            if field.get("type") not in TYPES or not field.get("description"):
                problems.append(f"{name}.{field.get('name')}: unknown type or no description")
            enum = field.get("constraints", {}).get("enum")
            if enum and {c["value"] for c in field.get("categories", [])} - set(enum):
                problems.append(f"{name}.{field['name']}: categories outside the enum")
        try:
            text = archive.read(resource["path"]).decode("utf-8")
        except KeyError:
            problems.append(f"{name}: {resource['path']} is not in the ZIP")
            continue
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or rows[0] != [f["name"] for f in fields]:
            problems.append(f"{name}: header does not match the schema")
            continue
        index = {f["name"]: i for i, f in enumerate(fields)}
        pk = schema.get("primaryKey", [])
        seen: set[tuple] = set()
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(fields):
                problems.append(f"{name} line {line}: {len(row)} values for {len(fields)} fields")
                continue
            for field, value in zip(fields, row, strict=True):
                if value in missing:
                    continue
                c = field.get("constraints", {})
                if not TYPES[field["type"]](value):
                    problems.append(f"{name} line {line}: {field['name']}={value!r} is not a {field['type']}")
                if "enum" in c and value not in c["enum"]:
                    problems.append(f"{name} line {line}: {field['name']}={value!r} is not one of its codes")
                if "pattern" in c and not re.fullmatch(c["pattern"], value):
                    problems.append(f"{name} line {line}: {field['name']}={value!r} does not match its pattern")
                if "minimum" in c and field["type"] == "integer" and int(value) < c["minimum"]:
                    problems.append(f"{name} line {line}: {field['name']} below its minimum")
            if pk:
                key = tuple(row[index[k]] for k in pk)
                if key in seen:
                    problems.append(f"{name} line {line}: primary key {key} repeated")
                seen.add(key)
        keys[name] = seen
        for fk in schema.get("foreignKeys", []):
            values = [tuple(r[index[k]] for k in fk["fields"]) for r in rows[1:]]
            foreign.append((name, fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"], values))
    for name, _, target, _, values in foreign:
        unresolved = [v for v in values if v not in keys.get(target, set())]
        if unresolved:
            problems.append(f"{name}: {len(unresolved)} rows point at no row of {target}")
    return problems
