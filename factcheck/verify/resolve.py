"""Resolving citations: every quote to exactly one span of its article."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..cache import Cache, Space, digest
from ..diagnostics import Diagnostic
from ..model import Article, Citation, Resolved
from ..progress import EVERY_FILES, quiet
from .entries import Entries
from .explain import ambiguous, not_found, unknown_article
from .match import Ambiguous, Found, MatchResult, find_quote

# Matches found, by article digest and the citation's quote, prefix and suffix.
FOUND = Space[Found]("found", Found, by_row=True)


def resolve_citations(
    entries: Entries,
    articles: Mapping[str, Article],
    cache: Cache | None = None,
    progress: Callable[[str, int, int], None] = quiet,
) -> tuple[tuple[Resolved, ...], list[Diagnostic]]:
    resolved: list[Resolved] = []
    diagnostics: list[Diagnostic] = []
    cache = cache or Cache.disabled()
    done, total = 0, entries.citation_count
    for n, (check_id, citations) in enumerate(entries.citations.items()):
        if n % EVERY_FILES == 0:
            progress("checking citations", done, total)
        done += len(citations)
        for citation in citations:
            result = _resolve(check_id, citation, articles, diagnostics, cache)
            if result is not None:
                resolved.append(result)
    for citations in entries.unlisted:
        for citation in citations:
            _resolve("", citation, articles, diagnostics, cache)
    # A normalized text is several times its body's size, and only matching
    # needs it. Only the articles cited were normalized, but when a quote is
    # not found its hint looks through every article.
    if diagnostics:
        used: Iterable[Article] = articles.values()
    else:
        cited = {c.article for cs in (*entries.citations.values(), *entries.unlisted) for c in cs}
        used = [articles[a] for a in cited if a in articles]
    for article in used:
        article.forget_normalized()
    return tuple(resolved), diagnostics


def match(citation: Citation, article: Article, cache: Cache) -> MatchResult:
    """Where the citation's quote stands in its article (find_quote), from
    the cache when it was found before. Only a match is remembered: it
    depends on nothing but the body and the citation's text, while a
    failure's hint looks across the whole corpus."""
    return match_quote(article, citation.quote, citation.prefix, citation.suffix, cache)


def match_quote(article: Article, quote: str, prefix: str | None, suffix: str | None, cache: Cache) -> MatchResult:
    """`match`, for a citation given as its quote, prefix and suffix."""
    key = (article.digest or digest(article.body), quote, prefix, suffix)
    result = cache.get(FOUND, key)
    if result is None:
        result = find_quote(article.normalized, quote, prefix, suffix)
        if isinstance(result, Found):
            cache.put(FOUND, key, result)
    return result


def _resolve(
    check_id: str,
    citation: Citation,
    articles: Mapping[str, Article],
    diagnostics: list[Diagnostic],
    cache: Cache,
) -> Resolved | None:
    article = articles.get(citation.article)
    if article is None:
        diagnostics.append(unknown_article(citation, articles))
        return None
    result = match(citation, article, cache)
    if isinstance(result, Found):
        if result.hollow_elision:
            diagnostics.append(
                Diagnostic.at(
                    citation.quote_loc,
                    "elision-empty",
                    "an elision marker [...] in this quote leaves nothing out",
                    hint="readers would see a gap marked where the article has none; remove the marker",
                    severity="warning",
                )
            )
        return Resolved(check_id, citation, result.start, result.end, result.parts)
    if isinstance(result, Ambiguous):
        diagnostics.append(ambiguous(citation, article, result))
    else:
        diagnostics.append(not_found(citation, article, articles))
    return None
