"""The located tree a YAML document is read into, shared by the two readers
(yamlsource, through PyYAML; yamlplain, the plain block subset)."""

from __future__ import annotations

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
