"""The spec's normalization, with a map from normalized offsets back to the body.

Normalization is for comparison only: readers always see the body's own text,
so every match found in normalized text must map back to exact body offsets.

The map is sparse. Most characters survive unchanged, so we record only the
places where lengths differ (an ellipsis that became three dots, a run of
white space that became one space) and translate every other offset by the
running difference. That keeps a 5,000-article corpus cheap to normalize.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# Rule 2: quotes and dashes that compare equal to their ASCII forms (the
# guillemets of French, Russian or Arabic text among them), and the Arabic
# tatweel, which only stretches a word and is left out.
TATWEEL = "\u0640"
_FOLD = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′‹›", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        TATWEEL: "",
    }
)
# The same, for the quotes and dashes alone: each is one ASCII character
# whatever surrounds it, so a run of nothing else folds by this table, to
# text as long as it was (nothing to map).
_FOLD_TO_ASCII = {k: v for k, v in _FOLD.items() if v}
# A pattern that begins with a character class lets `re` skip to where a
# match can start; one that begins with a repeat (`[...]+`, `\s{2,}`) is
# tried at every character: 2.5 times as long over an article's body.
_NON_ASCII = re.compile(r"[^\x00-\x7f][^\x00-\x7f]*")  # a run of them
_WHITESPACE_RUN = re.compile(r"\s+")
# What `\s` matches (Python's white space; tests/test_match.py holds the two
# equal), and the same as a translation to spaces, for str and for bytes.
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
WHITESPACE += "\u2028\u2029\u202f\u205f\u3000"
_AS_SPACES = str.maketrans({c: " " for c in WHITESPACE if c != " "})
_ASCII_WHITESPACE = bytes(ord(c) for c in WHITESPACE if c < "\x80" and c != " ")
_AS_SPACES_ASCII = bytes.maketrans(_ASCII_WHITESPACE, b" " * len(_ASCII_WHITESPACE))
_SPACES = re.compile(" +")


@dataclass(frozen=True)
class _Segments:
    """Spans of the output that replaced spans of the input of another length.

    `out_starts[i]`, `out_ends[i]` in the output replaced `in_starts[i]`,
    `in_ends[i]` in the input. Outside those spans input and output run in
    step, shifted by the difference accumulated so far.
    """

    out_starts: tuple[int, ...]
    out_ends: tuple[int, ...]
    in_starts: tuple[int, ...]
    in_ends: tuple[int, ...]

    def splits(self, pos: int) -> bool:
        """Does `pos` fall strictly inside a replaced span?"""
        i = bisect_right(self.out_starts, pos) - 1
        return i >= 0 and self.out_starts[i] < pos < self.out_ends[i]

    def to_input(self, pos: int, *, end: bool) -> int:
        """Map an output offset to the input. A start inside a replaced span
        maps to the span's start, an end to its end: a match that covers part
        of an expanded character covers the whole character. Text that was
        left out (a tatweel) at either edge stays outside: a start maps past
        it, an end before it."""
        if end:
            i = bisect_left(self.out_starts, pos) - 1  # the spans that begin before the end
            if i < 0:
                return pos
            if pos >= self.out_ends[i]:
                return self.in_ends[i] + (pos - self.out_ends[i])
            return self.in_ends[i]
        i = bisect_right(self.out_starts, pos) - 1
        if i < 0:
            return pos
        if pos >= self.out_ends[i]:
            return self.in_ends[i] + (pos - self.out_ends[i])
        return self.in_starts[i]


@dataclass(frozen=True)
class NormalizedText:
    """`text` is the normalized form of `original`; offsets map back exactly."""

    original: str
    text: str
    _fold: _Segments
    _space: _Segments

    def to_original(self, pos: int, *, end: bool = False) -> int:
        return self._fold.to_input(self._space.to_input(pos, end=end), end=end)

    def on_boundary(self, pos: int) -> bool:
        """Is `pos` between two whole characters of the original? Not so
        inside what one character became: the "fi" of "ﬁ", the "..." of "…"."""
        return not self._space.splits(pos) and not self._fold.splits(self._space.to_input(pos, end=False))

    def span_to_original(self, start: int, stop: int) -> tuple[int, int]:
        return self.to_original(start), self.to_original(stop, end=True)


def normalize(text: str) -> NormalizedText:
    """Normalize a body for matching, keeping the way back to its offsets."""
    folded, fold_map = _fold(text)
    spaced, space_map = _collapse_space(folded)
    return NormalizedText(text, spaced, fold_map, space_map)


def normalize_quote(text: str) -> str:
    """Normalize a quote, prefix or suffix: as a body, and trimmed (rule 3).

    No offset map is needed here, and NFKC of the whole text equals NFKC of
    its clusters (that is how they are cut), so this is the short way."""
    if not text.isascii():
        text = _fold_chars(text)
    # Every white space character but the space is unprintable: in a
    # printable text with no two spaces together there is nothing to
    # collapse (most quotes; a third of the cost of a quote).
    if "  " in text or not text.isprintable():
        text = _WHITESPACE_RUN.sub(" ", text)
    return text.strip(" ")


def _fold(text: str) -> tuple[str, _Segments]:
    """Rules 1 and 2 (NFKC, quotes and dashes), character cluster by cluster."""
    if text.isascii():
        return text, _Segments((), (), (), ())
    pieces: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    in_starts: list[int] = []
    in_ends: list[int] = []
    shift = 0  # output offset minus input offset, so far
    last = 0
    for m in _NON_ASCII.finditer(text):
        start = m.start()
        # A combining mark composes with the ASCII letter before it.
        if start > last and unicodedata.combining(text[start]):
            start -= 1
        pieces.append(text[last:start])
        run = text[start : m.end()]
        folded = run.translate(_FOLD_TO_ASCII)
        if folded.isascii():  # only quotes and dashes (a ’ in English text): no NFKC, no clusters
            pieces.append(folded)
            last = m.end()
            continue
        if unicodedata.is_normalized("NFKC", run) and run.translate(_FOLD) == run:
            # Text in another script is mostly already NFKC: nothing changes, nothing to map.
            pieces.append(run)
            last = m.end()
            continue
        for c_start, c_end in _clusters(text, start, m.end()):
            source = text[c_start:c_end]
            replaced = _fold_chars(source)
            pieces.append(replaced)
            # Mapped where the length changes, and where a cluster of several
            # characters changes (ﬁ and a combining accent become "fí", as
            # long: a match may not end between the f and the í).
            if len(replaced) != len(source) or (len(source) > 1 and replaced != source):
                out_starts.append(c_start + shift)
                out_ends.append(c_start + shift + len(replaced))
                in_starts.append(c_start)
                in_ends.append(c_end)
                shift += len(replaced) - len(source)
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces), _Segments(tuple(out_starts), tuple(out_ends), tuple(in_starts), tuple(in_ends))


def _fold_chars(text: str) -> str:
    """Rule 2 around rule 1. NFKC turns the double prime ″ into two primes,
    which would make ″ equal '' where the spec lists it with ", so the
    quotes and dashes are folded before NFKC as well as after it."""
    return unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)


def _clusters(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Split text[start:stop] where NFKC of the whole equals NFKC of the parts.

    A new cluster starts at a character with no combining class that does not
    compose with the cluster before it (Hangul jamo and some Indic vowel signs
    compose although they are starters, hence the explicit check).
    """
    clusters: list[tuple[int, int]] = []
    c_start = start
    for i in range(start + 1, stop):
        ch = text[i]
        if unicodedata.combining(ch):
            continue
        before = text[c_start:i]
        if _fold_chars(before + ch) == _fold_chars(before) + _fold_chars(ch):
            clusters.append((c_start, i))
            c_start = i
    clusters.append((c_start, stop))
    return clusters


def _collapse_space(text: str) -> tuple[str, _Segments]:
    """Rule 3: every run of white space equals one space."""
    # White space of every kind becomes a space (the same length: nothing to
    # map), then each run of spaces one space. A look at every space with a
    # pattern cost 53 µs of an article's 80; this costs 17. Most bodies are
    # ASCII once folded, and bytes translate fastest.
    if text.isascii():
        spaced = text.encode("ascii").translate(_AS_SPACES_ASCII).decode("ascii")
    else:
        spaced = text.translate(_AS_SPACES)
    pieces: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    in_starts: list[int] = []
    in_ends: list[int] = []
    shift = 0  # output offset minus input offset, so far
    last = 0
    at = spaced.find("  ")
    while at != -1:
        end = _SPACES.match(spaced, at).end()  # type: ignore[union-attr]
        pieces.append(spaced[last : at + 1])
        out_starts.append(at + shift)
        out_ends.append(at + shift + 1)
        in_starts.append(at)
        in_ends.append(end)
        shift += 1 - (end - at)
        last = end
        at = spaced.find("  ", end)
    if not pieces:
        return spaced, _Segments((), (), (), ())
    pieces.append(spaced[last:])
    return "".join(pieces), _Segments(tuple(out_starts), tuple(out_ends), tuple(in_starts), tuple(in_ends))
