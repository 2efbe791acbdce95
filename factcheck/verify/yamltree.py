"""The located tree a YAML document is read into, shared by the two readers
(yamlsource, through PyYAML; yamlplain, the plain block subset)."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..diagnostics import Location

TAG = "tag:yaml.org,2002:"

# The YAML 1.2 core schema's plain scalars, as editors' YAML language
# servers read them: `no`, `on` and `2016-12-05` are strings, only
# true/false are booleans, numbers are decimal, hexadecimal or octal.
# (tag, pattern, the characters a value of the tag can start with)
CORE12_RESOLVERS = (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
)


# The tree is tuples (NamedTuple): immutable as frozen dataclasses are, and
# made in a third of the time; an entry file holds some 45 nodes and fields,
# and a cold check of 10,000 entries made 450,000 of each.
class Node(NamedTuple):
    """A YAML value and where it stands. `kind` names its YAML type."""

    # str | int | float | bool | null | seq | map,
    # or rejected: a node already reported (a forbidden tag) and not to be reported again
    kind: str
    value: Scalar | list[Node] | dict[str, Field]
    loc: Location
    comment_follows: bool = False  # a plain scalar followed by ` # ...` on its line


class Field(NamedTuple):
    key: str
    key_loc: Location
    node: Node


Scalar = str | int | float | bool | None


# Characters no page can show: control characters (other than tab and line
# breaks) and halves of surrogate pairs, which YAML's \x and \u escapes can make.
UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

# Made without the Python-level __new__ NamedTuple gives them: a tree is
# some 90 tuples a document, and this halves their cost.
new = tuple.__new__


def located(file: str, line: int, column: int, end_line: int, end_column: int) -> Location:
    """Where a value stands, from its start and end as PyYAML's marks give
    them (0-based, the end just after the value). A value that ends at the
    start of a line (a block text, a block mapping) ends on the line before."""
    if end_column == 0 and end_line > line:
        return new(Location, (file, line + 1, column + 1, end_line, None))
    return new(Location, (file, line + 1, column + 1, end_line + 1, end_column + 1))


def core_int(text: str) -> int:
    """An integer of the YAML 1.2 core schema: 017 is seventeen, not octal."""
    return int(text, {"0x": 16, "0o": 8}.get(text[:2], 10))
