"""The JSON of the exports and of each check's ClaimReview is what
`json.dumps(data, ensure_ascii=False, separators=(",", ":"))` writes, byte
for byte (site/feeds.py writes it with msgspec)."""

from __future__ import annotations

import enum
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from factcheck.site import feeds
from factcheck.site.feeds import dumps, number

from .conftest import Desk


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


class _Shouting(str):
    def __str__(self) -> str:
        return self.upper()


def test_a_string_of_its_own_kind_is_written_by_its_characters_as_json_writes_it() -> None:
    data = {"label": _Shouting("quiet"), "big": 2**70, "list": (1, "x")}
    assert dumps(data) == _json(data)


def test_the_exports_hold_no_number_that_json_would_write_otherwise(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every float of the exports and of the ClaimReviews goes through
    `number`: the site made with json itself is the same, with a rating
    that msgspec alone would write as 0.00001."""
    config = sample_desk.config.read_text(encoding="utf-8")
    assert config.count("rating: 1\n") == 1
    sample_desk.config.write_text(config.replace("rating: 1\n", "rating: 1.0e-05\n"), encoding="utf-8")

    def built(name: str) -> dict[str, bytes]:
        shutil.rmtree(sample_desk.root / ".factcheck-cache", ignore_errors=True)
        assert sample_desk.run("build", "--jobs", "1", "--out", str(tmp_path / name)).code == 0
        return {
            str(path.relative_to(tmp_path / name)): path.read_bytes()
            for path in sorted((tmp_path / name).rglob("*"))
            if path.suffix in (".json", ".jsonld", ".html") and "pagefind" not in path.parts
        }

    ours = built("ours")
    assert any(b'"worstRating":1e-05' in data for data in ours.values())  # (each check's ClaimReview)
    monkeypatch.setattr(feeds, "dumps", _json)
    monkeypatch.setattr(feeds, "number", lambda value: value)
    assert built("json's") == ours
