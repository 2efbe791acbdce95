"""`find`: where a text occurs in the corpus, as citations ready to paste.

Every hit comes from the real matcher (`match.find_quote`), and every
citation block printed is first read back through the entry loader and
resolved again, so a block that `find` prints is one that `check` accepts.
The index (`findindex.py`) only decides which articles are worth asking.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..model import Article, Config
from ..verify.corpus import load_article
from ..verify.entries import read_entry
from ..verify.hints import Passage, closest_passage, shown
from ..verify.match import Ambiguous, Found, elision_parts, find_quote
from ..verify.normalize import normalize_quote
from ..verify.sources import SourceFile, discover
from ..verify.yamlsource import parse
from .findindex import FILE, FOLDER, FindIndex, Refresh

DEFAULT_LIMIT = 20  # occurrences shown
MAX_CONTEXT_WORDS = 12  # of prefix or suffix tried to pick one occurrence
_MIN_CONTEXT_WORDS = 3  # one word ("a") would pick an occurrence today and break tomorrow
_CLOSEST_SHOWN = 3
_CLOSEST_CANDIDATES = 50  # articles given to rapidfuzz when nothing matched
_CONTEXT_CHARS = 80  # shown either side of a hit
_WORDS = re.compile(r"\S+")
_SPACE_RUN = re.compile(r"\s+")
# What PyYAML refuses in a document, or reads as a line break (YAML 1.1's
# NEL, LS, PS), and json.dumps leaves as it is: written as escapes instead.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# A complete entry around one citation, for reading a block back as `check` would.
_ENTRY = "claim: x\nclaimant: x\nverdict: x\nsummary: x\npublished: 2000-01-01\ncitations:\n"


class FindError(Exception):
    """The corpus cannot be searched at all (a usage or config problem)."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class Hit:
    """One occurrence, and the citation that picks it (None if none does)."""

    article: Article
    start: int
    end: int
    parts: tuple[tuple[int, int], ...]  # an elided text: each part's span
    citation: dict[str, str] | None

    @property
    def line(self) -> int:
        return self.article.line_of(self.start)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return self.parts or ((self.start, self.end),)


@dataclass(frozen=True)
class Near:
    article: Article
    passage: Passage


@dataclass(frozen=True)
class FindResult:
    text: str
    hits: tuple[Hit, ...]
    truncated: bool  # more occurrences than the limit
    more_articles: int  # articles that hold the text and were not looked at (the limit was reached)
    closest: tuple[Near, ...]  # when there is no hit
    articles: int  # in the corpus
    refresh: Refresh | None  # what the index did; None without an index (every article scanned)
    index_path: Path | None = None  # None: the index was kept in memory for this run only


def find_text(config: Config, text: str, limit: int = DEFAULT_LIMIT) -> FindResult:
    """Every occurrence of `text` in the corpus (the first `limit` of them),
    or else the closest passages."""
    sources, problems = discover(config.articles_dir, config.root, (".txt",), "article")
    missing = [d for d in problems if d.code == "config"]
    if missing:
        raise FindError(missing[0])
    by_id = {s.id: s for s in sources if s.registered}
    index = FindIndex.open(config.root)
    index_path = index.path if index else None
    try:
        refresh = index.refresh(list(by_id.values())) if index else None
        parts = _parts(text)
        candidates = index.holding(parts) if index else sorted(by_id)
        hits, truncated, more = _hits(text, candidates, by_id, limit)
        closest: tuple[Near, ...] = ()
        if not hits:
            query = " ".join(parts)
            pool = index.similar(query, _CLOSEST_CANDIDATES) if index else sorted(by_id)
            closest = _closest(query, pool, by_id)
    finally:
        if index:
            index.close()
    return FindResult(text, tuple(hits), truncated, more, closest, len(by_id), refresh, index_path)


def _parts(text: str) -> list[str]:
    """What every article holding the text must contain (normalized): its
    parts if it is elided (a literal match contains them too), else itself."""
    parts = elision_parts(text)
    if len(parts) > 1 and all(parts):
        return parts
    return [normalize_quote(text)]


def _hits(
    text: str, candidates: Sequence[str], by_id: Mapping[str, SourceFile], limit: int
) -> tuple[list[Hit], bool, int]:
    hits: list[Hit] = []
    for n, article_id in enumerate(candidates):
        article = _load(by_id.get(article_id))
        if article is None:
            continue
        result = find_quote(article.normalized, text)
        if isinstance(result, Found):
            parts = () if result.hollow_elision else result.parts
            hits.append(Hit(article, result.start, result.end, parts, _citation(article, text, result, None, None)))
        elif isinstance(result, Ambiguous):
            for start, end in result.spans:
                if len(hits) == limit:
                    return hits, True, len(candidates) - n - 1
                hits.append(_ambiguous_hit(article, text, start, end))
        if len(hits) >= limit and n + 1 < len(candidates):
            return hits, True, len(candidates) - n - 1
    return hits, False, 0


def _ambiguous_hit(article: Article, text: str, start: int, end: int) -> Hit:
    """An occurrence among several in one article: the shortest context of
    the article's own words that picks it, checked with the matcher."""
    for prefix, suffix in _contexts(article.body, start, end):
        found = find_quote(article.normalized, text, prefix, suffix)
        if isinstance(found, Found) and found.start == start:
            citation = _citation(article, text, found, prefix, suffix)
            if citation is not None:
                return Hit(article, found.start, found.end, () if found.hollow_elision else found.parts, citation)
    return Hit(article, start, end, (), None)


def _contexts(body: str, start: int, end: int) -> Iterator[tuple[str | None, str | None]]:
    """Prefixes and suffixes of whole words, shortest first; then both."""
    before = _WORDS.findall(body[max(0, start - 40 * MAX_CONTEXT_WORDS) : start])
    after = _WORDS.findall(body[end : end + 40 * MAX_CONTEXT_WORDS])
    seen: set[tuple[str | None, str | None]] = set()
    counts = range(_MIN_CONTEXT_WORDS, MAX_CONTEXT_WORDS + 1)
    tries = [(" ".join(before[-c:]) or None, None) for c in counts]
    tries += [(None, " ".join(after[:c]) or None) for c in counts]
    tries.sort(key=lambda t: len((t[0] or t[1] or "").split()))  # stable: a prefix before a suffix as long
    tries += [(" ".join(before[-c:]) or None, " ".join(after[:c]) or None) for c in counts]
    for context in tries:
        if context not in seen and context != (None, None):
            seen.add(context)
            yield context


def _citation(
    article: Article, text: str, found: Found, prefix: str | None, suffix: str | None
) -> dict[str, str] | None:
    """The citation for a match, in the article's own characters where they
    read back to the same span; verified as `check` would read it."""
    parts = () if found.hollow_elision else found.parts
    spans = parts or ((found.start, found.end),)
    own = " [...] ".join(article.body[s:e] for s, e in spans)
    for quote in dict.fromkeys((_SPACE_RUN.sub(" ", own).strip(), own, text.strip())):
        citation = {"article": article.id, "quote": quote}
        if prefix:
            citation["prefix"] = prefix
        if suffix:
            citation["suffix"] = suffix
        citation["stance"] = "context"
        if _reads_back(citation, article, found.start, found.end, parts):
            return citation
    return None


def _reads_back(citation: dict[str, str], article: Article, start: int, end: int, parts: tuple) -> bool:
    """Does the block, read by the entry loader and resolved by the matcher,
    give exactly this span, with no warning?"""
    node, problems = parse(_ENTRY + citation_block(citation), "find")
    if node is None or problems:
        return False
    diagnostics: list[Diagnostic] = []
    _record, citations = read_entry(node, diagnostics)
    if diagnostics or len(citations) != 1 or citations[0].article != article.id:
        return False
    c = citations[0]
    result = find_quote(article.normalized, c.quote, c.prefix, c.suffix)
    return (
        isinstance(result, Found)
        and (result.start, result.end, result.parts) == (start, end, parts)
        and not result.hollow_elision
    )


def _closest(query: str, pool: Sequence[str], by_id: Mapping[str, SourceFile]) -> tuple[Near, ...]:
    nears = []
    for article_id in pool:
        article = _load(by_id.get(article_id))
        passage = closest_passage(article.normalized, query) if article else None
        if article and passage:
            nears.append(Near(article, passage))
    nears.sort(key=lambda n: (-n.passage.similarity, n.article.id, n.passage.start))
    return tuple(nears[:_CLOSEST_SHOWN])


def _load(source: SourceFile | None) -> Article | None:
    """The article (None if it is gone or unreadable: `check` says why)."""
    if source is None:
        return None
    article, _problems = load_article(source)
    return article


# --- output ---------------------------------------------------------------


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes are YAML's too."""
    dumped = json.dumps(text, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def citation_block(citation: Mapping[str, str]) -> str:
    """One citation as YAML, indented to paste under `citations:`."""
    lines = []
    for i, (key, value) in enumerate(citation.items()):
        lead = "  - " if i == 0 else "    "
        plain = key in ("article", "stance")  # ids and stances are safe unquoted
        lines.append(f"{lead}{key}: {value if plain else yaml_string(value)}")
    return "\n".join(lines) + "\n"


def format_text(result: FindResult, limit: int, color: bool = False) -> str:
    out: list[str] = []
    quoted = _printable(shown(result.text))
    if result.hits:
        count = len(result.hits)
        articles = len({h.article.id for h in result.hits})
        if result.truncated:
            out.append(f'"{quoted}" occurs more than {_times(count)}; the first {count}:')
        else:
            out.append(f'"{quoted}" occurs {_times(count)} in {_plural(articles, "article")}:')
        for hit in result.hits:
            out.append("")
            out.extend(_hit_lines(hit, color))
        out.append("")
        if result.truncated:
            more = f"; {_plural(result.more_articles, 'more article')} hold it" if result.more_articles else ""
            out.append(f"showing the first {limit}{more}: add words to the text, or pass --limit N")
        out.append("paste a block under `citations:` in an entry, and set its stance:")
        out.append("claim, supports, contradicts or context (the default)")
        return "\n".join(out)
    out.append(f'"{quoted}" is not in the corpus ({_plural(result.articles, "article")} searched)')
    if not result.closest:
        out.append("no passage comes close")
    else:
        out.append("closest passages:")
        for near in result.closest:
            p = near.passage
            line = near.article.line_of(p.start)
            out.append(
                f"  {p.similarity}% alike  {near.article.id}, line {line}: "
                f'"{_printable(shown(near.article.body[p.start : p.end]))}"'
            )
            for difference in p.differences:
                out.append(f"      {_printable(difference)}")
    out.append("a quote must be the article's own words (quotes, dashes and spacing aside)")
    return "\n".join(out)


def _hit_lines(hit: Hit, color: bool) -> list[str]:
    article = hit.article
    context, marks = _context(article.body, hit.spans, color)
    line = str(hit.line)
    gutter = " " * len(line)
    lines = [
        f"{_paint(article.id, '1', color)}, line {line}: {_printable(article.title)}",
        f"{gutter} |",
        f"{line} | {context}",
        f"{gutter} | {_paint(marks, '33;1', color)}",
    ]
    if hit.citation is None:
        lines.append(
            f"  (no block: no prefix or suffix of up to {MAX_CONTEXT_WORDS} words picks this occurrence out; "
            "quote more of the passage)"
        )
    else:
        lines.extend(citation_block(hit.citation).rstrip("\n").splitlines())
    return lines


def _context(body: str, spans: Sequence[tuple[int, int]], color: bool) -> tuple[str, str]:
    """The hit in its line(s), on one line, and a line of carets under it
    (the carets show where it is without colour, in a log or a pipe)."""
    start, end = spans[0][0], spans[-1][1]
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line_end = len(body) if line_end == -1 else line_end
    left = max(line_start, start - _CONTEXT_CHARS)
    right = min(line_end, end + _CONTEXT_CHARS)
    while left > line_start and left < start and not body[left - 1].isspace():
        left += 1  # cut at white space, not inside a word
    while right < line_end and right > end and not body[right].isspace():
        right -= 1
    cells: list[tuple[str, bool]] = []  # what is shown, and whether it is the hit
    for i in range(left, right):
        ch = body[i]
        if ch.isspace():
            if cells and cells[-1][0] == " ":
                continue
            ch = " "
        else:
            ch = _printable(ch)
        cells.append((ch, any(s <= i < e for s, e in spans)))
    while cells and cells[0][0] == " ":
        cells.pop(0)
    while cells and cells[-1][0] == " ":
        cells.pop()
    if left > line_start:
        cells.insert(0, ("…", False))
    if right < line_end:
        cells.append(("…", False))
    text = "".join(_paint("".join(c for c, _ in run), "33;1", color and marked) for marked, run in _runs(cells))
    marks = "".join(("^" if marked else " ") * _width(c) for c, marked in cells).rstrip()
    return text, marks


def _runs(cells: list[tuple[str, bool]]) -> Iterator[tuple[bool, list[tuple[str, bool]]]]:
    run: list[tuple[str, bool]] = []
    for cell in cells:
        if run and cell[1] != run[-1][1]:
            yield run[-1][1], run
            run = []
        run.append(cell)
    if run:
        yield run[-1][1], run


def _printable(text: str) -> str:
    """Control characters in an archived text or a title must not drive the terminal."""
    return text if text.isprintable() else "".join(c if c.isprintable() or c == " " else "\ufffd" for c in text)


def _width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Cf":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def format_json(result: FindResult) -> str:
    data = {
        "text": result.text,
        "found": bool(result.hits),
        "articles": result.articles,
        "hits": [
            {
                "article": h.article.id,
                "title": h.article.title,
                "file": h.article.path,
                "line": h.line,
                "start": h.start,
                "end": h.end,
                **({"parts": [list(p) for p in h.parts]} if h.parts else {}),
                "text": h.article.body[h.start : h.end],
                "citation": h.citation,
                "yaml": citation_block(h.citation) if h.citation else None,
            }
            for h in result.hits
        ],
        "truncated": result.truncated,
        "more_articles": result.more_articles,
        "closest": [
            {
                "article": n.article.id,
                "file": n.article.path,
                "line": n.article.line_of(n.passage.start),
                "similarity": n.passage.similarity,
                "start": n.passage.start,
                "end": n.passage.end,
                "passage": n.article.body[n.passage.start : n.passage.end],
                "differences": list(n.passage.differences),
            }
            for n in result.closest
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def index_note(result: FindResult) -> str | None:
    """A line for stderr about the index, when there is something to say
    (the first run is the slow one: it says why)."""
    r = result.refresh
    if r is None:
        return "note: this Python's SQLite has no FTS5 trigram tokenizer, so every article was read"
    if result.index_path is None:
        return f"note: could not save the index in {FOLDER}/ (read-only?), so it was built for this run only"
    if not r.changed:
        return None
    done = ", ".join(
        f"{n} {what}" for n, what in ((r.added, "added"), (r.updated, "changed"), (r.removed, "removed")) if n
    )
    return f"updated the index {FOLDER}/{FILE}: {_plural(r.added + r.updated + r.removed, 'article')} ({done})"


def _paint(text: str, sgr: str, color: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if color and text.strip() else text


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
