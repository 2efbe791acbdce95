"""Machine-readable output: schema.org ClaimReview, Atom, sitemap,
claims.json and a W3C Web Annotation export. Deterministic: no clocks,
keys in a fixed order, dates from the content."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

import msgspec

from ..model import Check, Resolved
from .i18n import Interface
from .views import Site, article_url, check_url, href

if TYPE_CHECKING:
    from ..model import Article


def escape(value: str) -> str:
    """Text for an XML element (as xml.sax.saxutils has it, whose import
    brings in urllib, http and email)."""
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def attr(value: str) -> str:
    """Text for a double-quoted XML attribute."""
    return escape(value).replace('"', "&quot;")


def dumps(data: object) -> str:
    """Compact JSON, as `json.dumps(data, ensure_ascii=False, separators=(",",
    ":"))` writes it, in a ninth of the time (msgspec: every check's
    ClaimReview, and the exports, which hold every citation of the desk).
    The two write every string alike (tested over every code point); a
    number that is not an integer goes through `number`."""
    return _encode(data).decode("utf-8")


def number(value: float) -> msgspec.Raw:
    """A number as json writes it (msgspec writes 1e-05 as 0.00001, NaN as
    null): every float of what `dumps` is given goes through this."""
    if type(value) in (int, float) and math.isfinite(value):
        return msgspec.Raw(repr(value).encode("ascii"))  # (as json writes them)
    return msgspec.Raw(json.dumps(value).encode("ascii"))


def _plain(value: object) -> object:
    """What msgspec does not take as it is: a subclass of str or int (a
    Markup, an enum) as json writes it. (Keys must be strings.)"""
    if isinstance(value, str):
        return str.__str__(value)  # its characters, whatever its own __str__ says, as json takes them
    if isinstance(value, (int, float)):
        return number(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_encode = msgspec.json.Encoder(enc_hook=_plain).encode


# Every check's part of a file, in the site's order: (kind, make one part)
# -> the parts joined by ",\n", in runs, each as UTF-8, one at a time (or a
# part of the last build's file that holds it: render.py).
Parts = Callable[[str, Callable[[Check], str]], Iterable[bytes | memoryview]]


class Quoted(NamedTuple):
    """What the exports show of a citation's article: the text it resolved
    to, and each span's W3C TextQuoteSelector (exact, prefix, suffix)."""

    text: str
    selectors: tuple[tuple[str, str, str], ...]


def quoted(body: str, r: Resolved) -> Quoted:
    return Quoted(
        body[r.start : r.end],
        tuple((body[s:e], body[max(0, s - 32) : s], body[e : e + 32]) for s, e in r.spans),
    )


# What the exports show of a citation (`quoted`), made from its article's
# text, which a build reads again (render.py): once for both exports.
Quote = Callable[[Resolved], Quoted]
SEPARATOR = ",\n"
# A file holding every check: its head, the runs of parts, its tail. The
# renderer writes them one after the other, each made fit for the page.
Export = tuple[str, Iterable[bytes | memoryview], str]


def claim_review(site: Site, check: Check) -> dict[str, object]:
    config = site.desk.config
    verdict = site.verdicts[check.verdict]
    publisher: dict[str, object] = {"@type": "Organization", "name": config.publisher.name}
    if config.publisher.url:
        publisher["url"] = config.publisher.url
    if config.publisher.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": config.publisher.logo}
    claim: dict[str, object] = {"@type": "Claim", "author": {"@type": "Thing", "name": check.claimant}}
    if check.claim_date:
        claim["datePublished"] = check.claim_date.isoformat()
    appearances = [
        _creative_work(site.desk.articles[r.article], site)
        for r in site.citations_by_check.get(check.id, ())
        if r.citation.stance == "claim"
    ]
    unique = []
    for a in appearances:
        if a not in unique:
            unique.append(a)
    if unique:
        claim["appearance"] = unique
    review: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": config.base_url + check_url(check.id),
        "claimReviewed": check.claim,
        "datePublished": check.published.isoformat(),
        "author": publisher,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": number(verdict.rating),
            "bestRating": number(config.best_rating),
            "worstRating": number(config.worst_rating),
            "alternateName": verdict.label,
        },
        "itemReviewed": claim,
    }
    if check.updated:
        review["dateModified"] = check.updated.isoformat()
    return review


def _creative_work(article: Article, site: Site) -> dict[str, object]:
    work: dict[str, object] = {"@type": "CreativeWork", "headline": article.title}
    work["url"] = article.url or site.desk.config.base_url + article_url(article.id)
    if article.publisher:
        work["publisher"] = {"@type": "Organization", "name": article.publisher}
    if article.published:
        work["datePublished"] = article.published.isoformat()
    return work


def json_ld(data: object) -> str:
    """JSON for a <script> element: `</` and `<!--` can never close it early."""
    text = dumps(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def claims_json(site: Site, parts: Parts, quote: Quote) -> Export:
    """Every check with its resolved citations: one check per line."""

    def one(check: Check) -> str:
        verdict = site.verdicts[check.verdict]
        return dumps(
            {
                "id": check.id,
                "url": site.desk.config.base_url + check_url(check.id),
                "claim": check.claim,
                "claimant": check.claimant,
                "claim_date": check.claim_date.isoformat() if check.claim_date else None,
                "verdict": check.verdict,
                "verdict_label": verdict.label,
                "rating": number(verdict.rating),
                "published": check.published.isoformat(),
                "updated": check.updated.isoformat() if check.updated else None,
                "author": check.author,
                "tags": list(check.tags),
                "citations": [_citation_json(site, r, quote) for r in site.citations_by_check.get(check.id, ())],
            }
        )

    return '{"checks":[\n', parts("claims", one), "\n]}"


def _citation_json(site: Site, r: Resolved, quote: Quote) -> dict[str, object]:
    article = site.desk.articles[r.article]
    data = r.as_json()
    del data["check"]
    data["quote"] = r.citation.quote
    data["text"] = quote(r).text
    data["url"] = site.desk.config.base_url + article_url(article.id) + "#" + r.anchor
    if article.url:
        data["source_url"] = article.url
    return data


def annotations(site: Site, parts: Parts, t: Interface, quote: Quote) -> Export:
    """Every citation as a W3C Web Annotation on the archived article."""
    base = site.desk.config.base_url

    def of_check(check: Check) -> str:
        cited = site.citations_by_check.get(check.id, ())
        return SEPARATOR.join(dumps(_annotation(site, check, r, quote)) for r in cited)

    head = dumps(
        {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": base + "annotations.jsonld",
            "type": "AnnotationCollection",
            "label": t.gettext("%(site)s: citations", site=site.desk.config.title),
            "total": len(site.desk.citations),
        }
    )
    items = parts("annotations", of_check)  # a check with no citations has an empty part, left out
    return head[:-1] + ',"first":{"type":"AnnotationPage","items":[\n', items, "\n]}}"


def _annotation(site: Site, check: Check, r: Resolved, quote: Quote) -> dict[str, object]:
    base = site.desk.config.base_url
    article = site.desk.articles[r.article]
    selectors = []
    for (s, e), (exact, prefix, suffix) in zip(r.spans, quote(r).selectors, strict=True):
        selectors.append(
            [
                {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": s, "end": e},
            ]
        )
    target = [{"source": base + article_url(article.id), "selector": pair} for pair in selectors]
    return {
        "id": f"{base}{check_url(check.id)}#evidence-{r.citation.index}",
        "type": "Annotation",
        "motivation": "assessing" if r.citation.stance != "context" else "commenting",
        "created": check.published.isoformat(),
        "body": {
            "type": "TextualBody",
            "value": f"{r.citation.stance}: {check.claim}",
            "format": "text/plain",
            "purpose": "assessing",
        },
        "target": target[0] if len(target) == 1 else target,
    }


def atom(site: Site, t: Interface) -> str:
    config = site.desk.config
    checks = site.checks[:50]
    updated = max((c.updated or c.published for c in checks), default=None)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{attr(config.language)}">',
        f"<title>{escape(config.title)}</title>",
        f'<link href="{attr(config.base_url)}"/>',
        f'<link rel="self" href="{attr(config.base_url)}feed.xml"/>',
        f"<id>{escape(config.base_url)}</id>",
        f"<updated>{(updated.isoformat() if updated else '1970-01-01')}T00:00:00Z</updated>",
        f"<author><name>{escape(config.publisher.name)}</name></author>",
    ]
    for check in checks:
        url = config.base_url + check_url(check.id)
        verdict = site.verdicts[check.verdict].label
        lines += [
            "<entry>",
            f"<title>{escape(t.gettext('%(verdict)s: %(claim)s', verdict=verdict, claim=check.claim))}</title>",
            f'<link href="{attr(url)}"/>',
            f"<id>{escape(url)}</id>",
            f"<published>{check.published.isoformat()}T00:00:00Z</published>",
            f"<updated>{(check.updated or check.published).isoformat()}T00:00:00Z</updated>",
            "<summary>"
            + escape(
                t.gettext(
                    "%(claimant)s claimed: %(claim)s Verdict: %(verdict)s.",
                    claimant=check.claimant,
                    claim=check.claim,
                    verdict=verdict,
                )
            )
            + "</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


# The sitemap protocol allows 50,000 URLs a file. Past SITEMAP_LIMIT pages
# the URLs are shared among files by a hash of their path, so that a new page
# changes one file (and not, as slicing a sorted list would, every file after
# it); buckets of SITEMAP_LIMIT // 2 on average stay far below the limit.
SITEMAP_LIMIT = 40_000


def sitemap_files(paths: list[str]) -> dict[str, list[str]]:
    """Sitemap file -> the pages it lists: `sitemap.xml` alone while the
    site is small, else files `sitemaps/<n>.xml` that `sitemap.xml` indexes."""
    if len(paths) <= SITEMAP_LIMIT:
        return {"sitemap.xml": paths}
    count = -(-len(paths) // (SITEMAP_LIMIT // 2))
    buckets: list[list[str]] = [[] for _ in range(count)]
    for path in paths:
        buckets[zlib.crc32(path.encode("utf-8")) % count].append(path)
    return {f"sitemaps/{n}.xml": bucket for n, bucket in enumerate(buckets)}


def sitemap_index(site: Site, files: list[str]) -> str:
    base = site.desk.config.base_url
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"<sitemap><loc>{escape(base + name)}</loc></sitemap>" for name in files]
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def sitemap(site: Site, paths: list[str]) -> str:
    base = site.desk.config.base_url
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in paths:
        lines.append(f"<url><loc>{escape(base + href(path))}</loc></url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
