"""The content model: what a desk is made of, once loaded and checked.

Frozen dataclasses, made by the verification stages (config, verify/) and
read by the site (site/); nothing here reads a file or renders a page, and
rendering never changes a value.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Location

if TYPE_CHECKING:
    from .verify.normalize import NormalizedText


@dataclass(frozen=True)
class Verdict:
    key: str
    label: str
    description: str
    rating: float
    colour: str | None = None  # of its badge (white text); the theme's palette by default


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str | None = None
    logo: str | None = None


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # absolute, or a path of the site such as about/


@dataclass(frozen=True)
class Identity:
    """The desk's look, from config.yaml: colours, favicon, footer."""

    accent: str | None = None  # links and focus, on the light page
    accent_dark: str | None = None  # the same in dark mode
    favicon: Path | None = None  # a file of the desk, published as static/favicon.<ext>
    footer: str | None = None  # Markdown
    links: tuple[Link, ...] = ()  # in the footer


@dataclass(frozen=True)
class Config:
    path: Path  # the config file; every relative path is against its folder
    title: str
    description: str
    base_url: str
    language: str
    publisher: Publisher
    verdicts: tuple[Verdict, ...]
    articles_dir: Path
    checks_dir: Path
    templates_dir: Path
    output_dir: Path
    digest: str = ""  # of config.yaml's bytes as read: every page depends on it
    pages_dir: Path | None = None  # Markdown pages: about, contact
    date_format: str = "long"  # CLDR: short, medium, long, full, or a pattern such as "d MMMM y"
    identity: Identity = Identity()
    messages: Mapping[str, str | list[str]] = field(default_factory=dict)  # the desk's own wording

    @property
    def root(self) -> Path:
        return self.path.parent

    def verdict(self, key: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.key == key), None)

    @property
    def best_rating(self) -> float:
        return max(v.rating for v in self.verdicts)

    @property
    def worst_rating(self) -> float:
        return min(v.rating for v in self.verdicts)


@dataclass(frozen=True)
class Page:
    """A page of the desk's own, written in Markdown: content/pages/about.md
    is /about/, listed in the navigation."""

    id: str
    path: str  # as diagnostics show it
    title: str
    body: str  # Markdown
    order: int | None = None  # its place in the navigation; pages without one follow, by title
    digest: str = ""


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
    author: str | None = None
    # When the text was captured: YYYY-MM-DD or an RFC 3339 date-time, as
    # written (checked on loading); archived_at() gives it as a date or datetime.
    archived: str | None = None
    archive_url: str | None = None
    warc_digest: str | None = None
    # For a document: where each page starts, as body offsets (page 1 at 0).
    # A page with no text starts where the next one does.
    pages: tuple[int, ...] | None = None

    def forget_normalized(self) -> None:
        """Free the normalized text (a cache, made again when next needed)."""
        self.__dict__.pop("normalized", None)

    @cached_property
    def normalized(self) -> NormalizedText:
        """The body as the matcher compares it (made when first needed)."""
        from .verify.normalize import normalize

        return normalize(self.body)

    def line_of(self, offset: int) -> int:
        """The file line holding a body offset."""
        return self.body_line + self.body.count("\n", 0, offset)

    def archived_at(self) -> dt.date | dt.datetime | None:
        """`archived` as a date, or as a datetime with its time zone."""
        return parse_archived(self.archived) if self.archived else None

    def page_of(self, offset: int) -> int | None:
        """The page (1 for the first) on which the body's character at `offset`
        stands; None for an article without pages or an offset outside the body."""
        if not self.pages or not 0 <= offset < len(self.body):
            return None
        return bisect.bisect_right(self.pages, offset)

    def pages_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The first and last page of the span [start, end) (a citation's
        span), for "p. 4" or "pp. 4–5"; None without pages or for an empty or
        out-of-range span."""
        if end <= start:
            return None
        first, last = self.page_of(start), self.page_of(end - 1)
        if first is None or last is None:
            return None
        return first, last


@dataclass(frozen=True, slots=True)
class Citation:
    index: int  # 0-based position in the entry's list
    article: str
    quote: str
    prefix: str | None
    suffix: str | None
    stance: str
    note: str | None
    article_loc: Location
    quote_loc: Location


@dataclass(frozen=True, slots=True)
class Correction:
    date: dt.date
    note: str


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    path: str  # as diagnostics show it
    claim: str
    claimant: str
    verdict: str
    summary: str
    published: dt.date
    citations: tuple[Citation, ...]
    claim_date: dt.date | None = None
    updated: dt.date | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    corrections: tuple[Correction, ...] = ()
    digest: str = ""  # of the file as read: what every page showing the check depends on
    draft: bool = False  # checked and previewed, never published


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True)
class Desk:
    """Everything the site is made from, checked."""

    config: Config
    articles: Mapping[str, Article]
    checks: Mapping[str, Check]
    citations: tuple[Resolved, ...]
    pages: Mapping[str, Page] = field(default_factory=dict)

    def published(self) -> Desk:
        """The desk without its drafts (what `build` publishes): no page,
        list, feed, search or export shows them, nor marks their quotes."""
        if not any(c.draft for c in self.checks.values()):
            return self
        checks = {k: c for k, c in self.checks.items() if not c.draft}
        citations = tuple(r for r in self.citations if r.check in checks)
        return Desk(self.config, self.articles, checks, citations, self.pages)


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def parse_archived(text: str) -> dt.date | dt.datetime | None:
    """An `archived` value: a date, or an RFC 3339 date-time (with its zone); None if it is neither."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        if _DATE_TIME.match(text):
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None
