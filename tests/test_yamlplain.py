"""Plain block YAML is read line by line (verify/yamlplain.py) into the
very tree, values and locations PyYAML's reading gives, or left to PyYAML.

Every entry, front matter and settings file of the sample desk and of a
synthetic desk is read both ways; so are generated documents of every
construction the reader takes, with the near misses it must leave alone,
and those documents with random slips in them.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.verify import yamlplain
from factcheck.verify.corpus import split_front_matter
from factcheck.verify.yamlsource import Node, parse, parse_with_pyyaml

REPO = Path(__file__).resolve().parent.parent


def shape(node: Node) -> object:
    """All a node holds, in order (a dict's == ignores the order of keys)."""
    if node.kind == "map":
        assert isinstance(node.value, dict)
        return ("map", node.loc, [(k, f.key, f.key_loc, shape(f.node)) for k, f in node.value.items()])
    if node.kind == "seq":
        assert isinstance(node.value, list)
        return ("seq", node.loc, [shape(item) for item in node.value])
    return (node.kind, node.value, node.loc, node.comment_follows)


def read_both(text: str, line_offset: int = 0) -> bool:
    """Whether the plain reader took the text; where it did, it must give
    what PyYAML's reading gives, which must have found nothing wrong."""
    plain = yamlplain.read(text, "f.yaml", line_offset)
    if plain is None:
        return False
    want, problems = parse_with_pyyaml(text, "f.yaml", line_offset)
    assert problems == [], text
    assert want is not None, text
    assert shape(plain) == shape(want), text
    return True


def desk_texts(root: Path) -> list[tuple[str, int]]:
    """(YAML, line offset) of a desk's entries, and its articles' and pages' front matter."""
    texts = [(p.read_text(encoding="utf-8"), 0) for p in sorted((root / "content" / "checks").glob("*.y*ml"))]
    for folder, pattern in (("articles", "*.txt"), ("pages", "*.md")):
        for p in sorted((root / "content" / folder).glob(pattern)):
            front, _, _, problem = split_front_matter(p.read_text(encoding="utf-8"))
            assert problem is None
            if front:
                texts.append((front, 1))
    return texts


@pytest.mark.parametrize("desk", ["sample", "synthetic"])
def test_every_file_of_a_desk_reads_as_pyyaml_reads_it(desk: str, tmp_path: Path) -> None:
    if desk == "sample":
        root = REPO
    else:
        sys.path.insert(0, str(REPO / "bench"))
        from generate import generate

        generate(300, tmp_path / "desk")
        root = tmp_path / "desk"
    texts = desk_texts(root)
    taken = [read_both(text, offset) for text, offset in texts]
    assert len(texts) > 20
    assert all(taken)  # desks are written in the plain subset: the comparison is of the reader
    read_both((root / "config.yaml").read_text(encoding="utf-8"))  # the sample's has comments after values


# --- generated documents -----------------------------------------------------

PLAIN = [
    "Aleppo", "two words", "a  b", "12", "0x1F", "0o7", "017", "-3", "+4", "1.5", ".5", "1e3", ".inf", ".NaN",
    "true", "False", "TRUE", "tRue", "no", "on", "~", "null", "Null", "NULL", "nul", "2016-12-05", "12:30",
    "a:b", "a #b", "a# b", "a#b", "http://x.y/z?q=1#f", "x:", "a: b", "é’“”", "مرحبا", "50%", "日本", "😀",
    "#x", "- x", "-x", "?x", ":x", "*x", "&x", "!x", "!!str x", "%x", "@x", "`x", "[a]", "{a}", "a,b", "a, b",
    "'q'", '"q"', "a'b", 'a"b', "...", "---", "|", ">", "\u00a0x", "x\u00a0", "a\\b", "AT&T", "a]b", "a}b",
]  # fmt: skip
QUOTED = [
    "", " ", "plain", "a: b", "a #b", "’", "مرحبا", '\\"', "\\\\", "\\n", "\\t", "\\u2013", "\\x41", "\\x85",
    "\\ud800", "\\U0001F600", "\\/", "\\N", "\\e", "\\0", "\\ ", "\\", "'", "''", '"', "#", "\\u00", "  two  ",
]  # fmt: skip
KEYS = ["claim", "a", "b_c", "x-y", "k9", "_k", "note", "Key", "tags", "1", "a b", "é", "-k", "k:"]
BLOCK_LINES = ["text", "more text", "# heading", "- item", "key: value", "a  b", "’quoted’", "  indented", ""]
HEADERS = ["|", "|-", ">", ">-", "|+", "|2", "| # c", ">+", "|  "]


def _pick(rng: random.Random, choices: list[str], usual: int) -> str:
    """Mostly one of the first `usual` choices (what the reader takes), now and then any."""
    return rng.choice(choices[:usual] if rng.random() < 0.85 else choices)


def _quoted(rng: random.Random) -> str:
    body = "".join(_pick(rng, QUOTED, 14) for _ in range(rng.randint(0, 4)))
    if rng.random() < 0.6:
        return '"' + body + '"'
    return "'" + body.replace("'", rng.choice(["''", "'"])) + "'"


def _flow(rng: random.Random) -> str:
    items = [_pick(rng, PLAIN[:40], 13) for _ in range(rng.randint(0, 4))]
    sep = rng.choice([", ", ",", " , ", ",  "])
    inside = sep.join(items)
    if rng.random() < 0.03:
        inside += ","
    return "[" + rng.choice(["", " "]) + inside + rng.choice(["", " "]) + "]"


def _block(rng: random.Random, indent: int) -> list[str]:
    step = indent + rng.choice([1, 2, 2, 4])
    if rng.random() < 0.05:
        step = max(indent - 1, 0)
    lines = [_pick(rng, HEADERS, 4)]
    for _ in range(rng.randint(1, 5)):
        text = rng.choice(BLOCK_LINES)
        if not text:
            lines.append(" " * rng.choice([0, 0, 0, step, step + 1]))
        else:
            lines.append(" " * step + text + rng.choice(["", "", "", " "]))
    return lines


def _value(rng: random.Random, indent: int, depth: int) -> tuple[str, list[str]]:
    """(the text after `key: `, the lines below it)."""
    pick = rng.random()
    if pick < 0.3:
        return _pick(rng, PLAIN, 30), []
    if pick < 0.5:
        return _quoted(rng), []
    if pick < 0.58:
        return _flow(rng), []
    if pick < 0.7:
        block = _block(rng, indent)
        return block[0], block[1:]
    if pick < 0.75 or depth > 3:
        return "", []
    if pick < 0.85:
        return "", _mapping(rng, indent + rng.choice([1, 2, 2, 4]), depth + 1)
    return "", _sequence(rng, indent + rng.choice([0, 0, 2, 2, 3]), depth + 1)


def _mapping(rng: random.Random, indent: int, depth: int, first_prefix: str | None = None) -> list[str]:
    lines: list[str] = []
    keys = rng.sample(KEYS[:9], rng.randint(1, 4)) if rng.random() < 0.9 else rng.choices(KEYS, k=3)
    for n, key in enumerate(keys):
        after, below = _value(rng, indent, depth)
        colon = rng.choice([": ", ": ", ":  "]) if after else rng.choice([":", ":", ": "])
        prefix = first_prefix if n == 0 and first_prefix is not None else " " * indent
        lines.append(prefix + key + colon + after + _pick(rng, ["", " ", " # c"], 2))
        lines += below
        if rng.random() < 0.05:
            lines.append(" " * rng.choice([0, indent, indent + 2]) + rng.choice(["", "# comment", "#"]))
    return lines


def _sequence(rng: random.Random, indent: int, depth: int) -> list[str]:
    lines: list[str] = []
    for _ in range(rng.randint(1, 3)):
        dash = " " * indent + "-" + _pick(rng, [" ", "  ", ""], 2)
        pick = rng.random()
        if pick < 0.6 and depth <= 3:
            lines += _mapping(rng, indent + len(dash) - indent, depth + 1, first_prefix=dash)
        elif pick < 0.8:
            lines.append(dash + _pick(rng, PLAIN, 30))
        elif pick < 0.9:
            lines.append(dash + _quoted(rng))
        else:
            lines.append(dash + _flow(rng))
    return lines


def document(rng: random.Random) -> str:
    lines = _mapping(rng, 0, 0)
    if rng.random() < 0.2:
        lines.insert(0, "# yaml-language-server: $schema=x.json")
    text = "\n".join(lines)
    return text + _pick(rng, ["\n", "\n\n", "\n# end\n", "", "\n  "], 3)


SLIPS = [" ", "  ", "\n", "-", ":", ": ", "#", " #", '"', "'", "|", ">", "[", "]", ",", "\\", "a", "\t", "{", "&", "*"]


def slipped(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.5 and at < len(text):
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + rng.choice(SLIPS) + text[at:]
    return text


def test_generated_documents_read_as_pyyaml_reads_them() -> None:
    rng = random.Random(13)
    taken = 0
    total = 20000
    for _ in range(total):
        taken += read_both(document(rng), rng.choice([0, 0, 1]))
    # Enough of them are in the subset for the comparison to be a test.
    assert taken > total // 5, taken


def test_documents_with_slips_read_as_pyyaml_reads_them_or_go_to_it() -> None:
    rng = random.Random(31)
    taken = 0
    total = 20000
    for _ in range(total):
        taken += read_both(slipped(rng, document(rng)))
    assert taken > total // 10, taken


LINES = [
    "a: 1", "b: x", "c:", "  d: y", "  - e", "- f", "  - g: h", "    i: j", "k: |", "  text", "   more", "",
    "  ", "# c", "  # c", "l: [m, n]", 'o: "p\\"q"', "r: 's''t'", "u: >-", "    v", "w: ~", "x: -y", "z: true",
]  # fmt: skip


@settings(deadline=None, max_examples=400)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=12), st.sampled_from(["\n", ""]))
def test_documents_made_of_any_lines_read_as_pyyaml_reads_them(lines: list[str], end: str) -> None:
    read_both("\n".join(lines) + end)


# --- what is left to PyYAML ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a key given twice: PyYAML's reading reports it
        "a: 1",  # no final line break
        "a: b # a comment after a value\n",
        "a: &x b\n",
        "a: !!str b\n",
        "a: 1.5\n",
        "a: first line\n  and its continuation\n",
        'a: "quoted over\n  two lines"\n',
        "a:\tb\n",
        "a: b\r\n",
        "\ufeffa: b\n",
        "a: |+\n  kept\n\n",
        "a: |\n\n  opens blank\n",
        'a: "\\x85"\n',
        "---\na: b\n",
        "- a\n",
        "a: {b: c}\n",
        "? a\n: b\n",
        "",
        "# only a comment\n",
    ],
)
def test_what_the_plain_reader_leaves_to_pyyaml(text: str) -> None:
    assert yamlplain.read(text, "f.yaml") is None
    assert parse(text, "f.yaml") == parse_with_pyyaml(text, "f.yaml")


def test_an_entry_with_a_duplicate_key_is_reported_by_pyyaml_as_before() -> None:
    node, problems = parse("claim: x\nverdict: false\nclaim: y\n", "c.yaml")
    assert [(p.code, p.line, p.column) for p in problems] == [("duplicate-key", 3, 1)]
    assert node is not None and node.value["claim"].node.value == "x"  # type: ignore[union-attr]


def test_locations_are_where_the_values_stand() -> None:
    """Written out, as PyYAML's marks give them (both readers make locations
    with one rule, yamltree.located, so comparing them cannot find a fault
    in it): a value that ends at the start of a line (a `|` text, a block
    mapping or list) ends on the line before, with no end column."""
    text = "a: 1\nb: |\n  x\n  y\n\nc:\n  - d: e\n    f: 'g'\n  - h\nz: [p, q]\n"
    for read in (lambda: yamlplain.read(text, "f.yaml"), lambda: parse_with_pyyaml(text, "f.yaml")[0]):
        root = read()
        assert root is not None
        fields = root.value
        assert isinstance(fields, dict)
        where = {
            "root": root.loc,
            "a key": fields["a"].key_loc,
            "b": fields["b"].node.loc,
            "c": fields["c"].node.loc,
            "c item 1": fields["c"].node.value[0].loc,  # type: ignore[index]
            "f": fields["c"].node.value[0].value["f"].node.loc,  # type: ignore[index]
            "z": fields["z"].node.loc,
            "z item 2": fields["z"].node.value[1].loc,  # type: ignore[index]
        }
        assert {k: tuple(loc)[1:] for k, loc in where.items()} == {
            "root": (1, 1, 10, None),
            "a key": (1, 1, 1, 2),
            "b": (2, 4, 5, None),
            "c": (7, 3, 9, None),
            "c item 1": (7, 5, 9, 3),
            "f": (8, 8, 8, 11),
            "z": (10, 4, 10, 10),
            "z item 2": (10, 8, 10, 9),
        }
