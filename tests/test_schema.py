"""The shipped JSON Schema and the loader must never disagree about an entry."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.diagnostics import Diagnostic
from factcheck.verify.entries import read_entry
from factcheck.verify.schema import entry_schema
from factcheck.verify.yamlsource import Node, parse

from .conftest import FIXTURES, REPO

SCHEMA_FILE = REPO / "schema" / "check.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads(SCHEMA_FILE.read_text(encoding="utf-8")),
    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
)
SCHEMA_CODES = {"schema", "unknown-field"}


def test_shipped_schema_is_the_generated_one() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == entry_schema(), "run: python -m factcheck.verify.schema > schema/check.schema.json"


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(entry_schema())


def test_every_sample_entry_points_editors_at_the_schema() -> None:
    for path in sorted((REPO / "content" / "checks").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/check.schema.json", path.name
    settings_file = REPO / ".vscode" / "settings.json"
    assert "schema/check.schema.json" in settings_file.read_text(encoding="utf-8")


def as_json(node: Node) -> object:
    """The entry as the YAML language server sees it, for the JSON Schema."""
    if node.kind == "map":
        return {k: as_json(f.node) for k, f in node.value.items()}  # type: ignore[union-attr]
    if node.kind == "seq":
        return [as_json(n) for n in node.value]  # type: ignore[union-attr]
    return node.value


def verdicts(text: str) -> tuple[bool, bool]:
    """(loader accepts the fields, schema accepts them) for one YAML entry."""
    node, problems = parse(text, "entry.yaml")
    assert node is not None and not problems
    diagnostics: list[Diagnostic] = []
    read_entry(node, diagnostics)
    loader_ok = not any(d.code in SCHEMA_CODES for d in diagnostics)
    schema_ok = VALIDATOR.is_valid(as_json(node))
    return loader_ok, schema_ok


def _parses_cleanly(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    node, problems = parse(text, path.name)
    return node is not None and not problems


AGREEMENT_CASES = [
    p
    for p in sorted((FIXTURES / "entries").glob("*.yaml")) + sorted((REPO / "content" / "checks").glob("*.yaml"))
    if _parses_cleanly(p)
]


@pytest.mark.parametrize("path", AGREEMENT_CASES, ids=[p.stem for p in AGREEMENT_CASES])
def test_loader_and_schema_agree_on_fixtures(path: Path) -> None:
    loader_ok, schema_ok = verdicts(path.read_text(encoding="utf-8"))
    assert loader_ok == schema_ok


# Values of every shape a field might be given.
VALUES = st.sampled_from(
    [
        "plain text",
        "",
        "  ",
        "2016-12-05",
        "20161205",
        "5 December 2016",
        "bad id!",
        "cnn-2016-12-05",
        "claim",
        "supports",
        "suports",
        "[...] leading elision",
        "middle [...] elision",
        "trailing […]",
        "two [...] […] markers",
        "!!int 3",
        7,
        1.5,
        True,
        None,
        dt.date(2016, 12, 5),
        ["a", "b"],
        [],
        [3],
        {"nested": "map"},
    ]
)


VALID_ENTRY: dict[str, object] = {
    "claim": "The draft was sponsored by Egypt, New Zealand and Spain.",
    "claimant": "Middle East Eye",
    "claim_date": dt.date(2016, 12, 6),
    "verdict": "accurate",
    "summary": "All outlets agree.",
    "published": dt.date(2026, 11, 5),
    "updated": dt.date(2026, 11, 6),
    "author": "Mara Lindqvist",
    "tags": ["un-security-council"],
    "corrections": [{"date": dt.date(2026, 11, 6), "note": "Fixed a name."}],
    "citations": [
        {
            "article": "middleeasteye-2016-12-06",
            "quote": "drawn up by Egypt",
            "prefix": "resolution -",
            "suffix": ", New Zealand",
            "stance": "supports",
            "note": "Names all three.",
        }
    ],
}
PATHS = (
    [(name,) for name in VALID_ENTRY]
    + [("citations", 0, name) for name in VALID_ENTRY["citations"][0]]
    + [  # type: ignore[index]
        ("corrections", 0, name) for name in ("date", "note")
    ]
)


def _ours(entry: dict[str, object]) -> list[object]:
    """The containers of the valid entry's own copy: never change a shared example value."""
    found: list[object] = [entry]
    for value in entry.values():
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, dict))
    return found


@st.composite
def entries(draw: st.DrawFn) -> dict[str, object]:
    """A valid entry with one to three things changed: a field dropped, an
    unknown field added, or a value replaced by one of another shape."""
    entry = copy.deepcopy(VALID_ENTRY)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: object = entry
        try:
            for step in path[:-1]:
                parent = parent[step]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed what this one would change
        if not isinstance(parent, dict) or parent not in _ours(entry):
            continue
        action = draw(st.sampled_from(["drop", "replace", "replace", "add-unknown"]))
        if action == "drop":
            parent.pop(path[-1], None)
        elif action == "add-unknown":
            parent[path[-1] + "s"] = "x"
        else:
            parent[path[-1]] = copy.deepcopy(draw(VALUES))
    return entry


@settings(deadline=None)
@given(entries())
def test_loader_and_schema_agree_on_generated_entries(entry: dict[str, object]) -> None:
    text = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
    loader_ok, schema_ok = verdicts(text)
    assert loader_ok == schema_ok, text


def test_the_fast_loader_resolves_plain_scalars_as_the_core_schema_loader_does() -> None:
    """The C loader's `resolve`, cut down for speed, gives every value the
    tag the pure-Python loader gives it."""
    from factcheck.verify import yamlsource

    if yamlsource._FastLoader is None:
        pytest.skip("PyYAML without libyaml")
    # What the cut-down resolver, and descend_resolver doing nothing, rely on.
    assert not yamlsource._FastLoader.yaml_path_resolvers
    assert None not in yamlsource._FastLoader.yaml_implicit_resolvers
    values = [
        "",
        "~",
        "null",
        "Null",
        "true",
        "False",
        "no",
        "on",
        "017",
        "0x1F",
        "0o7",
        "-3",
        "+4",
        "1.5",
        ".5",
        "1e3",
        "-.inf",
        ".NaN",
        "2016-12-05",
        "12:30",
        "abc",
        "#",
        "- x",
        "1_000",
        "0b1",
        "TRUE",
        "nULL",
    ]
    for value in values:
        for implicit in ((True, False), (False, True), (False, False)):
            fast = yamlsource._FastLoader("").resolve(yaml.ScalarNode, value, implicit)
            slow = yamlsource._Core12Loader("").resolve(yaml.ScalarNode, value, implicit)
            assert fast == slow, (value, implicit)
    for kind in (yaml.SequenceNode, yaml.MappingNode):
        assert yamlsource._FastLoader("").resolve(kind, None, (True, False)) == yamlsource._Core12Loader("").resolve(
            kind, None, (True, False)
        )
