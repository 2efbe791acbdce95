"""Why a citation did not resolve, in words an editor can act on.

Resolution depends only on the article and the citation; these explanations
look across the whole corpus (where else does the quote occur?), so they are
made fresh and never cached with a resolution.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ..diagnostics import Diagnostic
from ..model import Article, Citation
from .hints import closest_passage, did_you_mean, shown
from .match import MAX_GAP, Ambiguous, Found, NotFound, elision_parts, find_quote
from .normalize import normalize_quote

_MAX_LISTED = 3  # other articles named in a hint
_MAX_SUGGESTED = 4  # occurrences given a ready-made prefix or suffix
_WORDS = re.compile(r"\S+")


def unknown_article(citation: Citation, articles: Mapping[str, Article]) -> Diagnostic:
    holders = _articles_holding(citation, articles)
    if holders:
        hint = "the quote occurs in " + holders
    else:
        meant = did_you_mean(citation.article, articles)
        hint = f"did you mean '{meant}'?" if meant else f"no article of the {len(articles)} has that id or the quote"
    return Diagnostic.at(
        citation.article_loc, "unknown-article", f"article '{citation.article}' is not in the corpus", hint=hint
    )


def ambiguous(citation: Citation, article: Article, result: Ambiguous) -> Diagnostic:
    lines = _lines(article, result.starts)
    suggestions = [_context_that_picks(citation, article, span) for span in result.spans[:_MAX_SUGGESTED]]
    hint = f"it occurs on {lines}; add a prefix or suffix that picks one"
    found = [s for s in suggestions if s]
    if found:
        hint += ", e.g.:\n" + "\n".join(found)
    return Diagnostic.at(
        citation.quote_loc,
        "quote-ambiguous",
        f"quote occurs {len(result.spans)} times in article '{article.id}'",
        hint=hint,
    )


def not_found(citation: Citation, article: Article, articles: Mapping[str, Article]) -> Diagnostic:
    parts = elision_parts(citation.quote)
    quote = normalize_quote(citation.quote)
    bare = find_quote(article.normalized, citation.quote)
    if (citation.prefix or citation.suffix) and not isinstance(bare, NotFound):
        hints = [_context_mismatch(citation, article, bare)]
    elif quote in article.normalized.text and len(parts) == 1:
        hints = [
            "the quote begins or ends inside a character that the article writes as one "
            "(such as … or ﬁ); quote that character whole, or stop before it"
        ]
    elif len(parts) > 1:
        hints = _elision_hints(article, parts)
    else:
        hints = _near_misses(article, quote)
    if not (citation.prefix or citation.suffix):
        holders = _articles_holding(citation, articles, exclude=article.id)
        if holders:
            hints.append("the quote does occur in " + holders)
    return Diagnostic.at(
        citation.quote_loc,
        "quote-not-found",
        f"quote not found in article '{article.id}'",
        hint="\n".join(hints),
    )


def _context_that_picks(citation: Citation, article: Article, span: tuple[int, int]) -> str | None:
    """The shortest prefix (or else suffix) of whole words that picks this
    occurrence, checked against the matcher, written as YAML to paste."""
    start, end = span
    before = _WORDS.findall(article.body[max(0, start - 200) : start])
    after = _WORDS.findall(article.body[end : end + 200])
    line = article.line_of(start)
    for words, field in ((before, "prefix"), (after, "suffix")):
        # Three words read as context; one word ("a") would be brittle.
        for count in range(min(3, len(words)), min(len(words), 8) + 1):
            context = " ".join(words[-count:] if field == "prefix" else words[:count])
            given = {"prefix": citation.prefix, "suffix": citation.suffix, field: context}
            result = find_quote(article.normalized, citation.quote, given["prefix"], given["suffix"])
            if isinstance(result, Found) and result.start == start:
                return f"line {line}: {field}: {json.dumps(context, ensure_ascii=False)}"
    return None


def _near_misses(article: Article, quote: str, what: str = "") -> list[str]:
    """`what` names the part of an elided quote, when it is one."""
    lead = f"{what} not found; " if what else ""
    if quote in normalize_quote(article.title) and quote not in article.normalized.text:
        return [f"{lead}that is (part of) the title of '{article.id}', not its text; a quote must come from the body"]
    passage = closest_passage(article.normalized, quote)
    if passage is None:
        return [f"{lead}no passage of '{article.id}' comes close"]
    text = shown(article.body[passage.start : passage.end])
    what_differs = f" ({'; '.join(passage.differences)})" if passage.differences else ""
    line = article.line_of(passage.start)
    return [f'{lead}closest passage, line {line} ({passage.similarity}% alike): "{text}"{what_differs}']


def _elision_hints(article: Article, parts: list[str]) -> list[str]:
    text = article.normalized.text
    missing = [(i, part) for i, part in enumerate(parts, start=1) if part not in text]
    if not missing:
        return [
            f"every part occurs in '{article.id}', but not in this order with at most {MAX_GAP} characters "
            "between them; quote the passages as separate citations, or leave out less"
        ]
    hints = []
    for i, part in missing[:2]:
        hints += _near_misses(article, part, what=f'part {i} ("{part}")')
    return hints


def _context_mismatch(citation: Citation, article: Article, bare: Found | Ambiguous) -> str:
    spans = ((bare.start, bare.end),) if isinstance(bare, Found) else bare.spans
    given = []
    if citation.prefix:
        given.append(f'prefix "{citation.prefix}"')
    if citation.suffix:
        given.append(f'suffix "{citation.suffix}"')
    contexts = []
    for start, end in spans[:_MAX_LISTED]:
        sides = []
        if citation.prefix:
            sides.append(f'after "{_words_before(article.body, start)}"')
        if citation.suffix:
            sides.append(f'before "{_words_after(article.body, end)}"')
        contexts.append(f"line {article.line_of(start)}: " + " and ".join(sides))
    if len(spans) > _MAX_LISTED:
        contexts.append(f"and {len(spans) - _MAX_LISTED} more")
    where = _lines(article, [s for s, _ in spans])
    return f"the quote occurs on {where}, but not with the {' and '.join(given)}; it stands\n" + "\n".join(contexts)


def _articles_holding(citation: Citation, articles: Mapping[str, Article], exclude: str | None = None) -> str:
    """The other articles where the quote resolves (as the matcher would
    take it), named with the line; "" when there are none."""
    found = []
    for article_id, article in articles.items():
        if article_id == exclude:
            continue
        result = find_quote(article.normalized, citation.quote)
        if isinstance(result, Found | Ambiguous):
            start = result.start if isinstance(result, Found) else result.starts[0]
            found.append(f"'{article_id}' (line {article.line_of(start)})")
    if len(found) > _MAX_LISTED:
        return ", ".join(found[:_MAX_LISTED]) + f" and {len(found) - _MAX_LISTED} more"
    return ", ".join(found)


def _lines(article: Article, starts: tuple[int, ...] | list[int]) -> str:
    numbers = sorted({article.line_of(s) for s in starts})
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    return "lines " + ", ".join(str(n) for n in numbers)


def _words_before(body: str, start: int, count: int = 4) -> str:
    return " ".join(_WORDS.findall(body[max(0, start - 120) : start])[-count:])


def _words_after(body: str, end: int, count: int = 4) -> str:
    return " ".join(_WORDS.findall(body[end : end + 120])[:count])
