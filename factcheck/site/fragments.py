"""Text fragment links (`#:~:text=`) into the original article.

Browsers scroll to and highlight the quoted words. The fragment is written
in the article's own characters; `-`, `&` and `,` are percent-encoded since
they are the directive's own syntax. Where the start of the quote occurs
more than once in the article, words before and after pick the occurrence.

An article's words are joined once (`Words`) for the fragments of all its
citations, each of which then looks at the places where its text occurs.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_WORDS = re.compile(r"\S+")
_EDGES = re.compile(r"^\W+|\W+$")
_LONG = 80  # characters: longer quotes use the textStart,textEnd form
_EDGE_WORDS = 4
_CONTEXT_WORDS = 3


class Words:
    """An article body's words joined by single spaces (`flat`), made once
    for the fragments of every citation of the article."""

    def __init__(self, body: str):
        self.body = body
        # str.split() and the pattern \S+ part words at the same characters
        # (Unicode white space); the split is three times as fast.
        self.flat = " ".join(body.split())

    def occurs_more_than_once(self, text: str) -> bool:
        """Does `text` (words joined by single spaces) occur twice or more in
        the body's words, beginning inside a word whose core (the word
        without the punctuation around it) is that of its first word?
        (Browsers match a fragment at word boundaries.) Each place the text
        occurs is found by `str.find`, and its word looked at: an index of
        every word's core cost 0.5 ms an article of 5 KB, a hundred times
        what the look at a quote's few occurrences costs."""
        flat = self.flat
        first = text.split(" ", 1)[0]
        core = _core(first)
        if not core:
            return flat.count(text) > 1
        seen = 0
        at = flat.find(text)
        while at != -1:
            start = flat.rfind(" ", 0, at) + 1
            end = flat.find(" ", at)
            if _core(flat[start : end if end != -1 else len(flat)]) == core:
                seen += 1
                if seen > 1:
                    return True
            at = flat.find(text, at + 1)
        return False

    def before(self, start: int) -> str:
        return " ".join(_WORDS.findall(self.body[max(0, start - 200) : start])[-_CONTEXT_WORDS:])

    def after(self, end: int) -> str:
        return " ".join(_WORDS.findall(self.body[end : end + 200])[:_CONTEXT_WORDS])


def _core(word: str) -> str:
    return _EDGES.sub("", word)


def text_fragment(words: Words | str, start: int, end: int) -> str:
    """The `#:~:text=` fragment for `body[start:end]` (`words`: the body's
    Words, or the body itself for a single fragment)."""
    if isinstance(words, str):
        words = Words(words)
    quoted = _WORDS.findall(words.body[start:end])
    if not quoted:
        return ""
    exact = " ".join(quoted)
    if len(exact) > _LONG and len(quoted) > 2 * _EDGE_WORDS:
        text_start = " ".join(quoted[:_EDGE_WORDS])
        text_end = " ".join(quoted[-_EDGE_WORDS:])
    else:
        text_start, text_end = exact, ""
    repeated = words.occurs_more_than_once(text_start)
    parts = []
    if repeated:
        before = words.before(start)
        if before:
            parts.append(_encode(before) + "-")
    parts.append(_encode(text_start))
    if text_end:
        parts.append(_encode(text_end))
    if repeated:
        after = words.after(end)
        if after:
            parts.append("-" + _encode(after))
    return "#:~:text=" + ",".join(parts)


def _encode(text: str) -> str:
    return quote(text, safe="").replace("-", "%2D")
