"""The JSON Schema of an entry, made from the same declarations the loader uses.

Regenerate the shipped copy with:  python -m factcheck.verify.schema > schema/check.schema.json
A test fails when the two differ.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from .entries import ENTRY_FIELDS
from .fields import ISO_DATE_PATTERN, FieldSpec
from .ids import ID_PATTERN

SCHEMA_ID = "https://factcheck.invalid/schema/check.schema.json"
_DATE = {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}
# An elision marker must stand between two parts: never at either end, never two together.
_MARKER = r"[\[［](\.\.\.|…|．．．)[\]］]"  # fullwidth brackets are the same after NFKC
_EDGE_ELISION = rf"^\s*{_MARKER}|{_MARKER}\s*$|{_MARKER}\s*{_MARKER}"
_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}


def entry_schema() -> dict[str, object]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Fact-check entry",
        "description": "One fact-check: content/checks/<id>.yaml. See the README for the matching rules.",
        **_object(ENTRY_FIELDS),
    }


def _object(specs: Sequence[FieldSpec]) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {spec.name: _property(spec) for spec in specs},
        "required": [spec.name for spec in specs if spec.required],
        "additionalProperties": False,
    }


def _property(spec: FieldSpec) -> dict[str, object]:
    described = {"description": spec.description}
    if spec.type in ("string", "markdown"):
        return described | _TEXT
    if spec.type == "quote":
        return described | _TEXT | {"not": {"pattern": _EDGE_ELISION}}
    if spec.type == "id":
        return described | {"type": "string", "pattern": ID_PATTERN}
    if spec.type == "date":
        return described | _DATE
    if spec.type == "choice":
        return described | {"enum": list(spec.choices)}
    if spec.type == "boolean":
        return described | {"type": "boolean"}
    if spec.type == "strings":
        return described | {"type": "array", "items": _TEXT}
    if spec.type == "maps":
        return described | {"type": "array", "minItems": spec.min_items, "items": _object(spec.fields)}
    raise AssertionError(f"no JSON Schema for field type {spec.type}")


def main() -> None:
    sys.stdout.write(json.dumps(entry_schema(), indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
