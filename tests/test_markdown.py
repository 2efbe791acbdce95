"""Markdown is markdown-it-py's: where markdown-it-pyrs renders a text
instead (site/markdown.py), it must give the very same HTML.

Every entry's Markdown of the sample desk and of a synthetic desk is
rendered both ways; generated texts of every kind of markup the two were
seen to disagree on are too; hostile texts that crash or stall the port go
to markdown-it-py.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.site import markdown
from factcheck.site.markdown import fast_path, render_markdown
from factcheck.verify.entries import load_entries

REPO = Path(__file__).resolve().parent.parent
_PY = markdown._MD.render

# Pieces of Markdown and prose, markup where the two renderers were seen to
# disagree among them (the last line), and unsafe links.
PIECES = [
    "*", "**", "_", "__", "[", "]", "(", ")", "](", "](http://a.b/c)", "](x y)", "](/path \"title\")", "![",
    "#", "# ", "## ", "- ", "* ", "+ ", "1. ", "2) ", "10. ", "\n", "\n\n", "   ", "  ", " ",
    '"', "'", "word", "Aleppo", "40%", "x", "é", "É", "—", "’", "“", "”", "«", "»", "ع", "مرحبا", "日本",
    "---", "===", "!", "?", ".", ",", ":", ";", "http://example.com", "www.x.org", "[^1]", "{", "}", "$", "@",
    "^", "=", "/", "ı", "ß", "\u0301", "١٢", "½", "‐", "…", "·", "¿", "§", "a_b_c", "snake_case", "2*3*4",
    "](javascript:alert(1))", "](JaVaScRiPt:x)", "](vbscript:x)", "](file:///etc/passwd)", "](data:text/html,x)",
    "](data:image/png;base64,AA)", "AT&T", "Q&A", "&", "  \n",
    "`", "``", "***", "___", "\\", "&amp;", "&bogus;", "&nbsp;", "](&nbsp;x)", "<http://x.y>", "<b>", ">", "~~~", "```",
    "|", "\t", "\r\n", "    ", "\u00a0", "\u200b", "£", "😀", "]: /url", "\\\n",
]  # fmt: skip


def texts_of_entries(checks: Path) -> list[str]:
    """The Markdown of every entry, as the build reads it: summaries,
    citations' notes, corrections' notes."""
    files, problems = load_entries(checks, checks.parent.parent)
    assert not problems and files and all(f.check is not None for f in files)
    texts = []
    for f in files:
        check = f.check
        assert check is not None
        texts += [check.summary, *(c.note for c in check.citations if c.note), *(c.note for c in check.corrections)]
    return texts


def test_markdown_it_pyrs_is_installed() -> None:
    """As requirements.txt pins it: without it every test below would pass
    by rendering everything with markdown-it-py."""
    assert markdown._FAST is not None


@pytest.mark.parametrize("desk", ["sample", "synthetic"])
def test_every_entry_renders_as_markdown_it_py_renders_it(desk: str, tmp_path: Path) -> None:
    if desk == "sample":
        checks = REPO / "content" / "checks"
    else:
        sys.path.insert(0, str(REPO / "bench"))
        from generate import generate

        generate(300, tmp_path / "desk")
        checks = tmp_path / "desk" / "content" / "checks"
    texts = texts_of_entries(checks)
    fast = [t for t in texts if fast_path(t)]
    assert len(fast) > 0.9 * len(texts)  # the comparison below is of the port, not of markdown-it-py with itself
    for text in texts:
        assert render_markdown(text) == _PY(text), text
    for text in fast:
        assert markdown._FAST.render(text) == _PY(text), text


# Prose as desks write it, in several languages, with the markup the port is given.
WORDS = (
    "the of Aleppo ceasefire vote Russia’s veto “draft” resolution, said. 40% 1,000 (UN) didn’t AT&T Q&A — – … "
    "é ع مرحبا 日本 l’ONU «oui» ¿qué? ¡sí! x2 a_b snake_case 3*4 http://example.com www.x.org"
).split()
MARKS = ["*", "**", "_", "__", "[", "](http://e.org/a)", "](/path)", "](#x)", "\n", "\n\n", "\n- ", "\n1. ", "\n## "]
MARKS += ["\n---\n", "  \n", " ", ". ", ", ", "(", ")", '"', "'", ":", ";", "!", "?", "#", "+", "-", "=", "$", "%", "/"]


def _markup(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))


def _prose(rng: random.Random) -> str:
    words = (rng.choice(WORDS) + (rng.choice(MARKS) if rng.random() < 0.5 else " ") for _ in range(rng.randint(1, 60)))
    return "".join(words)


SCHEMES = ["http://", "https://", "HTTP://", "mailto:", "ftp://", "", "", "javascript:", "//", "x:", "data:"]
HOSTS = ["example.org", "EXAMPLE.org", "ex-ample.co.uk", "a", "1.2.3.4", "日本.jp", "@example.com", "u:p@h.org"]
HOSTS += ["[::1]", "h.org:80", "h.org:99999", "-a-.org", "a..b", "", "localhost"]
PATHS = ["", "/", "/a/b/", "/a%20b", "/%E2%80%99", "/α", "/a?b=1&c=2", "#frag", "/a:b@c", "/a(b)", "/a'b", "/a*b*"]
PATHS += ["/a_b_", "/~u", "/a,b;c=d", "../x/", "a/b", "/%zz", "/ü", "/a b", "/[x]"]
TITLES = ["", "", ' "t"', " ''", ' ""', " (t)", " ()"]


def _link(rng: random.Random) -> str:
    destination = rng.choice(SCHEMES) + rng.choice(HOSTS) + rng.choice(PATHS)
    link = f"[{rng.choice(['a', 'the decree', '*em*', 'é'])}]({destination}{rng.choice(TITLES)})"
    return rng.choice(["", "See ", "- "]) + link + rng.choice(["", ".", " and [b](/c)."])


@pytest.mark.parametrize("make", [_markup, _prose, _link], ids=["markup", "prose", "links"])
def test_generated_texts_render_as_markdown_it_py_renders_them(make) -> None:  # type: ignore[no-untyped-def]
    """Seeded: thousands of them are given to the port, and all must come
    out as markdown-it-py's. (Larger runs of both, 1.2 million texts, found
    the last rules of site/markdown.py: `*` and `_` in one text, punctuation
    beside a delimiter.)"""
    rng = random.Random(13)
    given_to_port = 0
    for _ in range(12_000):
        text = make(rng)
        if fast_path(text):
            given_to_port += 1
        assert render_markdown(text) == _PY(text), repr(text)
    assert given_to_port > 500


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_any_text_renders_as_markdown_it_py_renders_it(text: str) -> None:
    assert render_markdown(text) == _PY(text)


@given(st.text(max_size=200))
def test_any_characters_render_as_markdown_it_py_renders_them(text: str) -> None:
    assert render_markdown(text) == _PY(text)


# Texts markdown-it-pyrs 0.4.0 renders otherwise than markdown-it-py (or
# panics on), from the CommonMark examples, markdown-it-py's fixtures and
# generated texts, and a review: at least one for most rules of
# site/markdown.py (none was found for `|`, tabs and control characters,
# 4-space indents or three lists opened on a line, routed away as risks).
DISAGREEMENTS = [
    ">\n",  # an empty block quote
    "*£*bravo.\n",  # emphasis beside a symbol
    '[foo]: /url "\nhello\n\\\n\\\n\\\nworld\n"\n\n[foo]\n',  # a reference's title
    "<http://example.com/α%CE%B2γ%CE%B4>\n",  # an autolink's text
    "a\u00a0",  # a non-breaking space, trimmed by markdown-it-py
    "- a\u00a0",
    "~~~\nx",  # a fence never closed
    "```\nx",
    "[``]",  # code spans in brackets: a panic
    "[a``b]",
    "![a   \nb](http://x)",  # an image's alt text: a line break,
    "![&copy;“](http://a.b/c)",  # an entity,
    "![a\\b](c)",  # an escape
    "[a](&nbsp;x)",  # an entity in a link's destination
    '10. )__10. # ___#![snake_case—…10. snake_case:١٢»2*3*4#__*1. "2*3*4http://example.com!',  # delimiter runs
    "**d_a_**_a_",  # `*` and `_`
    "**e_3*a**.*3*4",
    "**g_3*4**”*3*4",  # punctuation outside ASCII beside a delimiter
    "See [the decree](https://президент.рф/acts).",  # links: a host outside ASCII (punycode),
    "[a](mailto:a@bücher.de)",
    'See [a](https://example.org/r "").',  # an empty title,
    "[a](https://@example.com)",  # addresses parsed otherwise
    "[a](http://[::1]/)",
    "[a](x:[y])",
    "[a](http://javascript:_:80)",
]


def _port(text: str) -> str:
    try:
        return markdown._FAST.render(text)
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException
        return f"panic: {exc}"


@pytest.mark.parametrize("text", DISAGREEMENTS)
def test_what_the_two_render_differently_goes_to_markdown_it_py(text: str) -> None:
    # If the port renders one of these as markdown-it-py does, a new version
    # mended it: the rule that keeps it away may be loosened, with this list.
    assert _port(text) != _PY(text)
    assert not fast_path(text)
    assert render_markdown(text) == _PY(text)


@pytest.mark.parametrize(
    "text",
    [
        "- " * 50_000 + "a",  # nested lists: a stack overflow in the port (the process dies)
        "1. " * 50_000 + "a",
        "> " * 100_000 + "a",  # nested quotes
        "*a " * 30_000 + " a*" * 30_000,  # nested emphasis: quadratic in the port
        "x `y` z [`a`](b)",  # code spans: the port panics on some
    ],
    ids=["lists", "numbered", "quotes", "emphasis", "code"],
)
def test_what_crashes_or_stalls_the_port_is_not_given_to_it(text: str) -> None:
    assert not fast_path(text)
    assert render_markdown(text) == _PY(text)


def test_a_panic_in_the_port_leaves_the_text_to_markdown_it_py(monkeypatch: pytest.MonkeyPatch) -> None:
    class Panic(BaseException):  # as pyo3's PanicException is
        pass

    class Failing:
        def render(self, text: str) -> str:
            raise Panic("index out of bounds")

    monkeypatch.setattr(markdown, "_FAST", Failing())
    assert render_markdown("plain *text*") == "<p>plain <em>text</em></p>\n"


def test_without_the_port_markdown_it_py_renders_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "_FAST", None)
    assert render_markdown("a [link](http://a.b/)") == '<p>a <a href="http://a.b/">link</a></p>\n'
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"
