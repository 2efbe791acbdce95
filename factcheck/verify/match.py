"""Finding a quote in a body, exactly as the spec's matching rules say.

Everything here works on normalized text and reports body offsets. A quote
that does not occur is never accepted: a failed build is better than a wrong
highlight.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .normalize import NormalizedText, normalize_quote

MAX_GAP = 300  # normalized characters allowed between the parts of an elided quote
_ELISION = re.compile(r"\s*\[\.\.\.\]\s*")  # `[…]` is `[...]` after NFKC


@dataclass(frozen=True)
class Found:
    """The one consistent occurrence: body span, and the parts of an elided quote."""

    start: int
    end: int
    parts: tuple[tuple[int, int], ...] = ()
    # An elision marker that leaves nothing out: readers would see a gap
    # marked where the article has none.
    hollow_elision: bool = False


@dataclass(frozen=True)
class Ambiguous:
    spans: tuple[tuple[int, int], ...]  # body spans of each consistent occurrence

    @property
    def starts(self) -> tuple[int, ...]:
        return tuple(s for s, _ in self.spans)


@dataclass(frozen=True)
class NotFound:
    pass


MatchResult = Found | Ambiguous | NotFound


def elision_parts(quote: str) -> list[str]:
    """The parts of a quote split at `[...]`/`[…]`, normalized. One part if none."""
    return split_at_elisions(normalize_quote(quote))


def split_at_elisions(normalized: str) -> list[str]:
    """`elision_parts` of a quote normalized already (normalize_quote)."""
    if "[...]" not in normalized:  # (most quotes: the pattern, which begins with a repeat, tries every character)
        return [normalized]
    return _ELISION.split(normalized)


def find_quote(
    body: NormalizedText,
    quote: str,
    prefix: str | None = None,
    suffix: str | None = None,
) -> MatchResult:
    text = body.text
    q = normalize_quote(quote)
    pre = normalize_quote(prefix) if prefix else ""
    suf = normalize_quote(suffix) if suffix else ""
    if not q:
        return NotFound()

    literal = [
        s
        for s in occurrences(text, q)
        if _fits(text, s, s + len(q), pre, suf) and body.on_boundary(s) and body.on_boundary(s + len(q))
    ]
    if len(literal) == 1:
        start, end = body.span_to_original(literal[0], literal[0] + len(q))
        return Found(start, end)
    if literal:
        return Ambiguous(tuple(body.span_to_original(s, s + len(q)) for s in literal))

    parts = split_at_elisions(q)
    if len(parts) < 2 or not all(parts):
        return NotFound()
    matches = list(_elided_matches(body, parts, pre, suf))
    if not matches:
        return NotFound()
    if len(matches) > 1:
        return Ambiguous(tuple(body.span_to_original(m[0][0], m[-1][1]) for m in matches))
    (match,) = matches
    hollow = any(text[e:s].strip(" ") == "" for (_, e), (s, _) in zip(match, match[1:], strict=False))
    spans = tuple(body.span_to_original(s, e) for s, e in match)
    return Found(spans[0][0], spans[-1][1], spans, hollow)


def occurrences(text: str, needle: str, start: int = 0, stop: int | None = None) -> Iterator[int]:
    """Every start position of needle in text[start:stop], overlapping ones too."""
    stop = len(text) if stop is None else stop
    i = text.find(needle, start, stop)
    while i != -1:
        yield i
        i = text.find(needle, i + 1, stop)


def _fits(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """Is the occurrence at [start, end) consistent with prefix and suffix?

    White space at the joints counts as in rule 3, so one collapsed space
    between prefix and quote (or quote and suffix) is allowed, never required.
    """
    if prefix:
        before = start - 1 if start > 0 and text[start - 1] == " " else start
        if not text.endswith(prefix, 0, before):
            return False
    if suffix:
        after = end + 1 if text[end : end + 1] == " " else end
        if not text.startswith(suffix, after):
            return False
    return True


def _elided_matches(
    body: NormalizedText, parts: list[str], prefix: str, suffix: str
) -> Iterator[list[tuple[int, int]]]:
    """One complete match (the leftmost completion) per distinct start."""
    text = body.text
    dead_ends: set[tuple[int, int]] = set()

    def whole(start: int, end: int) -> bool:
        return body.on_boundary(start) and body.on_boundary(end)

    def complete(i: int, prev_end: int) -> list[tuple[int, int]] | None:
        if i == len(parts):
            return [] if _fits(text, prev_end, prev_end, "", suffix) else None
        if (i, prev_end) in dead_ends:
            return None
        part = parts[i]
        window_end = min(len(text), prev_end + MAX_GAP + len(part))
        for s in occurrences(text, part, prev_end, window_end):
            if not whole(s, s + len(part)):
                continue
            rest = complete(i + 1, s + len(part))
            if rest is not None:
                return [(s, s + len(part)), *rest]
        dead_ends.add((i, prev_end))
        return None

    first = parts[0]
    for s in occurrences(text, first):
        if not _fits(text, s, s, prefix, "") or not whole(s, s + len(first)):
            continue
        rest = complete(1, s + len(first))
        if rest is not None:
            yield [(s, s + len(first)), *rest]
