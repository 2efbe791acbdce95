"""The corpus: archived articles, each a body with optional front matter."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

from .cache import Cache, Space
from .diagnostics import Diagnostic, Location
from .fields import FieldSpec, read_record
from .normalize import NormalizedText, normalize
from .sources import SourceFile, decode, discover, load_source, read_text, source_key
from .yamlsource import parse

ARTICLE_FIELDS = (
    FieldSpec("title", "string", False, "the headline; defaults to the body's first non-empty line"),
    FieldSpec("publisher", "string", False, "the outlet that published it"),
    FieldSpec("url", "url", False, "where it was published"),
    FieldSpec("published", "date", False, "when it was published"),
    FieldSpec("language", "language", False, "its language, a BCP 47 tag such as 'en'"),
    FieldSpec("license", "string", False, "the licence it was archived under"),
    FieldSpec("sha256", "sha256", False, "hex SHA-256 of the body's UTF-8 bytes; guards against silent edits"),
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
# Control characters other than tab, line breaks and form feed: no page can show them.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Article:
    id: str
    path: str  # as diagnostics show it
    body: str
    body_line: int  # the file line on which the body starts
    title: str
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    license: str | None = None
    sha256: str | None = None
    digest: str = ""  # of the file as read: what every page showing the article depends on

    def forget_normalized(self) -> None:
        """Free the normalized text (a cache, made again when next needed)."""
        self.__dict__.pop("normalized", None)

    @cached_property
    def normalized(self) -> NormalizedText:
        return normalize(self.body)

    def line_of(self, offset: int) -> int:
        """The file line holding a body offset."""
        return self.body_line + self.body.count("\n", 0, offset)


_Parsed = tuple[Article | None, tuple[Diagnostic, ...]]
# Parsed articles, by the file's place, id and bytes (sources.source_key).
ARTICLES = Space[_Parsed]("article", _Parsed)


def load_corpus(folder: Path, root: Path, cache: Cache | None = None) -> tuple[dict[str, Article], list[Diagnostic]]:
    files, diagnostics = discover(folder, root, (".txt",), "article")
    cache = cache or Cache.disabled()
    articles: dict[str, Article] = {}
    for source in files:
        article, problems = load_source(source, cache, ARTICLES, partial(_parsed, source))
        diagnostics.extend(problems)
        if article is not None and source.registered:
            articles[article.id] = article
    return articles, diagnostics


def _parsed(source: SourceFile, data: bytes | None, problems: list[Diagnostic], key: str) -> _Parsed:
    if data is None:
        return None, tuple(problems)
    text, decoding = decode(data, source.shown)
    if text is None:
        return None, (*problems, *decoding)
    article, found = parse_article(source, text, key)
    return article, (*problems, *found)


def load_article(source: SourceFile, key: str | None = None) -> tuple[Article | None, list[Diagnostic]]:
    """One article file, read and checked on its own. `key`: what its pages
    depend on (see sources.source_key)."""
    text, problems = read_text(source.path, source.shown)
    if text is None:
        return None, problems
    return parse_article(source, text, key)


def parse_article(source: SourceFile, text: str, key: str | None = None) -> tuple[Article | None, list[Diagnostic]]:
    """An article from its text (as read: BOM dropped, line endings kept)."""
    diagnostics: list[Diagnostic] = []
    front, body, body_line, problem = split_front_matter(text)
    if problem:
        diagnostics.append(
            Diagnostic.at(
                Location(source.shown, 1, 1),
                "yaml-syntax",
                problem,
                hint="close the front matter with a line holding only '---'",
            )
        )
        return None, diagnostics
    meta: dict = {}
    locs: dict[str, Location] = {}
    if front is not None and front.strip():
        node, problems = parse(front, source.shown, line_offset=1)
        diagnostics.extend(problems)
        if node is not None:
            record = read_record(node, ARTICLE_FIELDS, diagnostics, what="article front matter")
            if record is not None:
                meta, locs = record.values, record.locs
    digest = meta.get("sha256")
    if digest is not None:
        actual = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if actual != digest:
            diagnostics.append(
                Diagnostic.at(
                    locs["sha256"],
                    "article-hash-mismatch",
                    f"the body of article '{source.id}' no longer matches its sha256",
                    hint=_what_changed(body, digest)
                    + f"the body now hashes to {actual}; archived text must not change: restore it, "
                    "or archive the new version as a new article (only while no check cites it yet, "
                    "as when correcting a fresh import, may you set sha256 to the new hash instead)",
                )
            )
    elif "sha256" not in locs:
        diagnostics.append(
            Diagnostic.at(
                Location(source.shown, 1, 1),
                "article-unpinned",
                f"article '{source.id}' has no sha256, so a silent edit would go unnoticed",
                hint=_pin_hint(front, hashlib.sha256(body.encode("utf-8")).hexdigest()),
                severity="warning",
            )
        )
    bad = _UNSHOWABLE.search(body)
    if bad:
        line = body_line + body.count("\n", 0, bad.start())
        column = bad.start() - (body.rfind("\n", 0, bad.start()) + 1) + 1
        diagnostics.append(
            Diagnostic.at(
                Location(source.shown, line, column),
                "control-character",
                f"the text holds the control character U+{ord(bad.group()):04X}, which pages show as a symbol",
                hint="archived text is what a page showed its readers, and no page shows this; remove it (and set "
                "sha256 to the new hash if no check cites the article yet), or archive the article again",
                severity="warning",
            )
        )
    if not body.strip():
        diagnostics.append(
            Diagnostic.at(
                Location(source.shown, body_line, 1),
                "empty-article",
                f"article '{source.id}' has no text",
                hint="nothing in it can be cited; archive the article's text below the front matter",
                severity="warning",
            )
        )
    title = meta.get("title") or _first_line(body) or source.id
    article = Article(
        id=source.id,
        path=source.shown,
        body=body,
        body_line=body_line,
        title=title,
        publisher=meta.get("publisher"),
        url=meta.get("url"),
        published=meta.get("published"),
        language=meta.get("language"),
        license=meta.get("license"),
        sha256=digest,
        digest=key or source_key(source, hashlib.sha256(text.encode("utf-8")).hexdigest()),
    )
    return article, diagnostics


# Edits that tools make without asking, tried in turn to explain a mismatch.
_SILENT_EDITS = (
    ("its line endings were changed from LF to CRLF (git's core.autocrlf?)", lambda b: b.replace("\r\n", "\n")),
    ("its line endings were changed from CRLF to LF", lambda b: b.replace("\n", "\r\n")),
    ("a line break was added at its end", lambda b: b[:-1] if b.endswith("\n") else b),
    ("the line break at its end was removed", lambda b: b + "\n"),
    ("white space at its end was added or removed", lambda b: b.rstrip()),
)


def _pin_hint(front: str | None, digest: str) -> str:
    if front is None:
        return f"give it front matter: a first line '---', then 'sha256: {digest}', then a line '---'"
    return f"add to its front matter: sha256: {digest}"


def _what_changed(body: str, digest: str) -> str:
    for explanation, undo in _SILENT_EDITS:
        if hashlib.sha256(undo(body).encode("utf-8")).hexdigest() == digest:
            return f"{explanation}; "
    return ""


def split_front_matter(text: str) -> tuple[str | None, str, int, str | None]:
    """(front matter or None, body, file line of the body, problem or None)."""
    if not (text.startswith("---\n") or text.startswith("---\r\n") or text == "---"):
        return None, text, 1, None
    lines = _LINE.finditer(text)
    next(lines)
    for number, m in enumerate(lines, start=2):
        if not m.group():
            break
        if m.group().rstrip("\r\n") == "---":
            opening_end = text.index("\n") + 1
            return text[opening_end : m.start()], text[m.end() :], number + 1, None
    return None, text, 1, "front matter opened on line 1 is never closed"


def _first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""
