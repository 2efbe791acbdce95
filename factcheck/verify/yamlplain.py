"""Plain block YAML, read line by line straight into the located tree.

PyYAML makes an event, a node and two marks for every value, and calls
back into Python to resolve each plain scalar's type; yamlsource then
builds its own tree from those nodes. For an entry of 30 lines that is
some 150 µs, most of reading it, and reading is most of a cold `check`.
Yet entries and front matter are nearly always written in a small part of
YAML: `key: value` lines, lists of such mappings, `|` and `>` texts, quoted
strings on one line, `[a, b]` lists, and whole-line comments.

`read` reads exactly that part, into the tree and locations PyYAML's
reading gives, and gives up (None) on anything else: a comment after a
value, a value over several lines (other than a `|` or `>` text), a tab, an
anchor or tag, a key given twice, a document with no final line break.
Those go to PyYAML as before, so every error, and every document written
in the rest of YAML, is read and reported exactly as before.
tests/test_yamlplain.py holds the two readings equal on every entry and
front matter of the sample desk and a synthetic one, and on generated
documents.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..diagnostics import Location
from .yamltree import CORE12_RESOLVERS, UNSHOWABLE, Field, Node, core_int, located
from .yamltree import new as _new

# What the reader leaves to PyYAML wherever it stands: tabs, carriage
# returns, characters YAML does not allow or that pages cannot show, the
# byte order mark, and the characters YAML 1.1 takes for line breaks.
_UNREAD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:$| +(.*))")
_DOUBLE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)" *$')
_SINGLE = re.compile(r"'([^']*(?:''[^']*)*)' *$")
_FLOW = re.compile(r"\[([^\[\]{}\"'#:]*)\] *$")
_ESCAPE = re.compile(r"\\(?:([\"\\/nt])|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|)")
_ESCAPED = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t"}
# Characters that cannot open a plain value, or make it something else:
# indicators, and `-`, `?`, `:` (which can, before some characters; rare).
_NOT_PLAIN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in CORE12_RESOLVERS:
    for _char in _first:
        _RESOLVERS.setdefault(_char, []).append((_tag, re.compile(_pattern)))
_BOOLEANS = {"true": True, "false": False}
_MAX_DEPTH = 16  # entries are four levels deep; deeper documents go to PyYAML


class _Unread(Exception):
    """The document is not in the plain subset: PyYAML reads it."""


def read(text: str, file: str, line_offset: int = 0) -> Node | None:
    """The tree of a mapping in plain block YAML, as yamlsource.parse
    would give it with no diagnostics, or None where the text is anything
    else."""
    if not text.endswith("\n") or _UNREAD.search(text) is not None:
        return None
    try:
        return _Reader(text, file, line_offset).document()
    except _Unread:
        return None


class _Reader:
    """Lines and columns are 0-based, as PyYAML's marks are; `at` is the
    column a value starts at, `c` the column of the keys (or dashes) of the
    block it belongs to."""

    def __init__(self, text: str, file: str, line_offset: int):
        lines = text.split("\n")
        lines.pop()  # after the last line break
        self.lines = lines
        self.indents = indents = [len(line) - len(line.lstrip(" ")) for line in lines]
        # Whether a line holds a token: not blank, not a comment.
        self.tokens = [n < len(line) and line[n] != "#" for line, n in zip(lines, indents, strict=True)]
        self.end = len(lines)
        self.file = file
        self.offset = line_offset
        self.depth = 0

    def document(self) -> Node:
        i = self._next(0)
        if i == self.end or self.indents[i] != 0:
            raise _Unread
        node, i = self._mapping(i, 0)
        if i != self.end:
            raise _Unread
        return node

    def _next(self, i: int) -> int:
        """The first line from `i` on that holds a token, or the end."""
        tokens, end = self.tokens, self.end
        while i < end and not tokens[i]:
            i += 1
        return i

    def _after(self, i: int, c: int) -> tuple[int, int]:
        """The first line from `i` on that holds a token, and its
        indentation (the end, and 0): where the block whose keys or dashes
        stand at column `c` ends (PyYAML ends it there), unless the token
        stands at `c` too. One further in would continue a value, or be an
        error."""
        tokens, end = self.tokens, self.end
        while i < end and not tokens[i]:
            i += 1
        if i == end:
            return i, 0
        indent = self.indents[i]
        if indent > c:
            raise _Unread
        return i, indent

    def _loc(self, line: int, column: int, end_line: int, end_column: int) -> Location:
        return located(self.file, line + self.offset, column, end_line + self.offset, end_column)

    def _mapping(self, i: int, c: int) -> tuple[Node, int]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unread
        lines, file, offset = self.lines, self.file, self.offset
        first = i
        fields: dict[str, Field] = {}
        while True:
            line = lines[i]
            m = _KEY.match(line, c)
            if m is None:
                raise _Unread
            key, value = m.group(1, 2)
            if key in fields:
                raise _Unread  # PyYAML's reading reports it
            colon = m.end(1)
            row = i + 1 + offset
            if value and value[0] not in _NOT_PLAIN:  # the commonest value: plain text on its line
                value = value.rstrip(" ")
                if ": " in value or " #" in value or value[-1] == ":":
                    raise _Unread
                node = self._plain(value, i, m.start(2))
                i += 1
            elif value and value[0] in "\"'[":  # quoted, or a `[...]` list
                node = self._scalar(line, i, m.start(2))
                i += 1
            else:
                node, i = self._value(i, m.start(2) if value else len(line), c, colon + 1)
            fields[key] = _new(Field, (key, _new(Location, (file, row, c + 1, row, colon + 1)), node))
            i, indent = self._after(i, c)
            if i == self.end or indent < c:
                break
        self.depth -= 1
        return _new(Node, ("map", fields, self._loc(first, c, i, indent), False)), i

    def _sequence(self, i: int, c: int) -> tuple[Node, int]:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unread
        lines = self.lines
        first = i
        items: list[Node] = []
        while True:
            line = lines[i]
            at = c + 1
            if line[at : at + 1] != " ":
                raise _Unread  # '-' alone, or '-x'
            at += len(line) - at - len(line[at:].lstrip(" "))
            if at == len(line):
                raise _Unread  # an item on the lines below its dash
            if _KEY.match(line, at):
                node, i = self._mapping(i, at)
            else:
                node = self._scalar(line, i, at)
                i += 1
            items.append(node)
            i, indent = self._after(i, c)
            if i == self.end or indent < c or lines[i][c] != "-":
                break
        self.depth -= 1
        return _new(Node, ("seq", items, self._loc(first, c, i, indent), False)), i

    def _value(self, i: int, at: int, c: int, after_colon: int) -> tuple[Node, int]:
        """The value of a key on line `i` whose text (if any) starts at
        `at`, other than plain text; returns it and the line after it."""
        line = self.lines[i]
        if at == len(line):  # nothing after the colon: a block below, or null
            j = self._next(i + 1)
            if j < self.end:
                below = self.lines[j]
                indent = self.indents[j]
                dash = below[indent] == "-" and below[indent + 1 : indent + 2] in (" ", "")
                if indent > c:
                    return self._sequence(j, indent) if dash else self._mapping(j, indent)
                if indent == c and dash:  # a list at its key's column, as YAML allows
                    return self._sequence(j, indent)
            return _new(Node, ("null", None, self._loc(i, after_colon, i, after_colon), False)), i + 1
        if line[at] in "|>":
            return self._block(i, at, c)
        return self._scalar(line, i, at), i + 1

    def _scalar(self, line: str, i: int, at: int) -> Node:
        """A value that ends on its line: quoted, a `[...]` list, or plain."""
        first = line[at]
        if first == '"':
            m = _DOUBLE.match(line, at)
            if m is None:
                raise _Unread
            text = m.group(1)
            if "\\" in text:
                text = _ESCAPE.sub(_unescape, text)
                if UNSHOWABLE.search(text):  # yamlsource reports it
                    raise _Unread
            return _new(Node, ("str", text, self._loc(i, at, i, m.end(1) + 1), False))
        if first == "'":
            m = _SINGLE.match(line, at)
            if m is None:
                raise _Unread
            return _new(Node, ("str", m.group(1).replace("''", "'"), self._loc(i, at, i, m.end(1) + 1), False))
        if first == "[":
            m = _FLOW.match(line, at)
            if m is None:
                raise _Unread
            return _new(Node, ("seq", self._flow(m.group(1), i, at + 1), self._loc(i, at, i, m.end(1) + 1), False))
        value = line[at:].rstrip(" ")
        if first in _NOT_PLAIN or ": " in value or " #" in value or value[-1] == ":":
            raise _Unread
        return self._plain(value, i, at)

    def _plain(self, value: str, i: int, at: int) -> Node:
        row = i + 1 + self.offset
        loc = _new(Location, (self.file, row, at + 1, row, at + len(value) + 1))
        resolvers = _RESOLVERS.get(value[0])
        if resolvers is not None:
            for tag, pattern in resolvers:
                if pattern.match(value):
                    if tag == "int":
                        return _new(Node, ("int", core_int(value), loc, False))
                    if tag == "bool":
                        return _new(Node, ("bool", _BOOLEANS[value.lower()], loc, False))
                    if tag == "null":
                        return _new(Node, ("null", None, loc, False))
                    raise _Unread  # a float: PyYAML's reading of it is the one to keep
        return _new(Node, ("str", value, loc, False))

    def _flow(self, inside: str, i: int, at: int) -> list[Node]:
        """The items of `[a, b]`, whose text `inside` starts at column `at`."""
        if not inside.strip(" "):
            return []
        items = []
        for part in inside.split(","):
            value = part.strip(" ")
            if not value or value[0] in _NOT_PLAIN:
                raise _Unread  # `[a,]`, `[a,,b]`, or an indicator
            items.append(self._plain(value, i, at + len(part) - len(part.lstrip(" "))))
            at += len(part) + 1
        return items

    def _block(self, i: int, at: int, c: int) -> tuple[Node, int]:
        """A `|` or `>` text: its lines below, further in than `c`."""
        header = self.lines[i][at:].rstrip(" ")
        if header not in ("|", "|-", ">", ">-"):
            raise _Unread  # keep (+), an indentation digit, or a comment
        lines, indents, end = self.lines, self.indents, self.end
        j = i + 1
        if j == end or indents[j] == len(lines[j]):
            raise _Unread  # empty, or opening with blank lines
        indent = indents[j]
        if indent <= c:
            raise _Unread  # an empty text
        folded = header[0] == ">"
        kept: list[str] = []
        last = j  # the last line with text
        while j < end:
            line = lines[j]
            if indents[j] == len(line):  # blank
                if len(line) > indent:
                    raise _Unread  # spaces beyond the indentation are text
                kept.append("")
            elif indents[j] >= indent:
                text = line[indent:]
                if folded and text[0] == " ":
                    raise _Unread  # more-indented lines are not folded
                kept.append(text)
                last = j
            else:
                break
            j += 1
        kept = kept[: last - i]
        if folded:
            parts = [kept[0]]
            for previous, text in pairwise(kept):
                if text:
                    parts.append(text if not previous else " " + text)
                else:
                    parts.append("\n")
            value = "".join(parts)
        else:
            value = "\n".join(kept)
        if len(header) == 1:  # clip: the last line break is kept
            value += "\n"
        # PyYAML ends a text at the start of the line after it (a line less indented).
        return _new(Node, ("str", value, self._loc(i, at, j, 0), False)), j


def _unescape(m: re.Match[str]) -> str:
    simple, x, u, big = m.groups()
    if simple is not None:
        return _ESCAPED[simple]
    hexa = x or u or big
    if hexa is None or int(hexa, 16) > 0x10FFFF:
        raise _Unread  # an escape not read here, or not a character: PyYAML's reading says what it means
    return chr(int(hexa, 16))
