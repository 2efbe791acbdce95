"""YAML read as a tree of nodes that remember where they stand in the file.

PyYAML's composer gives every node its marks; we construct values ourselves so
that duplicate keys and object-constructing tags are errors with a location,
instead of being silently merged or executed.
"""

from __future__ import annotations

import re

import yaml

from ..diagnostics import Diagnostic, Location
from . import yamlplain
from .yamltree import CORE12_RESOLVERS, TAG, UNSHOWABLE, Field, Node, Scalar, core_int, located

__all__ = ["Field", "Node", "Scalar", "describe", "parse"]

_COMMENT = re.compile(r"[ \t]+#")
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
        def resolve(self, kind, value, implicit):  # type: ignore[no-untyped-def]
            """PyYAML's, less what these loaders never have (path and
            wildcard resolvers): the C composer calls it for every value."""
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                        if regexp.match(value):
                            return tag
                return self.DEFAULT_SCALAR_TAG
            return super().resolve(kind, value, implicit)

        # Called around every node, for path resolvers, which no loader here has.
        def descend_resolver(self, current_node, current_index):  # type: ignore[no-untyped-def]
            return None

        def ascend_resolver(self):  # type: ignore[no-untyped-def]
            return None


for _loader in (_Core12Loader, _FastLoader):
    if _loader is None:
        continue
    _loader.yaml_implicit_resolvers = {}
    for _tag, _pattern, _first in CORE12_RESOLVERS:
        _loader.add_implicit_resolver(TAG + _tag, re.compile(_pattern), list(_first))


def _unshowable(loc: Location, char: str) -> Diagnostic:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return Diagnostic.at(
            loc,
            "schema",
            f"this text holds U+{code:04X}, half of a surrogate pair, which is not a character",
            hint="a \\u escape must name a whole character: write the character itself, "
            "or one above U+FFFF as \\U followed by 8 hex digits",
        )
    return Diagnostic.at(
        loc,
        "schema",
        f"this text holds the control character U+{code:04X}, which readers cannot see and pages cannot show",
        hint="remove it; it may come from a \\x or \\u escape, or have been pasted in invisibly",
    )


class _SharedNode(Exception):
    """The composed tree reuses a node: the document has an alias."""


def parse(text: str, file: str, line_offset: int = 0) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document. Returns (root or None, diagnostics).

    `line_offset` is added to every line, for YAML embedded in a larger file
    (an article's front matter).
    """
    plain = yamlplain.read(text, file, line_offset)
    if plain is not None:
        return plain, []
    return parse_with_pyyaml(text, file, line_offset)


def parse_with_pyyaml(text: str, file: str, line_offset: int = 0) -> tuple[Node | None, list[Diagnostic]]:
    """`parse`, with every document read by PyYAML (the plain subset too)."""
    if _nesting_bound(text) > _SCAN_ABOVE:
        deep = _too_deep(text)
        if deep is not None:
            return None, [_nested(Location(file, deep.line + 1 + line_offset, deep.column + 1))]
    if _FastLoader is not None:
        try:
            loader = _FastLoader(text)
            try:
                return _built(loader.get_single_node(), loader, text, file, line_offset)
            finally:
                loader.dispose()
        except _TooDeep as exc:
            return None, [_nested(_loc(file, exc.mark, line_offset))]
        except (yaml.YAMLError, _SharedNode):
            pass  # the pure-Python loader below says exactly what and where
    try:
        loader = _Core12Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except RecursionError:
        return None, [_nested(Location(file, 1 + line_offset, 1))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and any(
            p in (exc.problem or "") for p in ("end of stream", "could not find expected ':'")
        ):
            # Where the unclosed quote opened, or the key that lacks its colon:
            # the parser only notices on a later line.
            mark = exc.context_mark
        loc = _loc(file, mark, line_offset)
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        hint = _syntax_hint(problem, _line_at(text, mark))
        problem = _PLAIN.get(problem, problem)
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
    try:
        return _built(root, loader, text, file, line_offset)
    except _TooDeep as exc:
        return None, [_nested(_loc(file, exc.mark, line_offset))]


# Entries are a few levels deep. Deeper nesting is refused before it can
# exhaust a stack: PyYAML's C composer crashes the process on some 100,000
# levels, its Python one and our builder recurse once or more per level.
MAX_DEPTH = 64
_SCAN_ABOVE = 2000  # the C composer is safe this deep; beyond it, the events are counted first


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark):
        self.mark = mark


def _nesting_bound(text: str) -> int:
    """At least the document's nesting depth: every level of a mapping needs
    a ':', of a sequence a '-' (or '['), of a flow mapping a '{'."""
    return sum(text.count(c) for c in ":-[{?")


def _too_deep(text: str) -> yaml.Mark | None:
    """Where the document first nests deeper than MAX_DEPTH, read as a
    stream of events (no recursion), or None."""
    loader = (_FastLoader or _Core12Loader)(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing reports it
    finally:
        loader.dispose()
    return None


def _nested(loc: Location) -> Diagnostic:
    return Diagnostic.at(
        loc,
        "yaml-syntax",
        f"invalid YAML: nested more than {MAX_DEPTH} levels deep",
        hint="an entry is a few levels deep (fields, citations, their fields); check the brackets and indentation",
    )


def _built(
    root: yaml.Node | None, loader: yaml.SafeLoader, text: str, file: str, line_offset: int
) -> tuple[Node | None, list[Diagnostic]]:
    if root is None:
        return None, []
    builder = _Builder(loader, text, file, line_offset)
    node = builder.build(root)
    return node, builder.diagnostics


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, text: str, file: str, line_offset: int):
        self.loader = loader
        self.text = text
        self.lines: list[str] | None = None
        self.file = file
        self.line_offset = line_offset
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.depth = 0

    def loc(self, node: yaml.Node) -> Location:
        return _loc(self.file, node.start_mark, self.line_offset, node.end_mark)

    def build(self, node: yaml.Node) -> Node:
        # One call a node (of some 45 in an entry), its Location made here.
        # Documents in plain block YAML do not come here (yamlplain).
        if id(node) in self.seen:
            raise _SharedNode
        self.seen.add(id(node))
        tag = node.tag or ""
        short = tag[len(TAG) :] if tag.startswith(TAG) else None
        loc = _loc(self.file, node.start_mark, self.line_offset, node.end_mark)
        if isinstance(node, yaml.ScalarNode):
            if short not in _SCALAR_TAGS:
                return self._bad_tag(node, tag, loc)
            return self._scalar(node, short, loc)
        if not isinstance(node, yaml.CollectionNode):
            raise AssertionError(node)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark)
        try:
            if isinstance(node, yaml.MappingNode):
                if short != "map":
                    return self._bad_tag(node, tag, loc)
                return Node("map", self._mapping(node), loc)
            if isinstance(node, yaml.SequenceNode):
                if short != "seq":
                    return self._bad_tag(node, tag, loc)
                return Node("seq", [self.build(item) for item in node.value], loc)
            raise AssertionError(node)
        finally:
            self.depth -= 1

    def _scalar(self, node: yaml.ScalarNode, short: str, loc: Location) -> Node:
        try:
            if short == "str":
                value = node.value
            elif short == "int":
                value = core_int(node.value)
            else:
                value = self.loader.construct_object(node, deep=True)
        except (ValueError, KeyError, IndexError, yaml.YAMLError):
            # An explicit tag on text that is not of its type: !!bool maybe, !!int abc.
            self.diagnostics.append(
                Diagnostic.at(
                    loc,
                    "schema",
                    f"'{node.value}' is not a value of the type its tag !!{short} names",
                    hint="remove the tag",
                )
            )
            return Node("rejected", None, loc)
        if isinstance(value, str):
            bad = UNSHOWABLE.search(value)
            if bad:
                self.diagnostics.append(_unshowable(loc, bad.group()))
                return Node("rejected", None, loc)
        cut = not node.style and self._comment_follows(node.end_mark)
        return Node(short, value, loc, cut)

    def _comment_follows(self, end: yaml.Mark) -> bool:
        """Does a ` #` comment follow a plain value on its last line? Then
        the value may have been cut short: `quote: pullout #1 despite`."""
        if self.lines is None:
            self.lines = self.text.splitlines()
        line = self.lines[end.line] if end.line < len(self.lines) else ""
        return _COMMENT.match(line, end.column) is not None

    def _mapping(self, node: yaml.MappingNode) -> dict[str, Field]:
        fields: dict[str, Field] = {}
        file, offset = self.file, self.line_offset
        for key_node, value_node in node.value:
            key_loc = _loc(file, key_node.start_mark, offset, key_node.end_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(Diagnostic.at(key_loc, "schema", "a key must be a plain string"))
                continue
            key = str(key_node.value)
            bad = UNSHOWABLE.search(key)
            if bad:
                self.diagnostics.append(_unshowable(key_loc, bad.group()))
                continue
            if key in fields:
                first = fields[key].key_loc
                hint = f"first given on line {first.line}; keep one of them"
                if (key_loc.column or 1) > 1:  # inside a list item: perhaps a new item lost its '- '
                    hint += "; or, if this line begins another item of the list (a new citation), start it with '- '"
                self.diagnostics.append(
                    Diagnostic.at(key_loc, "duplicate-key", f"key '{key}' is given twice", hint=hint)
                )
                continue
            fields[key] = Field(key, key_loc, self.build(value_node))
        return fields

    def _bad_tag(self, node: yaml.Node, tag: str, loc: Location) -> Node:
        shown = "!!" + tag[len(TAG) :] if tag.startswith(TAG) else tag
        self.diagnostics.append(
            Diagnostic.at(
                loc,
                "yaml-syntax",
                f"the YAML tag '{shown}' is not allowed",
                hint="entries hold plain strings, numbers, lists and mappings; remove the tag",
            )
        )
        return Node("rejected", None, loc)


def _loc(file: str, mark: yaml.Mark | None, line_offset: int, end: yaml.Mark | None = None) -> Location:
    if mark is None:
        return Location(file)
    if end is None:
        return Location(file, mark.line + 1 + line_offset, mark.column + 1)
    return located(file, mark.line + line_offset, mark.column, end.line + line_offset, end.column)


# PyYAML's wording for the commonest slips, in an editor's words.
_PLAIN = {
    "while parsing a block mapping, expected <block end>, but found '<scalar>'": "more text after a complete value",
    "while parsing a block mapping, expected <block end>, but found '<block mapping start>'": "unexpected indentation",
    "while parsing a block mapping, expected <block end>, but found '<block sequence start>'": "unexpected indentation",
    "mapping values are not allowed here": "a ':' where none can stand",
    "while scanning a simple key, could not find expected ':'": "a key without ':'",
    "while scanning a quoted scalar, found unexpected end of stream": "a quoted value that is never closed",
    "expected a single document in the stream, but found another document": "a second YAML document ('---')",
}


def _syntax_hint(problem: str, line: str) -> str | None:
    value = line.split(": ", 1)[1].strip() if ": " in line else ""
    if "\\'" in line:
        return "inside single quotes an apostrophe is written '' (two single quotes), not \\'"
    if "quoted scalar" in problem:
        return (
            'this quotation mark is never closed; inside double quotes write a double quote as \\", '
            "inside single quotes write an apostrophe as ''"
        )
    if "expected <block end>, but found '<scalar>'" in problem and value[:1] in ('"', "'"):
        mark = value[0]
        if mark == '"':
            return 'the value ends at its second "; write a " inside it as \\", or put the value in single quotes'
        return "the value ends at its second '; write an apostrophe inside it as '', or use double quotes"
    if "expected <block end>, but found '<block mapping start>'" in problem:
        return "this line is not indented like the fields around it; line it up with its neighbours"
    if "mapping values are not allowed" in problem:
        if re.match(r"\s+[\w-]+:", line):
            return "this line is not indented like the fields around it; line it up with its neighbours"
        return "a value containing ': ' must be quoted; wrap it in double quotes"
    if "found character '\\t'" in problem or "found character '\t'" in problem:
        return "YAML does not allow a tab here; use spaces"
    if "could not find expected ':'" in problem:
        return (
            "this key has no ':' after it; or, if the line continues a text above it (after 'summary: |'), "
            "indent it like that text"
        )
    if "expected <block end>" in problem:
        return "check this line's indentation, and that a quoted value ends where you meant it to"
    if "expected a single document" in problem:
        return "a file holds one entry; remove this '---' and anything after it that belongs elsewhere"
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
