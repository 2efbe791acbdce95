"""Archiving a saved web page: an HTML file becomes an article of the corpus.

`extract` reads the page (metadata and the article's paragraphs), `render`
writes the article file, `import_page` checks the id and writes it once.

Metadata comes from JSON-LD first (a NewsArticle or Article, also inside
`@graph` or a list), then Open Graph and other meta tags, then what the page
shows (`<h1>`, `<time datetime>`, `<title>`). The body comes from the page's
`<article>`, else `[itemprop=articleBody]`, else `<main>`, else the element
holding the most paragraph text; a candidate must hold at least half as much
paragraph text as that densest element, so a page whose only `<article>`s
are teaser cards is read from its real text. JSON-LD `articleBody` is used
only when the page itself shows less than half as much text (a page saved
before its script rendered the story). Navigation, ads, captions, scripts,
forms, asides, share and related-link widgets, footers and bylines are left
out.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import logging
import os
import re
import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag

from .config import load_config
from .corpus import parse_article, split_front_matter
from .diagnostics import Diagnostic
from .fields import URL_RE
from .ids import ID_RE, id_slug
from .sources import SourceFile, discover, read_text

CODE = "import"
ARTICLE_TYPES = set(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle BackgroundNewsArticle "
    "OpinionNewsArticle ReviewNewsArticle AskPublicNewsArticle BlogPosting LiveBlogPosting Report".split()
)

# Never article text, wherever they stand.
_NEVER_TEXT = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed", "head")
# Page furniture: dropped unless the element holds most of the page's text
# (some sites wrap the whole page in a <form>).
_FURNITURE = set(
    "nav aside footer form figure figcaption button input select textarea label dialog menu video audio "
    "picture map".split()
)
_JUNK_ROLES = {"navigation", "banner", "complementary", "contentinfo", "search", "dialog", "alertdialog", "menu"}
# Words of class names and ids (split at '-' and '_') that mark furniture.
_JUNK_WORDS = set(
    "ad ads adslot adunit advert adverts advertisement advertising dfp sponsor sponsored promo promotion "
    "share sharing sharebar social related recommended recirculation outbrain taboola newsletter "
    "subscribe subscription signup paywall comment comments byline bylines author authors contributor "
    "caption credit credits breadcrumb breadcrumbs cookie cookies consent popup modal toolbar tags topics "
    "trending popular meta timestamp skip".split()
)
_HIDDEN_CLASSES = {"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "hidden", "hide"}
_INLINE = set(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q s samp small span strike "
    "strong sub sup time tt u var wbr".split()
)
# Elements whose text is a paragraph of the body.
_BLOCKS = {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dd", "dt"}
_BOILERPLATE = re.compile(
    r"^(?:advertisement|advert|sponsored|continue reading|scroll to continue|share this( article| story)?|"
    r"(?:you (?:might|may) also like|more stories|most read|top stories)\s*:?|"
    r"(?:read more|related|see also|also read|recommended|more on this|watch|listen)\s*[:|\-–—].*)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|words by|reporting by)\s+\S", re.IGNORECASE)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# What YAML may not hold, even quoted: C0 and C1 controls (bar white space),
# DEL, surrogates, U+FFFE and U+FFFF. Shown as a space, as browsers do.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"}


@dataclass(frozen=True)
class Page:
    """What a saved page says about itself, and its article's text."""

    title: str | None
    publisher: str | None
    published: dt.date | None
    url: str | None
    language: str | None
    headline: str | None  # the body's first line: the headline the page shows
    paragraphs: tuple[str, ...]  # the article's text, headline excluded
    encoding: str | None = None
    replaced_bytes: bool = False  # some bytes were not text in the page's encoding

    @property
    def body(self) -> str:
        lines = ([self.headline] if self.headline else []) + list(self.paragraphs)
        return "\n\n".join(lines) + "\n"


@dataclass(frozen=True)
class Imported:
    id: str
    path: Path
    shown: str
    title: str
    paragraphs: int


@dataclass(frozen=True)
class ImportResult:
    imported: Imported | None
    diagnostics: tuple[Diagnostic, ...] = ()
    usage_error: bool = False  # the command was wrong (file, id, config), not the page
    root: Path = field(default_factory=Path)  # the folder diagnostics' files are relative to


# --- reading the page ----------------------------------------------------------


def parse(data: bytes) -> BeautifulSoup:
    """The page, decoded as its meta charset (or BOM) says; undeclared pages
    are tried as UTF-8, then Windows-1252. A page declared ISO-8859-1 is read
    as Windows-1252, as browsers do, so its curly quotes survive."""
    with _quiet_bs4():
        soup = BeautifulSoup(data, "html.parser")
        if (soup.original_encoding or "").lower() in _LATIN1 and re.search(rb"[\x80-\x9f]", data):
            retry = BeautifulSoup(data, "html.parser", from_encoding="windows-1252")
            if retry.original_encoding == "windows-1252":
                soup = retry
    return soup


@contextmanager
def _quiet_bs4() -> Iterator[None]:
    """bs4's own notes (undecodable bytes are logged, odd markup warned of)
    would reach the editor's terminal unformatted: undecodable bytes are
    reported as a diagnostic instead."""
    logger = logging.getLogger("bs4.dammit")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def extract(data: bytes) -> Page:
    soup = parse(data)
    ld = _json_ld_article(soup)
    meta = _meta(soup)
    publisher = _ld_name(ld.get("publisher"), ld) or meta.get("og:site_name")
    title_tag = soup.find("title")
    title_text = title_tag.get_text() if isinstance(title_tag, Tag) else ""
    canonical = _canonical(soup)
    html_tag = soup.find("html")
    html_lang = html_tag.get("lang") if isinstance(html_tag, Tag) else None

    for br in soup.find_all("br"):
        br.replace_with(" ")
    for tag in soup.find_all(_NEVER_TEXT):
        if not tag.decomposed:
            tag.decompose()
    shown_date = _time_element(soup)  # before furniture goes: dates often sit in a byline box
    h1_before = _first_h1(soup, publisher)
    _drop_furniture(soup)
    h1 = _first_h1(soup, publisher) or h1_before

    container = _container(soup)
    paragraphs = _paragraphs(container) if container is not None else []
    article_body = _ld_text(ld.get("articleBody"))
    if article_body and sum(map(len, paragraphs)) < len(article_body) / 2:
        paragraphs = _split_article_body(article_body)

    title = _strip_site(
        _ld_text(ld.get("headline")) or meta.get("og:title") or meta.get("twitter:title") or h1 or title_text,
        publisher,
        meta.get("og:site_name"),
    )
    headline = h1 or title
    if headline:
        paragraphs = _without_first(paragraphs, headline)

    published = _date(_ld_text(ld.get("datePublished")))
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date.issued"):
        published = published or _date(meta.get(key))
    published = published or shown_date

    url = None
    for candidate in (
        _ld_url(ld.get("url")),
        _ld_url(ld.get("mainEntityOfPage")),
        canonical,
        meta.get("og:url"),
        _saved_from(data),
    ):
        if candidate and URL_RE.match(candidate):
            url = candidate
            break

    language = None
    for candidate in (_ld_text(ld.get("inLanguage")), html_lang, meta.get("og:locale"), meta.get("content-language")):
        tag = _clean(str(candidate or "")).replace("_", "-")
        if _LANGUAGE.match(tag):
            language = tag
            break

    return Page(
        title=title or None,
        publisher=_clean(publisher) or None,
        published=published,
        url=url,
        language=language,
        headline=headline or None,
        paragraphs=tuple(paragraphs),
        encoding=soup.original_encoding,
        replaced_bytes=bool(getattr(soup, "contains_replacement_characters", False)),
    )


def _clean(text: str | None) -> str:
    """Collapsed white space, no invisible or unprintable characters."""
    if not text:
        return ""
    return " ".join(_UNPRINTABLE.sub(" ", text.translate(_INVISIBLE)).split())


# --- metadata ------------------------------------------------------------------


def _json_ld_article(soup: BeautifulSoup) -> dict[str, Any]:
    """The first article-typed JSON-LD node (one with a headline preferred),
    with `_ids` mapping every node's @id, to follow references."""
    nodes: list[dict[str, Any]] = []
    for script in soup.find_all("script"):
        kind = str(script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json" or script.string is None:
            continue
        text = re.sub(r"^\s*<!--|-->\s*$", "", str(script.string)).strip().rstrip(";")
        try:
            nodes.extend(_walk_ld(json.loads(text, strict=False)))
        except (ValueError, RecursionError):
            continue  # a broken block is the site's mistake; the page has other metadata
    ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    articles = [n for n in nodes if _types(n) & ARTICLE_TYPES]
    articles.sort(key=lambda n: not n.get("headline"))
    return {**articles[0], "_ids": ids} if articles else {"_ids": ids}


def _walk_ld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_ld(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in value:
                yield from _walk_ld(value[key], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _ld_text(value: Any) -> str:
    """A JSON-LD value as text: strings, the first of a list, a node's name."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, str):
        return html.unescape(value).strip()
    return ""


def _ld_name(value: Any, ld: dict[str, Any]) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict) and "name" not in value and isinstance(value.get("@id"), str):
        value = ld.get("_ids", {}).get(value["@id"], value)
    return _clean(_ld_text(value))


def _ld_url(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return value.strip() if isinstance(value, str) else ""


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    """Meta tags by property, name, itemprop or http-equiv (lowercased); the first of each wins."""
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = tag.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                found.setdefault(key.strip().lower(), html.unescape(content).strip())
    return found


def _canonical(soup: BeautifulSoup) -> str:
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        if "canonical" in [r.lower() for r in (rel if isinstance(rel, list) else [rel])]:
            return str(link["href"]).strip()
    return ""


def _saved_from(data: bytes) -> str:
    """The address a browser notes when it saves a page (`<!-- saved from url=(0042)https://… -->`)."""
    m = _SAVED_FROM.search(data[:4096].decode("ascii", errors="replace"))
    return m.group(1) if m else ""


def _strip_site(title: str | None, *names: str | None) -> str:
    """'Headline | The Gazette' -> 'Headline', when 'The Gazette' names the publisher or the site."""
    title = _clean(title)
    for name in filter(None, names):
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
            suffix = sep + _clean(name)
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


def _first_h1(soup: BeautifulSoup, publisher: str | None) -> str:
    """The headline the page shows: an <h1> in an <article> first, and never the site's name."""
    for scope in (soup.find_all("article"), [soup]):
        for el in scope:
            for h1 in el.find_all("h1"):
                text = _clean(h1.get_text())
                if text and (not publisher or text.lower() != _clean(publisher).lower()):
                    return text
    return ""


def _date(value: str | None) -> dt.date | None:
    """The day a date or timestamp names, as written (its own time zone kept)."""
    text = (value or "").strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    if text:
        try:
            return email.utils.parsedate_to_datetime(text).date()  # 'Mon, 05 Dec 2016 14:02:00 GMT'
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _time_element(soup: BeautifulSoup) -> dt.date | None:
    """A <time datetime>: one marked as the publication date, else the first in
    an <article>, else the first on the page."""
    times = soup.find_all("time", datetime=True)
    times.sort(
        key=lambda t: (
            not (t.has_attr("pubdate") or t.get("itemprop") == "datePublished"),
            t.find_parent("article") is None,
        )
    )
    for t in times:
        day = _date(str(t["datetime"]))
        if day:
            return day
    return None


# --- the article's text ----------------------------------------------------------


def _words(tag: Tag) -> set[str]:
    classes = tag.get("class") or []
    names = list(classes) if isinstance(classes, list) else str(classes).split()
    ident = tag.get("id")
    if isinstance(ident, str):
        names.append(ident)
    return {w for name in names for w in re.split(r"[-_\s]+", name.lower()) if w}


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE:
        return True
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true":
        return True
    if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", str(tag.get("style", "")), re.IGNORECASE):
        return True
    if tag.name in _INLINE:
        return False  # a class on a word inside a paragraph does not make the paragraph furniture
    if str(tag.get("role", "")).lower() in _JUNK_ROLES:
        return True
    classes = tag.get("class") or []
    if {c.lower() for c in classes} & _HIDDEN_CLASSES:
        return True
    return bool(_words(tag) & _JUNK_WORDS)


def _text_of_paragraphs(tag: Tag) -> int:
    return sum(len(_clean(p.get_text())) for p in tag.find_all("p"))


def _drop_furniture(soup: BeautifulSoup) -> None:
    total = _text_of_paragraphs(soup)
    for tag in soup.find_all(True):
        if tag.decomposed or not _is_furniture(tag) or tag.name in ("html", "body"):
            continue
        if total and _text_of_paragraphs(tag) > total / 2:
            continue  # it holds most of the page's text: the page's wrapper, whatever its class says
        tag.decompose()


def _densest(soup: BeautifulSoup) -> Tag | None:
    """The element holding the most paragraph text (its grandchildren's counting half)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for p in soup.find_all("p"):
        n = len(_clean(p.get_text()))
        if not n:
            continue
        for weight, parent in ((1.0, p.parent), (0.5, p.parent.parent if p.parent else None)):
            if isinstance(parent, Tag):
                scores[id(parent)] = scores.get(id(parent), 0) + n * weight
                tags[id(parent)] = parent
    if not scores:
        return None
    return tags[max(scores, key=scores.__getitem__)]


def _container(soup: BeautifulSoup) -> Tag | None:
    densest = _densest(soup)
    floor = _text_of_paragraphs(densest) / 2 if densest is not None else 0
    for found in (
        soup.find_all("article"),
        soup.find_all(attrs={"itemprop": "articleBody"}),
        soup.find_all("main") + soup.find_all(attrs={"role": "main"}),
    ):
        usable = [(_text_of_paragraphs(t), i, t) for i, t in enumerate(found)]
        usable = [u for u in usable if u[0] and u[0] >= floor]
        if usable:
            return max(usable, key=lambda u: (u[0], -u[1]))[2]
    return densest


def _paragraphs(container: Tag) -> list[str]:
    for nested in container.find_all("article"):
        if not nested.decomposed and _text_of_paragraphs(nested) <= _text_of_paragraphs(container) / 2:
            nested.decompose()  # an embedded card or comment, not the story
    out: list[str] = []
    _collect(container, out, in_block=container.name in _BLOCKS)
    return out


def _collect(tag: Tag, out: list[str], in_block: bool) -> None:
    """Every block's text, in order; text between a block's nested blocks is a paragraph of its own."""
    run: list[str] = []

    def flush() -> None:
        text = _clean("".join(run))
        run.clear()
        if text and not _BOILERPLATE.match(text) and not (_BYLINE.match(text) and _is_byline(text)):
            out.append(text)

    for child in tag.children:
        if isinstance(child, Tag):
            if child.name in _INLINE:
                if in_block:
                    run.append(child.get_text())
                continue
            flush()
            if child.name in ("ul", "ol", "dl") and _link_density(child) >= 0.8:
                continue  # a list of links: related stories, tags
            if child.name in _BLOCKS and _link_density(child) >= 0.8:
                continue
            _collect(child, out, in_block or child.name in _BLOCKS)
        elif type(child) is NavigableString and in_block:
            run.append(str(child))
    flush()


def _is_byline(text: str) -> bool:
    return len(text.split()) <= 12 and not text.endswith((".", "!", "?", ":"))


def _link_density(tag: Tag) -> float:
    text = len(_clean(tag.get_text()))
    if not text:
        return 0.0
    return sum(len(_clean(a.get_text())) for a in tag.find_all("a")) / text


def _without_first(paragraphs: list[str], headline: str) -> list[str]:
    for i, p in enumerate(paragraphs):
        if p == headline:
            return paragraphs[:i] + paragraphs[i + 1 :]
    return paragraphs


def _split_article_body(text: str) -> list[str]:
    if re.search(r"<[a-zA-Z]", text):
        with _quiet_bs4():
            text = BeautifulSoup(text, "html.parser").get_text("\n")
    return [line for line in (_clean(part) for part in text.splitlines()) if line]


# --- the article file --------------------------------------------------------------


def render(page: Page) -> str:
    """The article file: front matter (strings double-quoted, JSON-style) and the body."""
    body = page.body
    lines = ["---"]
    for key, value in (("title", page.title), ("publisher", page.publisher), ("url", page.url)):
        if value:
            lines.append(f"{key}: {_quoted(value)}")
    if page.published:
        lines.append(f"published: {page.published.isoformat()}")
    if page.language:
        lines.append(f"language: {_quoted(page.language)}")
    lines.append(f"sha256: {hashlib.sha256(body.encode('utf-8')).hexdigest()}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar. JSON's escapes are YAML's too; the value
    has no control or line-break characters (see _clean)."""
    return json.dumps(_clean(value), ensure_ascii=False)


def derive_id(page: Page, stem: str) -> str:
    """publisher-YYYY-MM-DD when the page names both ('The Gazette' gives
    gazette-2023-10-18), else the file's name, as an id."""
    if page.publisher and page.published:
        date = page.published.isoformat()
        name = id_slug(page.publisher).removeprefix("the-")[: 80 - len(date) - 1].strip("-")
        if name and name != "untitled":
            return f"{name}-{date}"
    return id_slug(stem)


# --- importing -------------------------------------------------------------------


def import_page(html_path: Path, shown_html: str, config_path: Path, article_id: str | None) -> ImportResult:
    """Read the page, choose its id, write content/articles/ID.txt once."""

    def usage(message: str, hint: str | None = None, file: str | None = shown_html) -> ImportResult:
        return ImportResult(None, (Diagnostic(CODE, message, file=file, hint=hint),), usage_error=True, root=root)

    root = config_path.parent
    if article_id is not None and not ID_RE.match(article_id):
        return usage(
            f"'{article_id}' is not a valid article id",
            "ids are lowercase letters, digits and '-', starting with a letter or digit, up to 80 characters: "
            f"try --id {id_slug(article_id)}",
            file=None,
        )
    config, problems = load_config(config_path)
    if config is None:
        return ImportResult(None, tuple(problems), usage_error=True, root=root)
    try:
        data = html_path.read_bytes()
    except FileNotFoundError:
        return usage("no such file", "give the path of a page saved from the browser (File > Save Page As, HTML)")
    except IsADirectoryError:
        return usage("this is a folder, not a saved page", "give the path of the page's .html file")
    except OSError as exc:
        return usage(f"cannot read the file: {exc.strerror}")
    kind = _not_html(data)
    if kind:
        return usage(f"this is {kind}, not a web page", "save the page from the browser as 'Web Page, HTML only'")

    folder = config.articles_dir
    sources, problems = discover(folder, config.root, (".txt",), "article")
    if any(d.code == "config" for d in problems):
        return ImportResult(None, tuple(d for d in problems if d.code == "config"), usage_error=True, root=root)

    page = extract(data)
    warned: list[Diagnostic] = []
    if page.replaced_bytes:
        warned.append(
            Diagnostic(
                CODE,
                f"some bytes are not text in the page's encoding ({page.encoding}) and were replaced by '\ufffd'",
                file=shown_html,
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
                    file=shown_html,
                    hint="the page holds no paragraphs outside navigation, ads and other page furniture; "
                    "was it saved before the story loaded? save it again once the text shows",
                ),
            ),
            root=root,
        )

    chosen = article_id or derive_id(page, html_path.stem)
    existing = {s.id: s.shown for s in sources}
    if chosen in existing:
        derived = derive_id(page, html_path.stem)
        free = derived if article_id and derived not in existing else _free_id(chosen, set(existing))
        how = "already exists" if article_id else "(made from the page's publisher and date) already exists"
        return ImportResult(
            None,
            (
                *warned,
                Diagnostic(
                    CODE,
                    f"article id '{chosen}' {how}: {existing[chosen]}; archived articles are never overwritten",
                    file=shown_html,
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
                    file=shown_html,
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
            (Diagnostic(CODE, f"{shown} appeared while importing; it was left as it is", file=shown_html),),
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
                f"the page does not give the article's {listed}",
                file=shown,
                hint=f"if you know it, add it to the front matter by hand ({examples}); "
                "the sha256 pins only the body, so the front matter can be completed",
                severity="warning",
            )
        )
    imported = Imported(chosen, target, shown, page.title or page.headline or chosen, len(page.paragraphs))
    return ImportResult(imported, tuple(warned), root=root)


_EXAMPLES = {"publisher": 'publisher: "…"', "published": "published: YYYY-MM-DD", "url": 'url: "https://…"'}


def _free_id(taken_id: str, taken: set[str]) -> str:
    """`x-2`, `x-3`, ...: the first not taken, kept to 80 characters."""
    for n in range(2, 100_000):
        candidate = f"{taken_id[: 79 - len(str(n))].rstrip('-')}-{n}"
        if candidate not in taken:
            return candidate
    return taken_id


def _not_html(data: bytes) -> str | None:
    head = data[:2048].lstrip().lower()
    if head.startswith(b"%pdf"):
        return "a PDF"
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
