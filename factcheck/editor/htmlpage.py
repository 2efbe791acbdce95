"""A saved web page read: its text decoded, and what it says about itself.

Decoding is ours, not the extractor's, so that the page is read the way the
README promises (and a WARC record's HTTP charset can take part). Metadata
comes from JSON-LD first (a NewsArticle or Article, also inside `@graph` or a
list), then Open Graph and other meta tags, then what the page shows (`<h1>`,
`<time datetime>`, `<title>`). BeautifulSoup does this job well; the article's
text is left to trafilatura (extract.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import html
import json
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EncodingDetector

from ..verify.fields import URL_RE

ARTICLE_TYPES = set(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle BackgroundNewsArticle "
    "OpinionNewsArticle ReviewNewsArticle AskPublicNewsArticle BlogPosting LiveBlogPosting Report "
    "ScholarlyArticle TechArticle SatiricalArticle".split()
)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# What YAML may not hold, even quoted: C0 and C1 controls (bar white space),
# DEL, surrogates, U+FFFE and U+FFFF. Shown as a space, as browsers do.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str | None
    replaced_bytes: bool  # some bytes were not text in that encoding and became U+FFFD


@dataclass(frozen=True)
class Metadata:
    title: str | None
    publisher: str | None
    published: dt.date | None
    url: str | None
    language: str | None
    headline: str | None  # the headline the page shows
    author: str | None
    article_body: str  # JSON-LD articleBody, for a page saved before its script drew the story


def clean(text: str | None) -> str:
    """Collapsed white space, no invisible or unprintable characters."""
    if not text:
        return ""
    return " ".join(_UNPRINTABLE.sub(" ", text.translate(_INVISIBLE)).split())


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag from what a page or document declares ('en_GB' -> 'en-GB'), or None."""
    tag = clean(value).replace("_", "-")
    return tag if LANGUAGE_RE.match(tag) else None


# --- decoding ---------------------------------------------------------------------


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """The page as text. `declared`: the charset an HTTP response gave, which
    wins over the page's own, as in a browser. Otherwise as the BOM or
    `<meta charset>` says; undeclared pages are tried as UTF-8, then
    Windows-1252, and never guessed at by statistics (a guess can be wrong
    without a sign). A page declared ISO-8859-1 (or ASCII) is read as
    Windows-1252, as browsers do, so its curly quotes survive."""
    data, bom = EncodingDetector.strip_byte_order_mark(data)
    with quiet_bs4():
        meta = EncodingDetector.find_declared_encoding(data, is_html=True)
    for encoding in (bom, declared, meta):
        codec = _codec(encoding)
        if codec:
            try:
                return Decoded(data.decode(codec), codec, False)
            except UnicodeDecodeError:
                return Decoded(data.decode(codec, errors="replace"), codec, True)
    for codec in ("utf-8", "windows-1252"):
        try:
            return Decoded(data.decode(codec), codec, False)
        except UnicodeDecodeError:
            continue
    return Decoded(data.decode("utf-8", errors="replace"), "utf-8", True)


def _codec(encoding: str | None) -> str | None:
    """Python's name for a declared encoding, as browsers map it; None if unknown."""
    if not encoding:
        return None
    name = encoding.strip().lower()
    if name in _LATIN1:
        return "windows-1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def soup_of(text: str) -> BeautifulSoup:
    with quiet_bs4():
        return BeautifulSoup(text, "html.parser")


@contextmanager
def quiet_bs4() -> Iterator[None]:
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


# --- metadata ---------------------------------------------------------------------


def metadata(soup: BeautifulSoup, raw: str = "") -> Metadata:
    """What the page says about itself. `raw`: its text, for the browser's "saved from" note."""
    ld = _json_ld_article(soup)
    meta = _meta(soup)
    publisher = _ld_name(ld.get("publisher"), ld) or meta.get("og:site_name")
    title_tag = soup.find("title")
    title_text = title_tag.get_text() if isinstance(title_tag, Tag) else ""
    html_tag = soup.find("html")
    html_lang = (html_tag.get("lang") or html_tag.get("xml:lang")) if isinstance(html_tag, Tag) else None
    h1 = _first_h1(soup, publisher)
    title = _strip_site(
        _ld_text(ld.get("headline")) or meta.get("og:title") or meta.get("twitter:title") or h1 or title_text,
        publisher,
        meta.get("og:site_name"),
    )

    published = _date(_ld_text(ld.get("datePublished")))
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date.issued"):
        published = published or _date(meta.get(key))
    published = published or _time_element(soup)

    url = None
    for candidate in (
        _ld_url(ld.get("url")),
        _ld_url(ld.get("mainEntityOfPage")),
        _canonical(soup),
        meta.get("og:url"),
        _saved_from(raw),
    ):
        if candidate and URL_RE.match(candidate):
            url = candidate
            break

    language = None
    for candidate in (_ld_text(ld.get("inLanguage")), html_lang, meta.get("og:locale"), meta.get("content-language")):
        language = language or language_tag(str(candidate or ""))

    return Metadata(
        title=title or None,
        publisher=clean(publisher) or None,
        published=published,
        url=url,
        language=language,
        headline=h1 or title or None,
        author=_authors(ld.get("author"), ld) or clean(meta.get("author")) or None,
        article_body=_ld_text(ld.get("articleBody")),
    )


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
    return clean(_ld_text(value))


def _authors(value: Any, ld: dict[str, Any]) -> str:
    """JSON-LD authors' names, in order, joined by commas."""
    names = [_ld_name(v, ld) for v in (value if isinstance(value, list) else [value]) if v]
    return ", ".join(dict.fromkeys(n for n in names if n))


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


def _saved_from(raw: str) -> str:
    """The address a browser notes when it saves a page (`<!-- saved from url=(0042)https://… -->`)."""
    m = _SAVED_FROM.search(raw[:4096])
    return m.group(1) if m else ""


def _strip_site(title: str | None, *names: str | None) -> str:
    """'Headline | The Gazette' -> 'Headline', when 'The Gazette' names the publisher or the site."""
    title = clean(title)
    for name in filter(None, names):
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
            suffix = sep + clean(name)
            if title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
                return title[: -len(suffix)].strip()
    return title


_HIDING = ("nav", "header", "footer", "aside", "form")


def _first_h1(soup: BeautifulSoup, publisher: str | None) -> str:
    """The headline the page shows: an <h1> in an <article> first, then one
    outside navigation and the site's banner; never the site's name."""
    candidates = [h for a in soup.find_all("article") for h in a.find_all("h1")]
    candidates += [h for h in soup.find_all("h1") if h.find_parent(_HIDING) is None]
    for h1 in candidates:
        text = clean(_shown_text(h1))
        if text and (not publisher or text.lower() != clean(publisher).lower()):
            return text
    return ""


def _shown_text(tag: Tag) -> str:
    """A heading's text as shown: a <br> or a block inside it parts words, inline markup does not."""
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in ("br", "div", "p"):
                parts.append(" ")
        elif type(node) is NavigableString:
            parts.append(str(node))
    return "".join(parts)


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
