"""Archiving a source: a saved web page, a WARC capture or a PDF becomes an article of the corpus.

`read_file` tells what kind of file it is and reads it into a `Page`: a web
page through htmlpage.py (its metadata) and extract.py (its text), a capture
through warc.py, a document through pdf.py. `render` writes the article
file; `import_page` checks the id and writes it once, never over another.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from anyascii import anyascii

from ..config import load_config
from ..diagnostics import Diagnostic
from ..safefs import Refused, read_regular
from ..verify.corpus import parse_article, split_front_matter
from ..verify.fields import URL_RE
from ..verify.ids import ID_RE, id_slug
from ..verify.sources import SourceFile, discover, read_text
from .extract import has_article_text, main_text, without_furniture
from .htmlpage import clean, decode, language_tag, metadata, quiet_bs4, soup_of
from .pdf import PdfError, is_pdf, read_pdf
from .warc import WarcError, choose, html_captures, is_warc

CODE = "import"


@dataclass(frozen=True)
class Page:
    """What a source says about itself, and its article's text."""

    title: str | None
    publisher: str | None
    published: dt.date | None
    url: str | None
    language: str | None
    paragraphs: tuple[str, ...]  # the article's text
    author: str | None = None
    archived: str | None = None  # when the text was captured (a WARC's date), RFC 3339
    warc_digest: str | None = None
    pages: tuple[int, ...] | None = None  # for a document: the body offsets where its pages start
    encoding: str | None = None
    replaced_bytes: bool = False  # some bytes were not text in the page's encoding
    name: str = ""  # what the id falls back to: the file's name, or a captured page's

    @property
    def body(self) -> str:
        return join_body(self.paragraphs)


def join_body(paragraphs: tuple[str, ...] | list[str]) -> str:
    """One paragraph a line, a blank line between, one line break at the end."""
    return "\n\n".join(paragraphs) + "\n"


@dataclass(frozen=True)
class Imported:
    id: str
    path: Path
    shown: str
    title: str
    paragraphs: int
    pages: int | None = None


@dataclass(frozen=True)
class ImportResult:
    imported: Imported | None
    diagnostics: tuple[Diagnostic, ...] = ()
    usage_error: bool = False  # the command was wrong (file, id, config), not the page
    root: Path = field(default_factory=Path)  # the folder diagnostics' files are relative to


class SourceError(Exception):
    """A file that cannot be archived; `usage`: the file is wrong (exit 2), else its content (exit 1)."""

    def __init__(self, message: str, hint: str | None = None, usage: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.usage = usage


# --- reading sources ---------------------------------------------------------------


def extract(data: bytes, declared_charset: str | None = None, url: str | None = None) -> Page:
    """A web page: metadata from its markup, text from trafilatura. JSON-LD
    `articleBody` is used only when the page shows less than half as much
    text (a page saved before its script drew the story)."""
    decoded = decode(data, declared_charset)
    meta = metadata(soup_of(decoded.text), decoded.text)
    paragraphs = without_furniture(main_text(decoded.text, url or meta.url), meta.headline)
    if not has_article_text(paragraphs):
        paragraphs = []
    if meta.article_body and sum(map(len, paragraphs)) < len(meta.article_body) / 2:
        paragraphs = _split_article_body(meta.article_body)
    return Page(
        title=meta.title,
        publisher=meta.publisher,
        published=meta.published,
        url=meta.url,
        language=meta.language,
        paragraphs=tuple(paragraphs),
        author=meta.author,
        encoding=decoded.encoding,
        replaced_bytes=decoded.replaced_bytes,
    )


def _split_article_body(text: str) -> list[str]:
    if re.search(r"<[a-zA-Z]", text):
        with quiet_bs4():
            text = soup_of(text).get_text("\n")
    return [line for line in (clean(part) for part in text.splitlines()) if line]


def read_file(path: Path, data: bytes, url: str | None, shown: str) -> tuple[Page, list[str]]:
    """The page a file holds, and notes (warnings) on how it was read."""
    if is_pdf(data):
        return _read_pdf(path, url)
    if data[:2] == b"\x1f\x8b" and not _gunzipped_start(data).startswith(b"WARC/"):
        raise SourceError(
            "this is a gzip-compressed file, but not a WARC capture",
            "if it is a saved page, uncompress it first (gunzip) and import the .html",
        )
    if is_warc(data):
        return _read_warc(path, url, shown)
    kind = _not_html(data)
    if kind:
        raise SourceError(
            f"this is {kind}, not a web page, a WARC capture or a PDF",
            "save the page from the browser as 'Web Page, HTML only', or capture it as a WARC",
        )
    page = extract(data)
    if url:
        page = replace(page, url=url)
    return page, []


def _read_warc(path: Path, url: str | None, shown: str) -> tuple[Page, list[str]]:
    try:
        capture, notes = choose(html_captures(path), url, shown)
    except WarcError as exc:
        raise SourceError(exc.message, exc.hint) from None
    page = extract(capture.payload, declared_charset=capture.charset, url=capture.url)
    segment = urlsplit(capture.url).path.rstrip("/").rsplit("/", 1)[-1]
    return (
        replace(
            page,
            url=capture.url if URL_RE.match(capture.url) else page.url,
            archived=capture.date or None,
            warc_digest=capture.digest,
            language=page.language or _first_language(capture.language),
            name=re.sub(r"\.[a-z0-9]{1,5}$", "", segment) or _stem(path),
        ),
        notes,
    )


def _read_pdf(path: Path, url: str | None) -> tuple[Page, list[str]]:
    try:
        text = read_pdf(path)
    except PdfError as exc:
        raise SourceError(exc.message, exc.hint, usage=exc.usage) from None
    notes = []
    if text.scanned_pages:
        listed = ", ".join(map(str, text.scanned_pages))
        several = len(text.scanned_pages) > 1
        notes.append(
            f"page{'s' if several else ''} {listed} show{'' if several else 's'} images but no text (scans?): "
            "their text is not archived"
        )
    if text.unreadable:
        notes.append(
            f"{text.unreadable} character{'s' if text.unreadable > 1 else ''} of the PDF could not be read (its fonts "
            "do not say which they are) and were archived as '\ufffd': check them against the document"
        )
    page = Page(
        title=text.title,
        publisher=None,
        published=text.published,
        url=url,
        language=text.language,
        paragraphs=text.paragraphs,
        author=text.author,
        pages=text.pages,
        name=_stem(path),
    )
    return page, notes


def _first_language(header: str | None) -> str | None:
    return language_tag((header or "").split(",")[0])


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".warc.gz", ".warc", ".pdf", ".html", ".htm", ".xhtml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _gunzipped_start(data: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data[:65536])) as f:
            return f.read(16)
    except (OSError, EOFError):
        return b""


# --- the article file --------------------------------------------------------------


def render(page: Page) -> str:
    """The article file: front matter (strings double-quoted, JSON-style) and the body."""
    body = page.body
    lines = ["---"]
    for key, value in (("title", page.title), ("publisher", page.publisher), ("author", page.author)):
        if value:
            lines.append(f"{key}: {_quoted(value)}")
    if page.url:
        lines.append(f"url: {_quoted(page.url)}")
    if page.published:
        lines.append(f"published: {page.published.isoformat()}")
    if page.language:
        lines.append(f"language: {_quoted(page.language)}")
    if page.archived:
        lines.append(f"archived: {page.archived}")
    if page.warc_digest:
        lines.append(f"warc_digest: {_quoted(page.warc_digest)}")
    if page.pages is not None:
        lines.append(f"pages: [{', '.join(map(str, page.pages))}]")
    lines.append(f"sha256: {hashlib.sha256(body.encode('utf-8')).hexdigest()}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar. JSON's escapes are YAML's too; the value
    has no control or line-break characters (see clean)."""
    return json.dumps(clean(value), ensure_ascii=False)


def derive_id(page: Page, stem: str) -> str:
    """publisher-YYYY-MM-DD when the page names both ('The Gazette' gives
    gazette-2023-10-18; a document's author stands in for its publisher),
    else the file's name, as an id. Names in other scripts are transliterated
    (anyascii: 'Российская газета' gives rossiyskaya-gazeta); "" when
    neither gives a letter or digit."""
    name = page.publisher or (page.author if page.pages is not None else None)
    if name and page.published:
        date = page.published.isoformat()
        slug = id_slug(anyascii(name)).removeprefix("the-")[: 80 - len(date) - 1].strip("-")
        if slug and slug != "untitled":
            return f"{slug}-{date}"
    fallback = anyascii(page.name or stem)
    if not any(c.isascii() and c.isalnum() for c in fallback):
        return ""  # nothing to make an id of: the editor gives one (--id)
    return id_slug(fallback)


# --- importing -------------------------------------------------------------------


def import_page(
    source_path: Path, shown_source: str, config_path: Path, article_id: str | None, url: str | None = None
) -> ImportResult:
    """Read the file, choose its id, write content/articles/ID.txt once.
    `url`: which page of a WARC capture to archive; for a page or a PDF, its address."""

    def usage(message: str, hint: str | None = None, file: str | None = shown_source) -> ImportResult:
        return ImportResult(None, (Diagnostic(CODE, message, file=file, hint=hint),), usage_error=True, root=root)

    root = config_path.parent
    if article_id is not None and not ID_RE.match(article_id):
        return usage(
            f"'{article_id}' is not a valid article id",
            "ids are lowercase letters, digits and '-', starting with a letter or digit, up to 80 characters: "
            f"try --id {id_slug(anyascii(article_id))}",
            file=None,
        )
    if url is not None and not URL_RE.match(url):
        return usage(f"'{url}' is not an absolute http(s) URL", "give the page's address, e.g. --url https://…", None)
    config, problems = load_config(config_path)
    if config is None:
        return ImportResult(None, tuple(problems), usage_error=True, root=root)
    try:
        data = read_regular(source_path).data  # a named pipe would block, a device never end
    except Refused as exc:
        if source_path.is_dir():
            return usage("this is a folder, not a saved page", "give the path of the page's .html, .warc or .pdf file")
        return usage(f"cannot read the file: {exc.reason}", "give the path of a saved page, a WARC capture or a PDF")
    except FileNotFoundError:
        return usage(
            "no such file",
            "give the path of a page saved from the browser (File > Save Page As, HTML), a WARC capture or a PDF",
        )
    except IsADirectoryError:
        return usage("this is a folder, not a saved page", "give the path of the page's .html, .warc or .pdf file")
    except OSError as exc:
        return usage(f"cannot read the file: {exc.strerror}")

    folder = config.articles_dir
    sources, problems = discover(folder, config.root, (".txt",), "article")
    if any(d.code == "config" for d in problems):
        return ImportResult(None, tuple(d for d in problems if d.code == "config"), usage_error=True, root=root)

    try:
        page, notes = read_file(source_path, data, url, shown_source)
    except SourceError as exc:
        if exc.usage:
            return usage(exc.message, exc.hint)
        return ImportResult(None, (Diagnostic(CODE, exc.message, file=shown_source, hint=exc.hint),), root=root)
    warned = [Diagnostic(CODE, note, file=shown_source, severity="warning") for note in notes]
    if page.replaced_bytes:
        warned.append(
            Diagnostic(
                CODE,
                f"some bytes are not text in the page's encoding ({page.encoding}) and were replaced by '\ufffd'",
                file=shown_source,
                hint="check the archived text; if the page declares no charset, add <meta charset=...> and import it",
                severity="warning",
            )
        )
    if not page.paragraphs:
        return ImportResult(
            None,
            (
                *warned,
                Diagnostic(
                    CODE,
                    "no article text found in the page",
                    file=shown_source,
                    hint="the page holds no paragraphs outside navigation, ads and other page furniture; "
                    "was it saved before the story loaded? save it again once the text shows",
                ),
            ),
            root=root,
        )

    chosen = article_id or derive_id(page, _stem(source_path))
    if not chosen:
        return usage(
            "cannot make an article id: the page does not name both its publisher and its date, "
            "and its file name has no letter or digit",
            "give it one: --id publisher-YYYY-MM-DD (lowercase letters, digits and '-')",
        )
    existing = {s.id: s.shown for s in sources}
    if chosen in existing:
        derived = derive_id(page, _stem(source_path))
        free = derived if article_id and derived not in existing else _free_id(chosen, set(existing))
        how = "already exists" if article_id else "(made from the page's publisher and date) already exists"
        return ImportResult(
            None,
            (
                *warned,
                Diagnostic(
                    CODE,
                    f"article id '{chosen}' {how}: {existing[chosen]}; archived articles are never overwritten",
                    file=shown_source,
                    hint=f"if this is another article or a later version, give it an id of its own: --id {free}",
                ),
            ),
            root=root,
        )
    body = page.body
    same = _same_body(sources, body)
    if same:
        return ImportResult(
            None,
            (
                *warned,
                Diagnostic(
                    CODE,
                    f"this text is already archived as article '{same.id}': {same.shown}",
                    file=shown_source,
                    hint=f"cite it as article: {same.id}",
                ),
            ),
            root=root,
        )

    target = folder / f"{chosen}.txt"
    shown = target.relative_to(config.root).as_posix() if target.is_relative_to(config.root) else str(target)
    text = render(page)
    encoded = text.encode("utf-8")
    # The written file must load cleanly: check it before it exists.
    _, problems = parse_article(SourceFile(chosen, target, shown), text)
    if problems:  # cannot happen; if it does, write nothing and say so
        return ImportResult(None, (Diagnostic(CODE, f"the article would not load cleanly: {problems}"),), root=root)
    try:
        written = _write_new(target, encoded)
    except OSError as exc:
        return usage(f"cannot write {shown}: {exc.strerror}", file=None)
    if not written:
        return ImportResult(
            None,
            (Diagnostic(CODE, f"{shown} appeared while importing; it was left as it is", file=shown_source),),
            root=root,
        )
    missing = [k for k in ("publisher", "published", "url") if not getattr(page, k)]
    if missing:
        said = {"publisher": "publisher", "published": "date", "url": "address (url)"}
        words = [said[k] for k in missing]
        examples = ", ".join(_EXAMPLES[k] for k in missing)
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
        warned.append(
            Diagnostic(
                CODE,
                f"the {'PDF' if page.pages is not None else 'page'} does not give the article's {listed}",
                file=shown,
                hint=f"if you know it, add it to the front matter by hand ({examples}); "
                "the sha256 pins only the body, so the front matter can be completed",
                severity="warning",
            )
        )
    if not page.language:
        warned.append(
            Diagnostic(
                CODE,
                f"the {'PDF' if page.pages is not None else 'page'} does not say what language it is in, "
                f"so the article is taken to be in the desk's ({config.language})",
                file=shown,
                hint="if it is in another language, add it to the front matter, such as language: ar; "
                "screen readers read the article and its quotes in that language's voice",
                severity="warning",
            )
        )
    pages = len(page.pages) if page.pages is not None else None
    imported = Imported(
        chosen, target, shown, page.title or _shortened(page.paragraphs[0]), len(page.paragraphs), pages
    )
    return ImportResult(imported, tuple(warned), root=root)


_EXAMPLES = {"publisher": 'publisher: "…"', "published": "published: YYYY-MM-DD", "url": 'url: "https://…"'}


def _shortened(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _free_id(taken_id: str, taken: set[str]) -> str:
    """`x-2`, `x-3`, ...: the first not taken, kept to 80 characters."""
    for n in range(2, 100_000):
        candidate = f"{taken_id[: 79 - len(str(n))].rstrip('-')}-{n}"
        if candidate not in taken:
            return candidate
    return taken_id


def _not_html(data: bytes) -> str | None:
    head = data[:2048].lstrip().lower()
    if b"multipart/related" in head and b"mime-version" in head:
        return "an MHTML archive (a page saved 'as a single file')"
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data[:2048] and not utf16:
        return "a binary file"
    if not utf16 and not re.search(rb"<(?:[a-z]|!doctype)", data[:100_000], re.IGNORECASE):
        return "a plain text file"
    return None


def _same_body(sources: list[SourceFile], body: str) -> SourceFile | None:
    for source in sources:
        text, _ = read_text(source.path, source.shown)
        if text is not None and split_front_matter(text)[1] == body:
            return source
    return None


def _write_new(target: Path, data: bytes) -> bool:
    """Write `target` whole or not at all, never replacing a file: False if it exists.

    A hidden temporary file beside it (never read as content) is linked into
    place, which fails if the name is taken; where links are not supported,
    it is renamed into place after a last check.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            if target.exists():
                return False
            os.replace(tmp, target)
        return True
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
