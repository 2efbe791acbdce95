"""The matching rules of the spec, as examples and as properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from factcheck.verify.corpus import _UNSHOWABLE, _holds_unshowable, split_front_matter
from factcheck.verify.match import MAX_GAP, Ambiguous, Found, NotFound, find_quote
from factcheck.verify.normalize import _FOLD, WHITESPACE, _collapse_space, _Segments, normalize, normalize_quote

from .conftest import REPO

ARTICLES = {
    p.stem: split_front_matter(p.read_text(encoding="utf-8"))[1]
    for p in sorted((REPO / "content" / "articles").glob("*.txt"))
}


def found(body: str, quote: str, **context: str) -> tuple[str, ...] | str:
    """What a reader would see highlighted, or the kind of failure."""
    result = find_quote(normalize(body), quote, **context)
    if isinstance(result, Found):
        if result.parts:
            return tuple(body[s:e] for s, e in result.parts)
        return (body[result.start : result.end],)
    return type(result).__name__


# --- the rules, one example each ---------------------------------------------


def test_rule1_nfkc_ellipsis_and_no_break_space() -> None:
    body = "They said\u00a0so… and left."
    assert found(body, "said so... and") == ("said\u00a0so… and",)


def test_rule2_quotes_and_dashes_fold_to_ascii() -> None:
    body = "Lavrov called it a \u201cprovocative step\u201d \u2014 Churkin\u2019s word."
    assert found(body, 'a "provocative step" - Churkin\'s word') == (
        "a \u201cprovocative step\u201d \u2014 Churkin\u2019s word",
    )


def test_rule3_white_space_runs_and_crlf() -> None:
    body = "first line\r\n\r\n  second\tline"
    assert found(body, "  line second line ") == ("line\r\n\r\n  second\tline",)


def test_rule4_case_matters() -> None:
    assert found("Russia vetoed it.", "russia vetoed") == "NotFound"


def test_match_excludes_surrounding_white_space() -> None:
    body = "a   quoted   b"
    n = normalize(body)
    result = find_quote(n, " quoted ")
    assert isinstance(result, Found)
    assert body[result.start : result.end] == "quoted"


def test_prefix_and_suffix_pick_one_occurrence() -> None:
    body = "a seven-day truce; a seven-day pause"
    assert found(body, "seven-day") == "Ambiguous"
    assert found(body, "seven-day", prefix="truce; a") == ("seven-day",)
    assert found(body, "seven-day", suffix="truce") == ("seven-day",)
    result = find_quote(normalize(body), "seven-day", suffix="pause")
    assert isinstance(result, Found) and result.start == body.rindex("seven-day")


def test_prefix_must_end_right_before_the_quote() -> None:
    body = "drafted by Egypt, New Zealand and Spain"
    assert found(body, "New Zealand", prefix="drafted by") == "NotFound"
    assert found(body, "New Zealand", prefix="Egypt,") == ("New Zealand",)
    # White space at the joint is allowed, never required.
    assert found("byNew", "New", prefix="by") == ("New",)


def test_ambiguous_reports_every_start() -> None:
    body = "Aleppo, Aleppo and Aleppo"
    result = find_quote(normalize(body), "Aleppo")
    assert isinstance(result, Ambiguous)
    assert result.starts == (0, 8, 19)


def test_elision_parts_are_highlighted_separately() -> None:
    body = "The draft resolution - drawn up by Egypt - called for a seven-day ceasefire."
    assert found(body, "The draft resolution [...] called for a seven-day ceasefire") == (
        "The draft resolution",
        "called for a seven-day ceasefire",
    )
    assert found(body, "The draft resolution […] seven-day") == ("The draft resolution", "seven-day")


def test_elision_span_runs_from_first_part_to_last() -> None:
    body = "alpha beta gamma delta"
    result = find_quote(normalize(body), "alpha [...] delta")
    assert isinstance(result, Found)
    assert (result.start, result.end) == (0, len(body))
    assert result.parts == ((0, 5), (17, 22))


def test_elision_gap_is_at_most_300_normalized_characters() -> None:
    near = "start " + "x" * (MAX_GAP - 2) + " end"
    far = "start " + "x" * (MAX_GAP - 1) + " end"
    assert found(near, "start [...] end") == ("start", "end")
    assert found(far, "start [...] end") == "NotFound"


def test_elision_gap_counts_normalized_characters() -> None:
    # Each … is three characters once normalized; a run of white space is one.
    ellipses = "start " + "…" * 99 + " end"  # gap: 1 + 297 + 1 = 299
    too_many = "start " + "…" * 100 + " end"  # gap: 302
    spaces = "start" + " \n\t" * 500 + "x" * 298 + " end"  # gap: 1 + 298 + 1 = 300
    assert found(ellipses, "start [...] end") == ("start", "end")
    assert found(too_many, "start [...] end") == "NotFound"
    assert found(spaces, "start [...] end") == ("start", "end")


def test_literal_match_wins_over_elision() -> None:
    body = "the “previous pauses [...] there” and previous pauses then there"
    assert found(body, "previous pauses [...] there") == ("previous pauses [...] there",)


def test_elision_ambiguity_counts_distinct_starts() -> None:
    body = "one two three. one two three."
    assert found(body, "one [...] three") == "Ambiguous"
    assert found(body, "one [...] three", prefix=".") == ("one", "three")


def test_elided_parts_in_order_only() -> None:
    assert found("beta then alpha", "alpha [...] beta") == "NotFound"


def test_offsets_after_bom_and_combining_marks() -> None:
    body = "cafe\u0301 \u201cno\u201d"  # é written as e + combining acute
    assert found(body, 'caf\u00e9 "no"') == ("cafe\u0301 \u201cno\u201d",)


def test_a_match_never_splits_a_character() -> None:
    body = "The ﬁnal word… was"
    assert found(body, "The f") == "NotFound"
    assert found(body, "inal word") == "NotFound"
    assert found(body, "word..") == "NotFound"
    assert found(body, "The final word...") == ("The ﬁnal word…",)


def test_an_elision_that_leaves_nothing_out_is_flagged() -> None:
    result = find_quote(normalize("Russia and China vetoed it"), "Russia and China [...] vetoed")
    assert isinstance(result, Found) and result.hollow_elision
    result = find_quote(normalize("Russia and China then vetoed it"), "Russia and China [...] vetoed")
    assert isinstance(result, Found) and not result.hollow_elision


@pytest.mark.parametrize("quote", ["", "   ", "\n"])
def test_empty_quote_never_matches(quote: str) -> None:
    assert isinstance(find_quote(normalize("anything"), quote), NotFound)


# --- properties --------------------------------------------------------------

# Characters where folding is more than a table: quotes and dashes (folded by
# the table alone where nothing else stands beside them), a combining mark,
# a ligature and an ellipsis (longer once folded), white space of other
# kinds, and letters of other scripts. (Not the tatweel: left out before a
# combining mark, it leaves the mark apart from the letter it would compose
# with, where a quote's whole text composes them.)
FOLDING = st.text(st.sampled_from([*"ab. ’‘“”″«–—-'\"\n", "\u0301", "é", "ﬁ", "…", "\u00a0", "а", "가", "\u1161"]))


@given(text=FOLDING)
def test_a_body_folds_as_a_quote_does_and_every_span_maps_back(text: str) -> None:
    n = normalize(text)
    assert n.text.strip(" ") == normalize_quote(text)
    cuts = [i for i in range(len(n.text) + 1) if n.on_boundary(i)]
    for a in cuts:
        for b in cuts:
            if a < b:
                start, end = n.span_to_original(a, b)
                assert normalize(text[start:end]).text.strip(" ") == n.text[a:b].strip(" ")


@given(text=st.text(st.sampled_from([*WHITESPACE, "a", "é", "’", "x", "\x07", "\u200b"])))
def test_a_quote_with_nothing_to_collapse_is_only_trimmed(text: str) -> None:
    folded = text if text.isascii() else unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)
    assert normalize_quote(text) == re.sub(r"\s+", " ", folded).strip(" ")


@given(text=st.text(st.characters(max_codepoint=0x2FF)))
def test_control_characters_are_told_from_the_bytes_as_from_the_text(text: str) -> None:
    assert _holds_unshowable(text.encode("utf-8")) == (_UNSHOWABLE.search(text) is not None)


EQUIVALENTS = {
    "'": "'‘’‚‛′‹›",
    '"': '"“”„‟″«»',
    "-": "-‐‑‒–—―−",
}
TATWEEL = "\u0640"  # ignored: a quote may add or leave out any number of them
CLASS_OF = {c: members for members in EQUIVALENTS.values() for c in members}
SPACES = [" ", "\n", "\t", "\r\n", "\u00a0", "  ", " \n\n ", "\u2009"]


def retype(draw: st.DrawFn, text: str) -> str:
    """The same text as an editor might type it: other quotes, dashes,
    ellipses and white space, all equal under the spec's normalization."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            out.append(draw(st.sampled_from(SPACES)))
            i = j
            continue
        if ch == TATWEEL:
            out.append(draw(st.sampled_from(["", TATWEEL, TATWEEL * 2])))
        elif ch in CLASS_OF:
            out.append(draw(st.sampled_from(CLASS_OF[ch])))
        elif "\u0621" <= ch <= "\u064a" and i + 1 < len(text) and "\u0621" <= text[i + 1] <= "\u064a":
            out.append(ch + draw(st.sampled_from(["", "", TATWEEL])))  # between two Arabic letters
        elif ch == "…":
            out.append(draw(st.sampled_from(["…", "..."])))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _clean_edge(body: str, a: int, b: int) -> bool:
    """A span an editor could copy: no white space at its edges, and not
    cutting a character from the marks that compose with it."""
    if not (0 <= a < b <= len(body)):
        return False
    if body[a].isspace() or body[b - 1].isspace() or TATWEEL in (body[a], body[b - 1]):
        return False
    if not normalize_quote(body[a:b]):
        return False
    if unicodedata.combining(body[a]) or (b < len(body) and unicodedata.combining(body[b])):
        return False
    return True


SAMPLE_BODIES = st.sampled_from(list(ARTICLES.values()))

# Bodies with every character class the normalization handles, not just English news.
_ALPHABET = st.sampled_from(
    list("abcxyz ABC 0123.,")
    + ["\n", "\r\n", "\t", "\u00a0", "\u2009", "…", "ﬁ", "é", "e\u0301", "한", "①"]
    + list("'‘’‚‛′‹›\"“”„‟″«»-‐‑‒–—―−")
    + ["كتب", "ـ", "صدى", "\u064e", "ل\u0651"]  # Arabic: letters, the tatweel, diacritics
)
SYNTHETIC = st.lists(_ALPHABET, min_size=1, max_size=120).map("".join)


@st.composite
def article_spans(draw: st.DrawFn, bodies: st.SearchStrategy[str] = SAMPLE_BODIES):
    body = draw(bodies)
    assume(body.strip())
    a = draw(st.integers(0, len(body) - 1))
    length = draw(st.integers(1, 160))
    b = min(len(body), a + length)
    assume(_clean_edge(body, a, b))
    return body, a, b


def _expected(body: str, a: int, b: int) -> tuple[str, int]:
    """How many times the span's text occurs on whole characters of the body."""
    q = normalize_quote(body[a:b])
    n = normalize(body)
    t = n.text
    count = sum(1 for i in range(len(t)) if t.startswith(q, i) and n.on_boundary(i) and n.on_boundary(i + len(q)))
    return q, count


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(data=st.data(), span=article_spans(st.one_of(SAMPLE_BODIES, SYNTHETIC)))
def test_any_span_retyped_resolves_to_that_span_or_is_ambiguous(data: st.DataObject, span) -> None:
    body, a, b = span
    quote = retype(data.draw, body[a:b])
    _, count = _expected(body, a, b)
    result = find_quote(normalize(body), quote)
    if count == 1:
        assert result == Found(a, b)
    else:
        assert isinstance(result, Ambiguous)
        assert a in result.starts and len(result.starts) == count


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(data=st.data(), span=article_spans(), width=st.integers(1, 40))
def test_prefix_and_suffix_taken_from_the_body_keep_the_span(data: st.DataObject, span, width: int) -> None:
    body, a, b = span
    prefix = body[max(0, a - width) : a]
    suffix = body[b : b + width]
    result = find_quote(normalize(body), retype(data.draw, body[a:b]), prefix=prefix, suffix=suffix)
    assert result == Found(a, b) or (isinstance(result, Ambiguous) and a in result.starts)


def _mutations(draw: st.DrawFn, text: str) -> str:
    """The text with a few characters changed, dropped or doubled, or an elision put in."""
    for _ in range(draw(st.integers(0, 3))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["change", "drop", "double", "elide"]))
        if action == "change":
            text = text[:i] + draw(st.sampled_from("aeQx ,.'-")) + text[i + 1 :]
        elif action == "drop":
            text = text[:i] + text[i + 1 :]
        elif action == "double":
            text = text[:i] + text[i] + text[i:]
        else:
            text = text[:i] + " [...] " + text[i:]
    return text


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(data=st.data(), span=article_spans(st.one_of(SAMPLE_BODIES, SYNTHETIC)), width=st.integers(0, 30))
def test_whatever_is_found_is_what_was_quoted(data: st.DataObject, span, width: int) -> None:
    """Soundness: for any quote, prefix and suffix, a Found span's text is the
    quote (part by part), with the prefix right before and the suffix right after."""
    body, a, b = span
    quote = _mutations(data.draw, body[a:b])
    prefix = _mutations(data.draw, body[max(0, a - width) : a]) if width else None
    suffix = _mutations(data.draw, body[b : b + width]) if width else None
    result = find_quote(normalize(body), quote, prefix=prefix, suffix=suffix)
    if not isinstance(result, Found):
        return
    parts = [p for p in re.split(r"\s*\[(?:\.\.\.|…)\]\s*", normalize_quote(quote))]
    shown = [normalize_quote(body[s:e]) for s, e in (result.parts or ((result.start, result.end),))]
    literal = normalize_quote(body[result.start : result.end])
    assert shown == parts or (not result.parts and literal == normalize_quote(quote))
    before = normalize(body[: result.start]).text.rstrip(" ")
    after = normalize(body[result.end :]).text.lstrip(" ")
    if prefix and normalize_quote(prefix):
        assert before.endswith(normalize_quote(prefix))
    if suffix and normalize_quote(suffix):
        assert after.startswith(normalize_quote(suffix))


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(span=article_spans(), position=st.integers(0, 10_000), letter=st.sampled_from("QXZqxz"))
def test_a_changed_quote_is_never_accepted(span, position: int, letter: str) -> None:
    body, a, b = span
    quote = body[a:b]
    i = position % len(quote)
    assume(quote[i].isalnum() and quote[i] != letter)
    changed = quote[:i] + letter + quote[i + 1 :]
    assume(normalize_quote(changed) not in normalize(body).text)
    assert isinstance(find_quote(normalize(body), changed), NotFound)


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(first=article_spans(), gap=st.integers(1, MAX_GAP), length=st.integers(1, 80))
def test_elided_quotes_resolve_to_their_parts(first, gap: int, length: int) -> None:
    body, a1, b1 = first
    a2 = b1 + gap
    b2 = min(len(body), a2 + length)
    assume(_clean_edge(body, a2, b2))
    assume(len(normalize(body[b1:a2]).text) <= MAX_GAP)  # the gap is counted in normalized characters
    quote = f"{body[a1:b1]} [...] {body[a2:b2]}"
    assume(normalize_quote(quote) not in normalize(body).text)
    n = normalize(body)
    result = find_quote(n, quote)
    assert isinstance(result, Found | Ambiguous)
    if isinstance(result, Found):
        assert result.start == a1
        texts = [normalize_quote(body[s:e]) for s, e in result.parts]
        assert texts == [normalize_quote(body[a1:b1]), normalize_quote(body[a2:b2])]
        assert result.parts[0][1] <= result.parts[1][0]


@given(SYNTHETIC)
def test_normalized_text_is_the_spec_normalization(body: str) -> None:
    import re

    def fold(text: str) -> str:
        for ascii_char, members in EQUIVALENTS.items():
            for m in members:
                text = text.replace(m, ascii_char)
        return text.replace(TATWEEL, "")

    # Rule 2 is applied before NFKC too, or ″ would become '' (see normalize.py).
    reference = fold(unicodedata.normalize("NFKC", fold(body)))
    reference = re.sub(r"\s+", " ", reference)
    assert normalize(body).text == reference


def test_guillemets_equal_straight_quotes() -> None:
    body = "Lavrov a parlé d’une «\u00a0étape provocatrice\u00a0» et d’un ‹ pas › de trop."
    assert found(body, "d'une \" étape provocatrice \" et d'un ' pas '") == (
        "d’une «\u00a0étape provocatrice\u00a0» et d’un ‹ pas ›",
    )


def test_the_tatweel_is_ignored_but_diacritics_are_not() -> None:
    body = "قال إن الهدنة ستستمـــر سبعة أيام"
    assert found(body, "الهدنة ستستمر سبعة") == ("الهدنة ستستمـــر سبعة",)
    assert found("الهدنة ستستمر", "الهدنـة ستستمر") == ("الهدنة ستستمر",)
    assert found("كَتَبَ الرسالة", "كتب الرسالة") == "NotFound"  # a quote without the article's diacritics


def test_double_prime_equals_a_double_quote() -> None:
    assert found("he said ″no″ twice", 'said "no"') == ("said ″no″",)


def test_a_near_miss_in_arabic_names_whole_letters_and_says_when_only_diacritics_differ() -> None:
    from factcheck.verify.hints import closest_passage

    body = "كَتَبَ الرئيسُ الرسالةَ إلى المجلس."
    passage = closest_passage(normalize(body), "كتب الرئيس الرسالة إلى المجلس")
    assert passage is not None and body[passage.start] == "ك"  # not a vowel sign cut from its letter
    (difference,) = passage.differences
    assert difference == (
        'you wrote "كتب الرئيس الرسالة", the article says "كَتَبَ الرئيسُ الرسالةَ": only the diacritics differ'
    )


@given(
    st.lists(
        st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2009", "a", "é", "’", "한"]), max_size=30
    ).map("".join)
)
def test_the_fast_patterns_find_the_runs_the_plain_ones_find(text: str) -> None:
    """normalize.py's patterns are written to begin with a character class
    (for speed); they find what the plain forms of the rules find. (White
    space: test_white_space_collapses_as_the_rule_says.)"""
    import re

    from factcheck.verify import normalize as n

    assert [m.span() for m in n._NON_ASCII.finditer(text)] == [m.span() for m in re.finditer(r"[^\x00-\x7f]+", text)]


def test_white_space_is_what_python_calls_white_space() -> None:
    """Rule 3 collapses what `\\s` matches: the translation table holds each such character."""
    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if re.match(r"\s", c))


def _collapsed_plainly(text: str) -> tuple[str, _Segments]:
    """Rule 3 the plain way: each run of white space, and each single white
    space that is not a space, becomes a space; runs change length."""
    pieces, spans, shift, last = [], ([], [], [], []), 0, 0
    for m in re.finditer(r"\s+", text):
        start, end = m.span()
        if end - start == 1 and text[start] == " ":
            continue
        pieces += [text[last:start], " "]
        last = end
        if end - start > 1:
            for column, value in zip(spans, (start + shift, start + shift + 1, start, end), strict=True):
                column.append(value)
            shift += 1 - (end - start)
    pieces.append(text[last:])
    return "".join(pieces), _Segments(*(tuple(column) for column in spans))


@given(st.lists(st.sampled_from([*WHITESPACE, "a", "é", "’", "x", "\n\n", "  "]), max_size=40).map("".join))
def test_white_space_collapses_as_the_rule_says(text: str) -> None:
    assert _collapse_space(text) == _collapsed_plainly(text)


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_the_sample_articles_collapse_as_the_rule_says(name: str) -> None:
    body = ARTICLES[name]
    assert _collapse_space(body) == _collapsed_plainly(body)
