"""YAML read as a tree of nodes that remember where they stand in the file.

PyYAML's composer gives every node its marks; we construct values ourselves so
that duplicate keys and object-constructing tags are errors with a location,
instead of being silently merged or executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .diagnostics import Diagnostic, Location

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}


class _Core12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema's plain scalars, as editors'
    YAML language servers read them: `no`, `on` and `2016-12-05` are strings
    (dates are checked as strings by the formats), only true/false are
    booleans, and numbers are plain decimal or hexadecimal."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        # Entries have no use for aliases, and refusing them rules out
        # recursive documents and alias bombs.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not supported; write the value out in full", event.start_mark
            )
        return super().compose_node(parent, index)


# libyaml, where PyYAML has it, composes about ten times faster. It cannot
# refuse aliases as they are read, so the tree it gives is walked for shared
# nodes, and any problem at all is reported by the pure-Python loader, whose
# messages and marks we know.
_FastLoader: type | None = None
if yaml.__with_libyaml__:

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass


_CORE12_RESOLVERS = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
)
for _loader in (_Core12Loader, _FastLoader):
    if _loader is None:
        continue
    _loader.yaml_implicit_resolvers = {}
    for _tag, _pattern, _first in _CORE12_RESOLVERS:
        _loader.add_implicit_resolver(_TAG + _tag, re.compile(_pattern), list(_first))


class _SharedNode(Exception):
    """The composed tree reuses a node: the document has an alias."""


@dataclass(frozen=True)
class Node:
    """A YAML value and where it stands. `kind` names its YAML type."""

    # str | int | float | bool | null | seq | map,
    # or rejected: a node already reported (a forbidden tag) and not to be reported again
    kind: str
    value: Scalar | list[Node] | dict[str, Field]
    loc: Location


@dataclass(frozen=True)
class Field:
    key: str
    key_loc: Location
    node: Node


Scalar = str | int | float | bool | None


def parse(text: str, file: str, line_offset: int = 0) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document. Returns (root or None, diagnostics).

    `line_offset` is added to every line, for YAML embedded in a larger file
    (an article's front matter).
    """
    if _FastLoader is not None:
        try:
            loader = _FastLoader(text)
            try:
                return _built(loader.get_single_node(), loader, file, line_offset)
            finally:
                loader.dispose()
        except (yaml.YAMLError, _SharedNode):
            pass  # the pure-Python loader below says exactly what and where
    try:
        loader = _Core12Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # where the unclosed quote or bracket opened, not the end of the file
        loc = _loc(file, mark, line_offset)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        hint = _syntax_hint(problem, _line_at(text, mark))
        return None, [Diagnostic.at(loc, "yaml-syntax", f"invalid YAML: {problem}", hint=hint)]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return None, [
            Diagnostic.at(
                Location(file, line + line_offset, column),
                "yaml-syntax",
                f"invalid YAML: the control character U+{exc.character:04X} is not allowed",
                hint="remove it; it is often pasted in invisibly from another program",
            )
        ]
    return _built(root, loader, file, line_offset)


def _built(
    root: yaml.Node | None, loader: yaml.SafeLoader, file: str, line_offset: int
) -> tuple[Node | None, list[Diagnostic]]:
    if root is None:
        return None, []
    builder = _Builder(loader, file, line_offset)
    node = builder.build(root)
    return node, builder.diagnostics


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, file: str, line_offset: int):
        self.loader = loader
        self.file = file
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()

    def loc(self, node: yaml.Node) -> Location:
        return _loc(self.file, node.start_mark, self.line_offset, node.end_mark)

    def build(self, node: yaml.Node) -> Node:
        if id(node) in self.seen:
            raise _SharedNode
        self.seen.add(id(node))
        tag = node.tag or ""
        short = tag[len(_TAG) :] if tag.startswith(_TAG) else None
        if isinstance(node, yaml.MappingNode):
            if short != "map":
                return self._bad_tag(node, tag)
            return Node("map", self._mapping(node), self.loc(node))
        if isinstance(node, yaml.SequenceNode):
            if short != "seq":
                return self._bad_tag(node, tag)
            return Node("seq", [self.build(item) for item in node.value], self.loc(node))
        if short not in _SCALAR_TAGS:
            return self._bad_tag(node, tag)
        return self._scalar(node, short)

    def _scalar(self, node: yaml.ScalarNode, short: str) -> Node:
        try:
            if short == "str":
                value = node.value
            elif short == "int":  # YAML 1.2: 017 is seventeen, not octal
                value = int(node.value, 16 if node.value.startswith("0x") else 10)
            else:
                value = self.loader.construct_object(node, deep=True)
        except (ValueError, yaml.constructor.ConstructorError):
            value = node.value  # an explicit !!int on text that is not a number: keep the text
            short = "str"
        return Node(short, value, self.loc(node))

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Field]:
        fields: dict[str, Field] = {}
        for key_node, value_node in node.value:
            key_loc = self.loc(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(Diagnostic.at(key_loc, "schema", "a key must be a plain string"))
                continue
            key = str(key_node.value)
            if key in fields:
                first = fields[key].key_loc
                self.diagnostics.append(
                    Diagnostic.at(
                        key_loc,
                        "duplicate-key",
                        f"key '{key}' is given twice",
                        hint=f"first given on line {first.line}; keep one of them",
                    )
                )
                continue
            fields[key] = Field(key, key_loc, self.build(value_node))
        return fields

    def _bad_tag(self, node: yaml.Node, tag: str) -> Node:
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        self.diagnostics.append(
            Diagnostic.at(
                self.loc(node),
                "yaml-syntax",
                f"the YAML tag '{shown}' is not allowed",
                hint="entries hold plain strings, numbers, lists and mappings; remove the tag",
            )
        )
        return Node("rejected", None, self.loc(node))


def _loc(file: str, mark: yaml.Mark | None, line_offset: int, end: yaml.Mark | None = None) -> Location:
    if mark is None:
        return Location(file)
    if end is None:
        return Location(file, mark.line + 1 + line_offset, mark.column + 1)
    return Location(file, mark.line + 1 + line_offset, mark.column + 1, end.line + 1 + line_offset, end.column + 1)


def _syntax_hint(problem: str, line: str) -> str | None:
    if "\\'" in line:
        return "inside single quotes an apostrophe is written '' (two single quotes), not \\'"
    if "quoted scalar" in problem:
        return (
            'this quotation mark is never closed; inside double quotes write a double quote as \\", '
            "inside single quotes write an apostrophe as ''"
        )
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted; wrap it in double quotes"
    if "found character '\\t'" in problem or "found character '\t'" in problem:
        return "YAML indents with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "check the indentation and that every key ends with ':'"
    if "expected <block end>" in problem:
        return "check this line's indentation, and that a quoted value ends where you meant it to"
    return None


def _line_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    return lines[mark.line] if mark.line < len(lines) else ""


# --- small typed accessors used by the loaders --------------------------------

KIND_NAMES = {
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "nothing (null)",
    "seq": "a list",
    "map": "a mapping",
}


def describe(node: Node) -> str:
    return KIND_NAMES.get(node.kind, node.kind)
