"""Resolving citations: every quote to exactly one span of its article."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .corpus import Article
from .diagnostics import Diagnostic
from .entries import Citation, Entries
from .hints import closest_passage, did_you_mean, shown
from .match import MAX_GAP, Ambiguous, Found, NotFound, elision_parts, find_quote, occurrences
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
    def spans(self) -> tuple[tuple[int, int], ...]:
        """What a reader sees highlighted: the parts, or the whole span."""
        return self.parts or ((self.start, self.end),)

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
    for citations in entries.unlisted:
        for citation in citations:
            _resolve("", citation, articles, diagnostics)
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
        hint = f"did you mean '{meant}'?" if meant else f"the corpus has {len(articles)} articles; check the id"
    return Diagnostic.at(
        citation.article_loc, "unknown-article", f"article '{citation.article}' is not in the corpus", hint=hint
    )


def _ambiguous(citation: Citation, article: Article, result: Ambiguous) -> Diagnostic:
    lines = [str(article.line_of(s)) for s in result.starts]
    where = ", ".join(lines[:8]) + (f" and {len(lines) - 8} more" if len(lines) > 8 else "")
    suggestions = [_context_that_picks(citation, article, span) for span in result.spans[:4]]
    hint = "add a prefix or suffix that picks one occurrence:\n" + "\n".join(s for s in suggestions if s)
    return Diagnostic.at(
        citation.quote_loc,
        "quote-ambiguous",
        f"quote occurs {len(lines)} times in article '{article.id}' (lines {where})",
        hint=hint,
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
                return f"line {line}: {field}: {_yaml_string(context)}"
    return None


def _not_found(citation: Citation, article: Article, articles: Mapping[str, Article]) -> Diagnostic:
    parts = elision_parts(citation.quote)
    bare = find_quote(article.normalized, citation.quote)
    if (citation.prefix or citation.suffix) and not isinstance(bare, NotFound):
        hints = [_context_mismatch(citation, article, bare)]
    elif len(parts) > 1:
        hints = _elision_hints(article, parts)
    else:
        hints = _near_misses(article, normalize_quote(citation.quote))
        holders = _articles_holding(citation.quote, articles, exclude=article.id)
        if holders:
            hints.append("the quote does occur in " + ", ".join(holders))
    return Diagnostic.at(
        citation.quote_loc,
        "quote-not-found",
        f"quote not found in article '{article.id}'",
        hint="\n".join(hints),
    )


def _near_misses(article: Article, quote: str, label: str = "closest passage") -> list[str]:
    if quote in normalize_quote(article.title) and quote not in article.normalized.text:
        return [f"that is (part of) the title of '{article.id}', not its text; a quote must come from the body"]
    passage = closest_passage(article.normalized, quote)
    if passage is not None:
        text = shown(article.body[passage.start : passage.end])
        what = f" ({'; '.join(passage.differences)})" if passage.differences else ""
        line = article.line_of(passage.start)
        return [f'{label}, line {line} ({passage.similarity}% alike): "{text}"{what}']
    return [f"no passage of '{article.id}' comes close"]


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
        hints += _near_misses(article, part, label=f'part {i} ("{part}") not found; closest passage')
    return hints


def _context_mismatch(citation: Citation, article: Article, bare: Found | Ambiguous) -> str:
    spans = ((bare.start, bare.end),) if isinstance(bare, Found) else bare.spans
    lines = [str(article.line_of(s)) for s, _ in spans]
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(lines[:8])}"
    given = []
    if citation.prefix:
        given.append(f'prefix "{citation.prefix}"')
    if citation.suffix:
        given.append(f'suffix "{citation.suffix}"')
    contexts = []
    for start, end in spans[:3]:
        sides = []
        if citation.prefix:
            sides.append(f'after "{_words_before(article.body, start)}"')
        if citation.suffix:
            sides.append(f'before "{_words_after(article.body, end)}"')
        contexts.append(f"line {article.line_of(start)}: " + " and ".join(sides))
    return f"the quote occurs ({where}) but not with the {' and '.join(given)}; it stands\n" + "\n".join(contexts)


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


def _yaml_string(text: str) -> str:
    """A YAML double-quoted string (a JSON string is one), ready to paste."""
    return json.dumps(text, ensure_ascii=False)
