"""Text fragment links (site/fragments.py) are the same as when every
article's words were indexed by their core: the index, as it was, is the
reference here, and generated articles and quotes are given to both."""

from __future__ import annotations

import re
import sys
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.site.fragments import Words, _core, text_fragment

_WORDS = re.compile(r"\S+")


class IndexedWords(Words):
    """The former `Words`: where every word's core stands in `flat`."""

    def __init__(self, body: str):  # as it was: not Words.__init__
        self.body = body
        words = _WORDS.findall(body)
        self.flat = " ".join(words)
        self.at: dict[str, list[int]] = defaultdict(list)
        offset = 0
        for w in words:
            self.at[_core(w)].append(offset)
            offset += len(w) + 1

    def occurs_more_than_once(self, text: str) -> bool:
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


# Few words, so that quotes recur; punctuation around and inside them;
# white space of several kinds.
WORDS = ["the", "vote", "The", "vote.", "“vote”", "re-vote", "votes", "a", "aa", "aaa", "-", "—", "11-3-1", "(the", "é"]
SPACES = [" ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2009", "\u3000"]


@st.composite
def articles(draw: st.DrawFn) -> tuple[str, int, int]:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
    spaces = draw(st.lists(st.sampled_from(SPACES), min_size=len(words), max_size=len(words)))
    body = "".join(w + s for w, s in zip(words, spaces, strict=True))
    start = draw(st.integers(0, len(body) - 1))
    end = draw(st.integers(start + 1, len(body)))
    return body, start, end


@settings(max_examples=1500, deadline=None)
@given(articles())
def test_a_fragment_is_what_the_index_of_every_word_made(article: tuple[str, int, int]) -> None:
    body, start, end = article
    assert text_fragment(Words(body), start, end) == text_fragment(IndexedWords(body), start, end)


@settings(max_examples=1500, deadline=None)
@given(articles(), st.data())
def test_a_text_occurs_twice_where_the_index_said_it_did(article: tuple[str, int, int], data: st.DataObject) -> None:
    body, _, _ = article
    flat = " ".join(body.split())
    # A run of the article's words, cut anywhere inside its first word.
    start = data.draw(st.integers(0, len(flat) - 1))
    end = data.draw(st.integers(start + 1, len(flat)))
    text = flat[start:end].strip(" ")
    if text:
        assert Words(body).occurs_more_than_once(text) == IndexedWords(body).occurs_more_than_once(text)


def test_words_are_split_where_the_pattern_split_them() -> None:
    """`str.split()` stands for `\\S+` in `Words`: both part words at every
    character Unicode calls white space, and nowhere else."""
    spaces = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if re.match(r"\s", c))
    assert spaces == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
    text = "a" + spaces + "b" + spaces.join("xyz") + " \u200bc\u00ad "
    assert text.split() == _WORDS.findall(text)
    assert Words(text).flat == IndexedWords(text).flat
