"""Text fragment links (`#:~:text=`) into the original article.

Browsers scroll to and highlight the quoted words. The fragment is written
in the article's own characters; `-`, `&` and `,` are percent-encoded since
they are the directive's own syntax. Where the start of the quote occurs
more than once in the article, words before and after pick the occurrence.

An article's words are indexed once (`Words`), so that the fragments of many
citations of one long article cost each a look at the places where its first
word occurs, not a pass over the whole article.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

_WORDS = re.compile(r"\S+")
_EDGES = re.compile(r"^\W+|\W+$")
_LONG = 80  # characters: longer quotes use the textStart,textEnd form
_EDGE_WORDS = 4
_CONTEXT_WORDS = 3


class Words:
    """An article body's words joined by single spaces, and where each word
    (without the punctuation around it) stands, so that looking for a quote's
    words costs a look at the few places its first word occurs."""

    def __init__(self, body: str):
        self.body = body
        words = _WORDS.findall(body)
        self.flat = " ".join(words)
        self.at: dict[str, list[int]] = defaultdict(list)  # core of a word -> its offsets in flat
        offset = 0
        for w in words:
            self.at[_core(w)].append(offset)
            offset += len(w) + 1

    def occurs_more_than_once(self, text: str) -> bool:
        """Does `text` (words joined by single spaces) occur twice or more in
        the body's words, beginning where a word with the same core begins?
        (Browsers match a fragment at word boundaries.)"""
        first = text.split(" ", 1)[0]
        core = _core(first)
        if not core:
            return self.flat.count(text) > 1
        seen = 0
        for offset in self.at.get(core, ()):
            word_end = self.flat.find(" ", offset)
            word = self.flat[offset : word_end if word_end != -1 else len(self.flat)]
            inner = word.find(first)
            while inner != -1:
                if self.flat.startswith(text, offset + inner):
                    seen += 1
                    if seen > 1:
                        return True
                inner = word.find(first, inner + 1)
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
