"""The JSON of the exports and of each check's ClaimReview is what
`json.dumps(data, ensure_ascii=False, separators=(",", ":"))` writes, byte
for byte (site/feeds.py writes it with msgspec)."""

from __future__ import annotations

import enum
import json

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from factcheck.site.feeds import dumps, number


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_every_character_is_written_as_json_writes_it() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert dumps(every) == _json(every)
    assert dumps({every: [every]}) == _json({every: [every]})


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_what_the_exports_hold_is_written_as_json_writes_it(data: object) -> None:
    assert dumps(data) == _json(data)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_a_number_is_written_as_json_writes_it(value: float) -> None:
    # (msgspec alone writes 1e-05 as 0.00001, and NaN as null)
    assert dumps({"rating": number(value)}) == _json({"rating": value})


class _Level(enum.IntEnum):
    HIGH = 3


class _Label(str):
    pass


def test_strings_and_numbers_of_other_kinds_are_written_as_json_writes_them() -> None:
    data = {"label": Markup("<b>True</b>"), "own": _Label("x"), "level": _Level.HIGH, "flag": True}
    assert dumps(data) == _json(data)
