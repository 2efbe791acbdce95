"""The corpus: archived articles, each a body with optional front matter."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..cache import Cache, Space
from ..diagnostics import Diagnostic, Location
from ..model import Article, Text, parse_archived
from ..progress import EVERY_FILES, quiet
from .fields import FieldSpec, read_record
from .sources import SourceFile, Walks, decode, discover, load_source, read_text, source_key
from .yamlsource import Node, describe, parse

ARTICLE_FIELDS = (
    FieldSpec("title", "string", False, "the headline; defaults to the body's first non-empty line"),
    FieldSpec("publisher", "string", False, "the outlet that published it"),
    FieldSpec("url", "url", False, "where it was published"),
    FieldSpec("published", "date", False, "when it was published"),
    FieldSpec("language", "language", False, "its language, a BCP 47 tag such as 'en'"),
    FieldSpec("license", "string", False, "the licence it was archived under"),
    FieldSpec("sha256", "sha256", False, "hex SHA-256 of the body's UTF-8 bytes; guards against silent edits"),
    FieldSpec("author", "string", False, "who wrote it, as the page or document names them"),
    FieldSpec("archived", "string", False, "when its text was captured: YYYY-MM-DD or an RFC 3339 date-time"),
    FieldSpec("archive_url", "url", False, "an archived copy of it, such as a Wayback Machine or perma.cc address"),
    FieldSpec("warc_digest", "string", False, "the WARC-Payload-Digest of the capture it was imported from"),
    FieldSpec("pages", "offsets", False, "for a document: the body offset at which each page starts, [0, ...]"),
)
# Read here rather than by read_record: a page start is checked against the body.
_BODY_FIELDS = {"pages"}
_DIGEST = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9+/=]+$")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
# Control characters other than tab, line breaks and form feed: no page can show them.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# The same characters' bytes in UTF-8: those below \x80 as themselves, the
# others (U+0080-U+009F) as \xc2 and a byte \x80-\x9f. Translating an
# article's bytes and looking for a mark takes a fifth of searching its text.
_CONTROL_BYTES = bytes(int(b < 0x80 and _UNSHOWABLE.match(chr(b)) is not None) for b in range(256))


_Parsed = tuple[Article | None, tuple[Diagnostic, ...]]
# Parsed articles, by the file's place, id and bytes (sources.source_key).
ARTICLES = Space[_Parsed]("article", _Parsed, by_row=True)


def load_corpus(
    folder: Path,
    root: Path,
    cache: Cache | None = None,
    progress: Callable[[str, int, int], None] = quiet,
    walks: Walks | None = None,
) -> tuple[dict[str, Article], list[Diagnostic]]:
    files, diagnostics = discover(folder, root, (".txt",), "article", walks)
    cache = cache or Cache.disabled()
    articles: dict[str, Article] = {}
    for n, source in enumerate(files):
        if n % EVERY_FILES == 0:
            progress("reading articles", n, len(files))
        article, problems = load_source(source, cache, ARTICLES, partial(_parsed, source))
        diagnostics.extend(problems)
        if article is not None:
            article.text.locate(str(source.path))  # a parse from the cache keeps no body
            if source.registered:
                articles[article.id] = article
    return articles, diagnostics


def _parsed(source: SourceFile, data: bytes | None, problems: list[Diagnostic], key: str, sha256: str) -> _Parsed:
    if data is None:
        return None, tuple(problems)
    text, decoding = decode(data, source.shown)
    if text is None:
        return None, (*problems, *decoding)
    article, found = parse_article(source, text, key, sha256, data)
    return article, (*problems, *found)


def load_article(source: SourceFile, key: str | None = None) -> tuple[Article | None, list[Diagnostic]]:
    """One article file, read and checked on its own. `key`: what its pages
    depend on (see sources.source_key)."""
    text, problems = read_text(source.path, source.shown)
    if text is None:
        return None, problems
    return parse_article(source, text, key)


def parse_article(
    source: SourceFile, text: str, key: str | None = None, sha256: str = "", data: bytes | None = None
) -> tuple[Article | None, list[Diagnostic]]:
    """An article from its text (as read: BOM dropped, line endings kept);
    `sha256`: of the file's bytes, as read (what its body is read again under);
    `data`: those bytes, where `text` is their decoding."""
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
            held: dict = {}
            if node.kind == "map":
                given: dict = node.value  # type: ignore[assignment]
                held = {k: given[k] for k in _BODY_FIELDS if k in given}
                node = Node("map", {k: v for k, v in given.items() if k not in held}, node.loc)
            record = read_record(node, ARTICLE_FIELDS, diagnostics, what="article front matter")
            if record is not None:
                meta, locs = record.values, record.locs
                _check_archived(meta, locs, diagnostics)
                _check_digest(meta, locs, diagnostics)
            if "pages" in held:
                locs["pages"] = held["pages"].node.loc
                pages = _read_pages(held["pages"].node, len(body), diagnostics)
                if pages is not None:
                    meta["pages"] = pages
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
    bad = _UNSHOWABLE.search(body) if data is None or _holds_unshowable(data) else None
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
    if not body or body.isspace():  # (what strip() strips, without a copy of the body)
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
        text=Text(body, start=len(text) - len(body), sha256=sha256),
        body_line=body_line,
        title=title,
        publisher=meta.get("publisher"),
        url=meta.get("url"),
        published=meta.get("published"),
        language=meta.get("language"),
        license=meta.get("license"),
        sha256=digest,
        digest=key or source_key(source, hashlib.sha256(text.encode("utf-8")).hexdigest()),
        author=meta.get("author"),
        archived=meta.get("archived"),
        archive_url=meta.get("archive_url"),
        warc_digest=meta.get("warc_digest"),
        pages=meta.get("pages"),
    )
    return article, diagnostics


def _check_archived(meta: dict, locs: dict[str, Location], diagnostics: list[Diagnostic]) -> None:
    if "archived" not in meta:
        return
    if parse_archived(meta["archived"]) is None:
        diagnostics.append(
            Diagnostic.at(
                locs["archived"],
                "schema",
                f"'archived' is not a valid date or date-time: {meta['archived']!r}",
                hint="write YYYY-MM-DD, or a date-time with its time zone such as 2019-11-19T14:03:11Z",
            )
        )
        del meta["archived"]


def _check_digest(meta: dict, locs: dict[str, Location], diagnostics: list[Diagnostic]) -> None:
    if "warc_digest" in meta and not _DIGEST.match(meta["warc_digest"]):
        diagnostics.append(
            Diagnostic.at(
                locs["warc_digest"],
                "schema",
                f"'warc_digest' is not a WARC digest: {meta['warc_digest']!r}",
                hint="an algorithm, a colon and the digest, as a WARC-Payload-Digest gives it: sha1:2Q4NSU…",
            )
        )
        del meta["warc_digest"]


def _read_pages(node: Node, body_length: int, diagnostics: list[Diagnostic]) -> tuple[int, ...] | None:
    """`pages: [0, 1834, 4120]`: where pages 1, 2, 3... start, as body offsets.
    Each starts at or after the one before (a page with no text starts where
    the next one does), the first at 0, none past the body's end."""

    def fail(where: Node, message: str, hint: str) -> None:
        diagnostics.append(Diagnostic.at(where.loc, "schema", message, hint=hint))

    if node.kind == "rejected":
        return None  # reported already
    form = "write pages: [0, 1834, 4120]: the body offset (in code points) at which pages 1, 2, 3... start"
    if node.kind != "seq":
        fail(node, f"'pages' must be a list of body offsets, not {describe(node)}", form)
        return None
    items: list[Node] = node.value  # type: ignore[assignment]
    if not items:
        fail(node, "'pages' is empty", form)
        return None
    offsets: list[int] = []
    for i, item in enumerate(items):
        if item.kind != "int":
            fail(item, f"page {i + 1} of 'pages' must be a body offset (a whole number), not {describe(item)}", form)
            return None
        if item.value < 0:  # type: ignore[operator]
            fail(item, f"page {i + 1} of 'pages' must be a body offset (0 or more), not {item.value}", form)
            return None
        value: int = item.value  # type: ignore[assignment]
        if i == 0 and value != 0:
            fail(item, f"'pages' must start at 0 (page 1 starts the body), not {value}", form)
            return None
        if offsets and value < offsets[-1]:
            fail(item, f"page {i + 1} of 'pages' starts at {value}, before page {i} ({offsets[-1]})", form)
            return None
        if value > body_length:
            fail(item, f"page {i + 1} of 'pages' starts at {value}, past the end of the body ({body_length})", form)
            return None
        offsets.append(value)
    return tuple(offsets)


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


def _holds_unshowable(data: bytes) -> bool:
    """Whether UTF-8 bytes hold a character `_UNSHOWABLE` finds in their text."""
    if 1 in data.translate(_CONTROL_BYTES):
        return True
    at = data.find(b"\xc2")
    while at != -1:
        if b"\x80" <= data[at + 1 : at + 2] <= b"\x9f":
            return True
        at = data.find(b"\xc2", at + 1)
    return False


def _first_line(body: str) -> str:
    for line in body.splitlines():
        if line.strip():
            return line.strip()
    return ""
