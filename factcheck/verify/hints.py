"""Hints that tell an editor what they probably meant."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .normalize import NormalizedText

# rapidfuzz and regex are imported where a hint is made: a desk without a
# problem never needs them, and every run would pay for their import.

_SPACE_RUN = re.compile(r"\s+")
_MIN_PASSAGE_SCORE = 60  # below this the "closest passage" is noise, not a hint
_MAX_DIFFERENCES = 3
_MAX_SHOWN = 240
_LONG_QUOTE = 600  # characters: a longer quote's closest passage is found by where it parts from the article
_MIN_PART = 12


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped name, if any is close enough."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return best[0] if best else None


@dataclass(frozen=True)
class Passage:
    start: int  # body offsets
    end: int
    similarity: int  # percent
    differences: tuple[str, ...]


def closest_passage(body: NormalizedText, quote: str) -> Passage | None:
    """The passage of the body most like the (normalized) quote, word-aligned.

    rapidfuzz finds the best window of the quote's length in linear time;
    a word diff around that window then finds where the passage really
    starts and ends, since a changed figure can make it longer or shorter.
    """
    from rapidfuzz import fuzz

    text = body.text
    if not quote or not text:
        return None
    if len(quote) > _LONG_QUOTE:
        return _where_it_parts(body, quote)
    window = fuzz.partial_ratio_alignment(quote, text)
    if window is None or window.score < _MIN_PASSAGE_SCORE:
        return None
    pad = len(quote) // 2 + 16
    lo = _word_start(text, max(0, window.dest_start - pad))
    hi = _word_end(text, min(len(text), window.dest_end + pad))
    q_tokens = _tokens(quote, 0, len(quote))
    r_tokens = _tokens(text, lo, hi)
    if not q_tokens or not r_tokens:
        return None
    q_words = [t for t, _, _ in q_tokens]
    r_words = [t for t, _, _ in r_tokens]
    matcher = difflib.SequenceMatcher(None, q_words, r_words, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if blocks:
        first, last = blocks[0], blocks[-1]
        # Extend over quote tokens that differ at either edge ("A Syrian" for "The Syrian").
        j_start = max(0, first.b - first.a)
        j_end = min(len(r_tokens), last.b + last.size + (len(q_tokens) - last.a - last.size))
    else:
        # No whole token in common ("cafe" for "café"): take rapidfuzz's window as it is.
        inside = [i for i, (_, s, e) in enumerate(r_tokens) if e > window.dest_start and s < window.dest_end]
        if not inside:
            return None
        j_start, j_end = inside[0], inside[-1] + 1
    n_start, n_end = r_tokens[j_start][1], r_tokens[j_end - 1][2]
    similarity = _percent(fuzz.ratio(quote, text[n_start:n_end]), quote == text[n_start:n_end])
    if similarity < _MIN_PASSAGE_SCORE:
        return None
    start, end = body.span_to_original(n_start, n_end)
    differences = _differences(quote, q_tokens, text, r_tokens[j_start:j_end])
    return Passage(start, end, similarity, differences)


def _percent(score: float, identical: bool) -> int:
    """A similarity as a whole percentage: 100 only for the same text (a long
    quote one character off is 99% alike, not "100%")."""
    return 100 if identical else min(99, round(score))


def _where_it_parts(body: NormalizedText, quote: str) -> Passage | None:
    """For a long quote (a whole paragraph or more) a fuzzy alignment costs
    too much and says too little: find instead how much of its start (or
    else its end) the article holds, and where the two part."""
    text = body.text
    lead = _longest_part(quote, text, from_start=True)
    tail = _longest_part(quote, text, from_start=False)
    if max(lead, tail) < _MIN_PART:
        return None
    matched = max(lead, tail)
    if lead and tail and lead + tail <= len(quote):
        at_lead, at_tail = text.find(quote[:lead]), text.find(quote[-tail:])
        if at_lead + lead <= at_tail <= at_lead + len(quote):  # one passage, differing in its middle
            matched = lead + tail
    if lead >= tail:
        at = text.find(quote[:lead])
        start, stop = at, min(len(text), at + len(quote))
        joint_q, joint_t = lead, at + lead
        wrote, says = _word_run(quote, joint_q), _word_run(text, joint_t)
        where = f"the article has the first {lead} characters of the quote, then"
    else:
        at = text.find(quote[-tail:])
        start, stop = max(0, at + tail - len(quote)), at + tail
        wrote = _word_run(quote, 0, before=len(quote) - tail)
        says = _word_run(text, 0, before=at)
        where = f"the article has the last {tail} characters of the quote; before them"
    start, end = body.span_to_original(_word_start(text, start), _word_end(text, stop))
    similarity = _percent(100 * matched / len(quote), False)
    differs = f'{where} you wrote "{wrote}", ' + (f'the article says "{says}"' if says else "where the article ends")
    return Passage(start, end, similarity, (differs,))


def _longest_part(quote: str, text: str, from_start: bool) -> int:
    """The length of the longest start (or end) of `quote` found in `text`,
    by halving: a few passes over the text, whatever the quote's length."""
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        part = quote[:mid] if from_start else quote[-mid:]
        if part in text:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _word_run(text: str, at: int, before: int | None = None) -> str:
    """A few words of `text` from `at` (or ending at `before`)."""
    if before is None:
        return shown(" ".join(text[at : at + 80].split(" ")[:6]))
    return shown(" ".join(text[max(0, before - 80) : before].split(" ")[-6:]))


def shown(text: str) -> str:
    """A body excerpt on one line, shortened in the middle when long."""
    one_line = _SPACE_RUN.sub(" ", text).strip()
    if len(one_line) <= _MAX_SHOWN:
        return one_line
    half = _MAX_SHOWN // 2 - 2
    return f"{one_line[:half]} … {one_line[-half:]}"


def _differences(quote: str, q_tokens: list[_Token], text: str, p_tokens: list[_Token]) -> tuple[str, ...]:
    """What differs, as "you wrote X, the article says Y".

    Changes separated by at most one unchanged token are told together, and
    a change that adds or drops something is shown with a token of context
    on each side: `falling," the` against `falling", the` reads as one
    moved comma, not as a comma added here and another removed there.
    """
    matcher = difflib.SequenceMatcher(None, [t for t, _, _ in q_tokens], [t for t, _, _ in p_tokens], autojunk=False)
    regions: list[list[int]] = []  # [i1, i2, j1, j2, only_replace]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if regions and i1 - regions[-1][1] <= 1 and j1 - regions[-1][3] <= 1:
            regions[-1][1:4] = [i2, regions[-1][2], j2]
            regions[-1][4] = 0
        else:
            regions.append([i1, i2, j1, j2, int(tag == "replace")])
    found = []
    for i1, i2, j1, j2, only_replace in regions:
        if not only_replace:
            i1, j1 = max(0, i1 - 1), max(0, j1 - 1)
            i2, j2 = min(len(q_tokens), i2 + 1), min(len(p_tokens), j2 + 1)
        wrote = quote[q_tokens[i1][1] : q_tokens[i2 - 1][2]] if i2 > i1 else ""
        says = text[p_tokens[j1][1] : p_tokens[j2 - 1][2]] if j2 > j1 else ""
        if not wrote:
            found.append(f'the article also has "{says}" there')
        elif not says:
            found.append(f'the article does not have "{wrote}"')
        elif _bare(wrote) == _bare(says):
            found.append(f'you wrote "{wrote}", the article says "{says}": only the diacritics differ')
        else:
            found.append(f'you wrote "{wrote}", the article says "{says}"')
    if len(found) > _MAX_DIFFERENCES:
        extra = len(found) - _MAX_DIFFERENCES
        found = found[:_MAX_DIFFERENCES] + [f"{extra} more difference{'s' if extra > 1 else ''}"]
    return tuple(found)


def _bare(text: str) -> str:
    """Text without its combining marks (diacritics, vowel signs)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _word_start(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1] != " ":
        pos -= 1
    return pos


def _word_end(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] != " ":
        pos += 1
    return pos


_Token = tuple[str, int, int]
# Words and punctuation marks. The `regex` module's \w takes in the marks
# that combine with a letter (Arabic vowel signs, Hebrew points), and \X is
# a whole grapheme cluster, so no token ever cuts a letter from its marks.
_TOKEN = r"\w(?:[\w%'.-]*\w)?%?|(?![\s\w])\X"


def _tokens(text: str, lo: int, hi: int) -> list[_Token]:
    """Words and punctuation marks, with their offsets: a diff by token says
    "60%" rather than "60% of", and does not count a comma as a word."""
    import regex  # compiled once, and kept, by the module's own cache

    return [(m.group(), m.start(), m.end()) for m in regex.compile(_TOKEN).finditer(text, lo, hi)]
