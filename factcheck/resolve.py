"""Resolving citations: every quote to exactly one span of its article."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .corpus import Article
from .diagnostics import Diagnostic
from .entries import Citation, Entries
from .hints import closest_passage, did_you_mean, shown
from .match import Ambiguous, Found, NotFound, find_quote, occurrences
from .normalize import normalize_quote

_MAX_OTHER_ARTICLES = 3
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Resolved:
    """A citation resolved to body offsets `[start, end)` of its article."""

    check: str
    citation: Citation
    start: int
    end: int
    parts: tuple[tuple[int, int], ...] = ()  # elided quotes: each part's span

    @property
    def article(self) -> str:
        return self.citation.article

    @property
    def anchor(self) -> str:
        return f"{self.check}-{self.citation.index}"

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "check": self.check,
            "index": self.citation.index,
            "article": self.citation.article,
            "start": self.start,
            "end": self.end,
            "stance": self.citation.stance,
        }
        if self.parts:
            data["parts"] = [list(p) for p in self.parts]
        return data


def resolve_citations(
    entries: Entries, articles: Mapping[str, Article]
) -> tuple[tuple[Resolved, ...], list[Diagnostic]]:
    resolved: list[Resolved] = []
    diagnostics: list[Diagnostic] = []
    for check_id, citations in entries.citations.items():
        for citation in citations:
            result = _resolve(check_id, citation, articles, diagnostics)
            if result is not None:
                resolved.append(result)
    return tuple(resolved), diagnostics


def _resolve(
    check_id: str, citation: Citation, articles: Mapping[str, Article], diagnostics: list[Diagnostic]
) -> Resolved | None:
    article = articles.get(citation.article)
    if article is None:
        diagnostics.append(_unknown_article(citation, articles))
        return None
    result = find_quote(article.normalized, citation.quote, citation.prefix, citation.suffix)
    if isinstance(result, Found):
        return Resolved(check_id, citation, result.start, result.end, result.parts)
    if isinstance(result, Ambiguous):
        diagnostics.append(_ambiguous(citation, article, result))
    else:
        diagnostics.append(_not_found(citation, article, articles))
    return None


def _unknown_article(citation: Citation, articles: Mapping[str, Article]) -> Diagnostic:
    holders = _articles_holding(citation.quote, articles)
    if holders:
        hint = "the quote occurs in " + ", ".join(holders)
    else:
        meant = did_you_mean(citation.article, articles)
        hint = f"did you mean '{meant}'?" if meant else "run `python build.py find TEXT` to find where a quote occurs"
    return Diagnostic.at(
        citation.article_loc, "unknown-article", f"article '{citation.article}' is not in the corpus", hint=hint
    )


def _ambiguous(citation: Citation, article: Article, result: Ambiguous) -> Diagnostic:
    lines = [str(article.line_of(s)) for s in result.starts]
    where = ", ".join(lines[:8]) + (f" and {len(lines) - 8} more" if len(lines) > 8 else "")
    suggestions = [f'line {article.line_of(s)}: prefix: "{_words_before(article.body, s)}"' for s in result.starts[:4]]
    hint = "add a prefix or suffix that picks one occurrence, e.g. " + "; ".join(suggestions)
    return Diagnostic.at(
        citation.quote_loc,
        "quote-ambiguous",
        f"quote occurs {len(result.starts)} times in article '{article.id}' (lines {where})",
        hint=hint,
    )


def _not_found(citation: Citation, article: Article, articles: Mapping[str, Article]) -> Diagnostic:
    hints = []
    quote = normalize_quote(citation.quote)
    bare = find_quote(article.normalized, citation.quote)
    if (citation.prefix or citation.suffix) and not isinstance(bare, NotFound):
        hints.append(_context_mismatch(citation, article, bare))
    else:
        passage = closest_passage(article.normalized, quote)
        if passage is not None:
            text = shown(article.body[passage.start : passage.end])
            what = f" ({'; '.join(passage.differences)})" if passage.differences else ""
            hints.append(
                f'closest passage, line {article.line_of(passage.start)} ({passage.similarity}% alike): "{text}"{what}'
            )
        else:
            hints.append(f"no passage of '{article.id}' comes close")
        holders = _articles_holding(citation.quote, articles, exclude=article.id)
        if holders:
            hints.append("the quote does occur in " + ", ".join(holders))
    return Diagnostic.at(
        citation.quote_loc,
        "quote-not-found",
        f"quote not found in article '{article.id}'",
        hint="\n".join(hints),
    )


def _context_mismatch(citation: Citation, article: Article, bare: Found | Ambiguous) -> str:
    starts = (bare.start,) if isinstance(bare, Found) else bare.starts
    ends = (bare.end,) if isinstance(bare, Found) else ()
    lines = ", ".join(str(article.line_of(s)) for s in starts)
    given = []
    if citation.prefix:
        given.append(f'prefix "{citation.prefix}"')
    if citation.suffix:
        given.append(f'suffix "{citation.suffix}"')
    actual = f'; there the text before it is "{_words_before(article.body, starts[0])}"'
    if ends:
        actual += f' and after it "{_words_after(article.body, ends[0])}"'
    return f"the quote occurs (line {lines}) but not with the {' and '.join(given)}{actual}"


def _articles_holding(quote: str, articles: Mapping[str, Article], exclude: str | None = None) -> list[str]:
    q = normalize_quote(quote)
    found = []
    if not q:
        return found
    for article_id, article in articles.items():
        if article_id == exclude:
            continue
        start = next(occurrences(article.normalized.text, q), None)
        if start is not None:
            line = article.line_of(article.normalized.to_original(start))
            found.append(f"'{article_id}' (line {line})")
            if len(found) == _MAX_OTHER_ARTICLES:
                break
    return found


def _words_before(body: str, start: int, count: int = 4) -> str:
    return " ".join(_WORDS.findall(body[max(0, start - 120) : start])[-count:])


def _words_after(body: str, end: int, count: int = 4) -> str:
    return " ".join(_WORDS.findall(body[end : end + 120])[:count])
