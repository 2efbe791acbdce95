"""Declared formats, and one reader that checks YAML nodes against them.

The same declarations produce the JSON Schema that editors' tools use
(`schema.py`), so the loader and the schema cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, Location
from .hints import did_you_mean
from .ids import ID_RE
from .yamlsource import Node, describe

ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ISO_DATE_RE = re.compile(ISO_DATE_PATTERN)
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
URL_RE = re.compile(r"^https?://[^\s/]+[^\s]*$")
# A well-formed BCP 47 language tag (RFC 5646): language, script, region,
# variants, extensions, private use; or private use alone.
LANGUAGE_PATTERN = (
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?|[Xx](?:-[A-Za-z0-9]{1,8})+)$"
)
LANGUAGE_RE = re.compile(LANGUAGE_PATTERN)
COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    # string | markdown | quote | date | id | url | sha256 | language | colour | number | strings | choice
    # | map | maps | messages
    type: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()  # for map and maps
    min_items: int = 0  # for maps


@dataclass(frozen=True)
class Codes:
    """Which diagnostic codes a format's problems carry."""

    schema: str = "schema"
    unknown: str = "unknown-field"


@dataclass
class Record:
    """Values read from one mapping, with where each stands."""

    values: dict[str, Any] = field(default_factory=dict)
    locs: dict[str, Location] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    loc: Location | None = None

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def read_record(
    node: Node,
    specs: Sequence[FieldSpec],
    diagnostics: list[Diagnostic],
    codes: Codes = Codes(),
    what: str = "entry",
) -> Record | None:
    """Check a mapping node against specs. Problems go to `diagnostics`;
    a field with a problem is left out of the record."""
    if node.kind != "map":
        diagnostics.append(
            Diagnostic.at(node.loc, codes.schema, f"{what} must be a mapping of fields, not {describe(node)}")
        )
        return None
    record = Record(loc=node.loc)
    by_name = {s.name: s for s in specs}
    given: dict = node.value  # type: ignore[assignment]
    for key, fld in given.items():
        spec = by_name.get(key)
        if spec is None:
            meant = did_you_mean(key, by_name)
            hint = f"did you mean '{meant}'?" if meant else "known fields: " + ", ".join(by_name)
            diagnostics.append(Diagnostic.at(fld.key_loc, codes.unknown, f"unknown field '{key}' in {what}", hint=hint))
            continue
        record.locs[key] = fld.node.loc
        record.nodes[key] = fld.node
        value = _read_value(fld.node, spec, diagnostics, codes)
        if value is not _INVALID:
            record.values[key] = value
    missing = [spec for spec in specs if spec.required and spec.name not in given]
    if missing:
        names = ", ".join(f"'{spec.name}'" for spec in missing)
        plural = "s" if len(missing) > 1 else ""
        start = Location(node.loc.file, node.loc.line, node.loc.column)
        diagnostics.append(
            Diagnostic.at(
                start,
                codes.schema,
                f"{what} is missing the required field{plural} {names}",
                hint="\n".join(f"{spec.name}: {spec.description}" for spec in missing),
            )
        )
    return record


_INVALID = object()


def _fail(diagnostics: list[Diagnostic], node: Node, codes: Codes, message: str, hint: str | None = None) -> object:
    diagnostics.append(Diagnostic.at(node.loc, codes.schema, message, hint=hint))
    return _INVALID


_TEXTS = frozenset(("string", "markdown", "quote", "id", "url", "sha256", "language", "colour", "choice"))


def _read_value(node: Node, spec: FieldSpec, diagnostics: list[Diagnostic], codes: Codes) -> Any:
    # (Failures go through `_fail`, not a closure made here: this runs for each value of each entry.)
    name = spec.name
    if node.kind == "rejected":
        return _INVALID
    if spec.type == "messages":
        return _messages(node, name, diagnostics, codes)
    if spec.type in _TEXTS:
        if node.kind != "str":
            if node.kind == "null":  # `claim:` with nothing after it
                return _fail(
                    diagnostics,
                    node,
                    codes,
                    f"'{name}' is empty",
                    f"write the {name} after '{name}: ' ({spec.description})",
                )
            hint = _quote_hint(node)
            if name == "verdict" and hint:
                hint = "a verdict is one of the keys of the scale in config.yaml; " + hint
            return _fail(diagnostics, node, codes, f"'{name}' must be a string, not {describe(node)}", hint)
        text: str = node.value  # type: ignore[assignment]
        if not text or text.isspace():
            return _fail(diagnostics, node, codes, f"'{name}' is empty")
        if spec.type == "id" and not ID_RE.match(text):
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' is not a valid id: '{text}'",
                "ids are lowercase letters, digits and '-'",
            )
        if spec.type == "url" and not URL_RE.match(text):
            return _fail(diagnostics, node, codes, f"'{name}' is not an absolute http(s) URL: '{text}'")
        if spec.type == "language" and not LANGUAGE_RE.match(text):
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' is not a language tag: {_shown_value(node)}",
                "write a BCP 47 language tag, such as en, fr, es, ar, pt-BR or zh-Hant",
            )
        if spec.type == "colour" and not COLOUR_RE.match(text):
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' is not a colour: {_shown_value(node)}",
                "write it as #rrggbb, such as #1b6e3a",
            )
        if spec.type == "sha256" and not SHA256_RE.match(text):
            return _fail(
                diagnostics, node, codes, f"'{name}' is not a SHA-256 hex digest", "64 lowercase hexadecimal characters"
            )
        if spec.type == "choice" and text not in spec.choices:
            meant = did_you_mean(text, spec.choices)
            hint = f"did you mean '{meant}'?" if meant else None
            return _fail(
                diagnostics, node, codes, f"'{name}' must be one of {', '.join(spec.choices)}; got '{text}'", hint
            )
        return text.lower() if spec.type == "sha256" else text
    if spec.type == "date":
        if node.kind == "str" and ISO_DATE_RE.match(node.value):  # type: ignore[arg-type]
            try:
                return dt.date.fromisoformat(node.value)  # type: ignore[arg-type]
            except ValueError as exc:
                return _fail(
                    diagnostics,
                    node,
                    codes,
                    f"'{name}' is not a valid date: {_shown_value(node)}",
                    f"no such day: {exc}",
                )
        return _fail(diagnostics, node, codes, f"'{name}' is not a valid date: {_shown_value(node)}", _date_hint(node))
    if spec.type == "boolean":
        if node.kind != "bool":
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' must be true or false, not {describe(node)}",
                f"write {name}: true, or leave it out",
            )
        return node.value
    if spec.type == "number":
        if node.kind not in ("int", "float"):
            return _fail(diagnostics, node, codes, f"'{name}' must be a number, not {describe(node)}")
        return node.value
    if spec.type == "strings":
        if node.kind != "seq":
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' must be a list of strings, not {describe(node)}",
                f"write {name}: [first, second]",
            )
        items = []
        for item in node.value:  # type: ignore[union-attr]
            if item.kind != "str" or not item.value.strip():
                what = "an empty string" if item.kind == "str" else describe(item)
                diagnostics.append(
                    Diagnostic.at(
                        item.loc,
                        codes.schema,
                        f"every item of '{name}' must be a non-empty string, not {what}",
                        hint=_quote_hint(item),
                    )
                )
                continue
            items.append(item.value)
        return tuple(items)
    if spec.type == "map":
        return read_record(node, spec.fields, diagnostics, codes, what=f"'{name}'") or _INVALID
    if spec.type == "maps":
        if node.kind == "null" and spec.min_items:
            # `citations:` with nothing under it yet (as `new` scaffolds it): say
            # what is missing, not that "nothing" is the wrong type.
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' needs at least {spec.min_items} item{'s' if spec.min_items > 1 else ''}",
                f"add {'it' if spec.min_items == 1 else 'them'} on the lines below '{name}:', "
                "each item starting with '- '",
            )
        if node.kind != "seq":
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' must be a list, not {describe(node)}",
                f"start each item of '{name}' with '- '",
            )
        records = []
        for i, item in enumerate(node.value):  # type: ignore[union-attr]
            record = read_record(item, spec.fields, diagnostics, codes, what=f"{name} item {i + 1}")
            records.append(record)
        if len(records) < spec.min_items:
            return _fail(
                diagnostics,
                node,
                codes,
                f"'{name}' needs at least {spec.min_items} item{'s' if spec.min_items > 1 else ''}",
            )
        return records
    raise AssertionError(f"unknown field type {spec.type}")


def _messages(node: Node, name: str, diagnostics: list[Diagnostic], codes: Codes) -> Any:
    """A desk's own wording: English message -> its text, or a list of the
    plural forms."""
    if node.kind != "map":
        diagnostics.append(Diagnostic.at(node.loc, codes.schema, f"'{name}' must be a mapping of messages"))
        return _INVALID
    found: dict[str, str | list[str]] = {}
    for key, fld in node.value.items():  # type: ignore[union-attr]
        value = fld.node
        if value.kind == "str":
            found[key] = value.value  # type: ignore[assignment]
        elif value.kind == "seq" and value.value and all(v.kind == "str" for v in value.value):  # type: ignore[union-attr]
            found[key] = [v.value for v in value.value]  # type: ignore[union-attr, misc]
        else:
            diagnostics.append(
                Diagnostic.at(
                    value.loc,
                    codes.schema,
                    f"the message '{key}' must be a text, or a list of its plural forms",
                    hint='write it in quotes: "Toutes les vérifications"',
                )
            )
    return found


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def _date_hint(node: Node) -> str:
    """Dates are YYYY-MM-DD; a date written day first is turned round for the hint."""
    text = str(node.value) if node.kind == "str" else ""
    m = _DAY_MONTH_YEAR.match(text.strip())
    if m:
        day, month, year = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"write dates as YYYY-MM-DD: {year:04d}-{month:02d}-{day:02d} if this is day {day} of month {month}"
    return "write dates as YYYY-MM-DD, e.g. 2016-12-05"


def _quote_hint(node: Node) -> str | None:
    if node.kind in ("bool", "int", "float", "null"):
        return "YAML read this as another type; put the value in double quotes"
    return None


def _shown_value(node: Node) -> str:
    return repr(node.value) if node.kind == "str" else describe(node)
