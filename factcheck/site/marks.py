"""Cutting an article body into paragraphs and marked segments.

On an article page every cited character sits in a `<mark>` listing each
citation that covers it; where citations overlap the text is split into
segments, never nested marks. Readers see the body's own characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

_LINE = re.compile(r"[^\r\n]+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")
_CLOSING = tuple(".!?…\"'”’)]")


@dataclass(frozen=True)
class Cite:
    """One highlighted span of a citation on its article: `key` is `<check>/<index>`."""

    key: str
    anchor: str  # the element id of the citation's first mark: `<check>-<index>`
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    text: str
    cites: tuple[str, ...] = ()  # keys covering it; empty for unmarked text
    anchors: tuple[str, ...] = ()  # citations whose first mark this is


@dataclass(frozen=True)
class Paragraph:
    start: int
    segments: tuple[Segment, ...]
    page: int | None = None  # a document's page that begins in this paragraph (shown before it)


def with_pages(found: list[Paragraph], pages: tuple[int, ...] | None) -> list[Paragraph]:
    """Mark the paragraph in which each page of a document after the first
    begins (a sentence may run on over the page break). A page with no text
    is not marked: it starts where the next page does (or, at the end, where
    the text ends), and the text there is the next page's, as page_of says."""
    if not pages or len(pages) < 2 or not found:
        return found
    last = found[-1]
    text_end = last.start + sum(len(s.text) for s in last.segments)

    def blank(page: int) -> bool:  # page: 1 for the first
        start = pages[page - 1]
        return pages[page] == start if page < len(pages) else start >= text_end

    marked = []
    begun = 1  # pages begun so far
    for i, paragraph in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else None
        first = None
        while begun < len(pages) and (end is None or pages[begun] < end):
            begun += 1
            if first is None and not blank(begun):
                first = begun
        marked.append(replace(paragraph, page=first) if first else paragraph)
    return marked


def paragraphs(body: str, cites: Sequence[Cite]) -> list[Paragraph]:
    """Every non-empty line of the body is a paragraph (the archived texts
    use a line per paragraph, with or without blank lines between)."""
    cuts = sorted({c.start for c in cites} | {c.end for c in cites})
    first_mark: dict[str, int] = {}
    out = []
    for m in _LINE.finditer(body):
        if not m.group().strip():
            continue
        segments = _segments(body, m.start(), m.end(), cuts, cites, first_mark)
        out.append(Paragraph(m.start(), tuple(segments)))
    return out


def _segments(
    body: str, lo: int, hi: int, cuts: list[int], cites: Sequence[Cite], first_mark: dict[str, int]
) -> list[Segment]:
    points = [lo, *(c for c in cuts if lo < c < hi), hi]
    segments = []
    for a, b in zip(points, points[1:], strict=False):
        covering = tuple(c for c in cites if c.start <= a and b <= c.end)
        keys = tuple(sorted({c.key for c in covering}))
        anchors = []
        for c in covering:
            if c.key not in first_mark:
                first_mark[c.key] = a
                anchors.append(c.anchor)
        segments.append(Segment(body[a:b], keys, tuple(anchors)))
    return _merge(segments)


def _merge(segments: Iterable[Segment]) -> list[Segment]:
    """Join neighbours covered by the same citations (and not starting one)."""
    merged: list[Segment] = []
    for s in segments:
        if merged and merged[-1].cites == s.cites and not s.anchors:
            last = merged[-1]
            merged[-1] = Segment(last.text + s.text, last.cites, last.anchors)
        else:
            merged.append(s)
    return merged


@dataclass(frozen=True)
class Excerpt:
    """A quote in its surrounding sentence: `pieces` alternate context and
    quoted parts; `kind` is "context", "quote" or "gap" (text the editor left out)."""

    pieces: tuple[tuple[str, str], ...]
    cut_before: bool
    cut_after: bool


def excerpt(body: str, spans: Sequence[tuple[int, int]], reach: int = 240) -> Excerpt:
    start, end = spans[0][0], spans[-1][1]
    lo = _sentence_start(body, start, reach)
    hi = _sentence_end(body, end, reach)
    pieces: list[tuple[str, str]] = []
    if lo < start:
        pieces.append(("context", body[lo:start]))
    for i, (s, e) in enumerate(spans):
        if i:
            pieces.append(("gap", body[spans[i - 1][1] : s]))
        pieces.append(("quote", body[s:e]))
    if end < hi:
        pieces.append(("context", body[end:hi]))
    cut_before = lo > 0 and not _at_line_start(body, lo) and not _SENTENCE_END.search(body, max(0, lo - 4), lo)
    cut_after = hi < len(body) and body[hi] not in "\r\n" and body[hi - 1 : hi] not in _CLOSING
    return Excerpt(tuple(pieces), cut_before, cut_after)


def _sentence_start(body: str, pos: int, reach: int) -> int:
    line_start = body.rfind("\n", 0, pos) + 1
    floor = max(line_start, pos - reach)
    best = None
    for m in _SENTENCE_END.finditer(body, floor, pos):
        best = m.end()
    if best is not None:
        return best
    if floor == line_start:
        return line_start
    space = body.find(" ", floor, pos)  # a long sentence: start at a word
    return space + 1 if space != -1 else pos


def _sentence_end(body: str, pos: int, reach: int) -> int:
    line_end = body.find("\n", pos)
    line_end = len(body) if line_end == -1 else line_end
    ceiling = min(line_end, pos + reach)
    m = _SENTENCE_END.search(body, pos, min(len(body), ceiling + 1))
    if m:
        return m.end() - 1
    if ceiling == line_end:
        return line_end - 1 if body[line_end - 1 : line_end] == "\r" else line_end
    space = body.rfind(" ", pos, ceiling)
    return space if space != -1 else pos


def _at_line_start(body: str, pos: int) -> bool:
    return pos == 0 or body[pos - 1] == "\n"
