"""The archived text is what the page showed its readers, white space aside.

trafilatura's own text output adds characters the page never showed ('- '
before list items, '| ' between cells, '#' in Markdown); we convert its tree
ourselves. These tests hold the result to the page: every word of the body
is a run of characters the page shows (nothing invented, no two blocks run
together into one word), and every paragraph, white space aside, is a
stretch of the page's text (nothing left out in the middle of it).

Run over the saved pages in fixtures/import/, the pages of a WARC capture,
and, where ../shared/extraction/ is beside the checkout, a sample of those
real news pages.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import lxml.html
import pytest

from factcheck.editor.archive import extract
from factcheck.editor.htmlpage import decode

from .conftest import REPO
from .test_import import PAGES

# Elements that start a new line of text as a browser lays it out.
_BLOCK = set(
    "address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section table td th tr ul caption tbody thead "
    "tfoot option body html".split()
)
_HIDDEN = ("script", "style", "noscript", "template", "head")
SHARED = REPO.parent / "shared" / "extraction" / "html"


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: block elements on lines of their own, inline markup joined."""
    root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html))
    out: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else None  # comments and processing instructions: no text
        if tag in _HIDDEN:
            pass
        elif tag is not None:
            if tag in _BLOCK:
                out.append("\n")
            out.append(el.text or "")
            for child in el:
                walk(child)
            if tag in _BLOCK:
                out.append("\n")
        out.append(el.tail or "")

    walk(root)
    return "".join(out)


def assert_faithful(data: bytes, name: str) -> int:
    page = extract(data)
    shown = visible_text(decode(data).text).replace("\u00ad", "")
    spaced = " ".join(shown.split())
    packed = re.sub(r"\s+", "", shown)
    for paragraph in page.paragraphs:
        for word in paragraph.split():
            assert word in spaced, f"{name}: {word!r} is not a run of the page's characters"
        assert re.sub(r"\s+", "", paragraph) in packed, f"{name}: not a stretch of the page's text: {paragraph!r}"
    return len(page.paragraphs)


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.html")), ids=lambda p: p.name)
def test_fixture_pages(path: Path) -> None:
    assert assert_faithful(path.read_bytes(), path.name) > 0


def test_pages_of_a_warc_capture(tmp_path: Path) -> None:
    from factcheck.editor.warc import html_captures

    from .test_import_warc import write_capture

    capture = tmp_path / "capture.warc.gz"
    write_capture(capture, compress=True, pages=2)
    pages = html_captures(capture)
    assert len(pages) == 2
    for page in pages:
        assert assert_faithful(page.payload, page.url) > 0


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/extraction/ is not beside the checkout")
def test_real_news_pages() -> None:
    # Every third page keeps this to a couple of seconds; bench/extraction.py reads them all.
    pages = sorted(SHARED.glob("*.html.gz"))[::3]
    assert pages
    for path in pages:
        assert_faithful(gzip.open(path).read(), path.name)
