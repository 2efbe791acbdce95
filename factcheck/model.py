"""The content model: what a desk is made of, once loaded and checked.

Frozen dataclasses, made by the verification stages (config, verify/) and
read by the site (site/); nothing here reads a file or renders a page, and
rendering never changes a value.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Location
from .safefs import read_regular

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

    def relative(self, path: Path | None) -> str:
        """A path of the desk as the build's records name it: from the
        config's folder, with "/" (the same in any checkout)."""
        if path is None:
            return ""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

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


class ChangedFile(Exception):
    """A file read again (an article's body, `Text`) is no longer what the
    build checked: it changed while the site was being made."""


class Text:
    """An article's body: held in memory, or read again from its file when
    first asked for. A rebuild that loads the desk its last build saved
    (state.py) needs the bodies of the few articles whose pages or
    citations it makes again, not of the whole corpus; the file is read
    whole and must still hash to the digest the build checked it under,
    else `ChangedFile` (never a page made from a text nobody checked).
    A build from nothing reads every body to check the quotes, then lets
    them go (`release`) before it renders: the pages that show a body read
    it again (`read`), so that no process holds the whole corpus while it
    renders (100 MB at 10,000 articles of 5,000 characters).
    Equal by value, as the body is."""

    __slots__ = ("_value", "_file", "_start", "_sha256", "_length")

    def __init__(self, value: str | None = None, *, file: str = "", start: int = 0, sha256: str = ""):
        self._value = value
        self._file = file  # the file, as read: UTF-8, a BOM dropped, the body from code point `start`
        self._start = start
        self._sha256 = sha256  # of the file's bytes
        self._length = -1  # of a released body

    @classmethod
    def stored(cls, file: str, start: int, sha256: str) -> Text:
        return cls(None, file=file, start=start, sha256=sha256)

    @property
    def start(self) -> int:
        return self._start

    @property
    def sha256(self) -> str:
        """Of the file's bytes as they were read ("" where not known)."""
        return self._sha256

    @property
    def held(self) -> bool:
        return self._value is not None

    def locate(self, file: str) -> None:
        """Where to read a text kept without its body (a cache row) again."""
        if not self._file:
            self._file = file

    def value(self) -> str:
        if self._value is None:
            self._value = self._read()
        return self._value

    def read(self) -> str:
        """The body, read again if it is not held, and not kept."""
        return self._value if self._value is not None else self._read()

    def release(self) -> None:
        """Let the body go if its file can give it again (`read`, `value`)."""
        if self._value is not None and self._file and self._sha256:
            self._length = len(self._value)
            self._value = None

    def length(self) -> int:
        """The body's length in characters (a released body's, as it was)."""
        if self._value is None and self._length >= 0:
            return self._length
        return len(self.value())

    def _read(self) -> str:
        try:
            # Not checked for links out of the desk again (walked): what is
            # read must hash to what was checked, wherever it comes from.
            data = read_regular(self._file, walked=True).data
        except Exception as exc:  # noqa: BLE001 - gone, refused or unreadable: not what was checked
            raise ChangedFile(self._file) from exc
        if hashlib.sha256(data).hexdigest() != self._sha256:
            raise ChangedFile(self._file)
        return data.decode("utf-8").removeprefix("\ufeff")[self._start :]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self.value() == other.value()

    def __hash__(self) -> int:
        return hash(self.value())

    def __repr__(self) -> str:
        return f"Text({self._value!r})" if self._value is not None else f"Text.stored({self._file!r}, {self._start})"


@dataclass(frozen=True)
class Article:
    id: str
    path: str  # as diagnostics show it
    text: Text  # the body (`body`)
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

    @property
    def body(self) -> str:
        """The text after the front matter, as read (offsets count in it)."""
        return self.text.value()

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
        if not self.pages or not 0 <= offset < self.text.length():
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


# A resolved citation as a saved build keeps it (state.py): check, index, article, start, end, parts.
Row = tuple[str, int, str, int, int, tuple[tuple[int, int], ...]]


class Citations(Sequence[Resolved]):
    """A desk's resolved citations, in the order they were resolved (the
    entries' order, each entry's in its own), by check and by article.

    Made from the citations (a build that read the desk), or from what a
    saved build kept of them (`kept`: state.py), each check's made when
    first asked for: a rebuild after an edit asks for a few checks' of
    10,000, and making every one took longer than the rest of its work."""

    def __init__(self, resolved: Iterable[Resolved] = ()) -> None:
        self._groups: dict[str, tuple[Resolved, ...] | Sequence[Row]] = {}
        self._checks: Mapping[str, Check] = {}
        count = 0
        grouped: dict[str, list[Resolved]] = {}
        for r in resolved:
            grouped.setdefault(r.check, []).append(r)
            count += 1
        for check, cited in grouped.items():
            self._groups[check] = tuple(sorted(cited, key=_by_index))
        self._count = count
        self._articles: dict[str, list[tuple[str, int]]] | None = None  # article -> (check, position)
        self._places: Callable[[str], list[tuple[str, int]]] | None = None
        self._by_article: dict[str, tuple[Resolved, ...]] = {}

    @classmethod
    def kept(
        cls,
        checks: Mapping[str, Check],
        rows: Mapping[str, Sequence[Row]],
        places: Callable[[str], list[tuple[str, int]]] | None = None,
    ) -> Citations:
        """From a saved build's rows (each check's in its citations' order):
        the citations themselves are not read until a check's are asked for.
        `places`: where an article's citations are among the rows, (check,
        position) each, as the saved build knows them (else they are found
        by reading every row)."""
        made = cls()
        made._checks = checks
        made._groups = {c: rows[c] for c in checks if c in rows}
        made._count = sum(len(g) for g in made._groups.values())
        made._places = places
        return made

    def of_check(self, check_id: str) -> tuple[Resolved, ...]:
        """A check's citations, in their order."""
        group = self._groups.get(check_id)
        if group is None:
            return ()
        if group and not isinstance(group[0], Resolved):
            check = self._checks[check_id]
            group = self._groups[check_id] = tuple(
                Resolved(c, check.citations[i], s, e, p)
                for c, i, _, s, e, p in group  # type: ignore[misc]
            )
        return group  # type: ignore[return-value]

    def of_article(self, article_id: str) -> tuple[Resolved, ...]:
        """The citations of an article, in reading order."""
        found = self._by_article.get(article_id)
        if found is None:
            if self._places is not None and self._articles is None:
                places = self._places(article_id)
            else:
                places = self._article_index().get(article_id, [])
            cited = [self.of_check(c)[n] for c, n in places]
            found = self._by_article[article_id] = tuple(sorted(cited, key=_in_reading_order))
        return found

    def checks(self) -> Iterator[str]:
        """The checks that have citations, in order."""
        return iter(self._groups)

    def articles(self) -> Iterator[str]:
        """The articles that are cited."""
        return iter(self._article_index())

    def without(self, checks: Collection[str]) -> Citations:
        """These citations but those of `checks`."""
        return self.replaced(checks, ())

    def replaced(self, checks: Collection[str], resolved: Iterable[Resolved]) -> Citations:
        """These citations with those of `checks` replaced by `resolved`
        (those of a new check come last): in time that grows with the
        change, the index by article carried over (the preview's quick
        rebuild, editor/quick.py)."""
        new = Citations(resolved)
        made = Citations()
        made._checks = self._checks
        made._groups = {c: g for c, g in self._groups.items() if c not in checks} if checks else dict(self._groups)
        made._groups.update(new._groups)
        made._count = self._count - sum(len(self._groups.get(c, ())) for c in checks) + new._count
        if self._articles is not None:
            touched = {a for c in checks if c in self._groups for a in (r.article for r in self.of_check(c))}
            touched |= set(new._article_index())
            index = dict(self._articles)
            for article in touched:
                kept = [(c, n) for c, n in index.get(article, ()) if c not in checks]
                kept += new._article_index().get(article, [])
                if kept:
                    index[article] = kept
                else:
                    index.pop(article, None)
            made._articles = index
            made._by_article = {a: v for a, v in self._by_article.items() if a not in touched}
        return made

    def _article_index(self) -> dict[str, list[tuple[str, int]]]:
        if self._articles is None:
            index: dict[str, list[tuple[str, int]]] = {}
            for check_id, group in self._groups.items():
                if group and isinstance(group[0], Resolved):
                    for n, r in enumerate(group):
                        index.setdefault(r.citation.article, []).append((check_id, n))  # type: ignore[union-attr]
                else:
                    for n, row in enumerate(group):
                        index.setdefault(row[2], []).append((check_id, n))  # type: ignore[index]
            self._articles = index
        return self._articles

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Resolved]:
        for check_id in self._groups:
            yield from self.of_check(check_id)

    def __getitem__(self, index: int) -> Resolved:  # type: ignore[override]
        return tuple(self)[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Citations) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]


def _by_index(r: Resolved) -> int:
    return r.citation.index


def _in_reading_order(r: Resolved) -> tuple[int, str, int]:
    return (r.start, r.check, r.citation.index)


@dataclass(frozen=True)
class Desk:
    """Everything the site is made from, checked."""

    config: Config
    articles: Mapping[str, Article]
    checks: Mapping[str, Check]
    citations: Citations
    pages: Mapping[str, Page] = field(default_factory=dict)

    def published(self) -> Desk:
        """The desk without its drafts (what `build` publishes): no page,
        list, feed, search or export shows them, nor marks their quotes."""
        drafts = {k for k, c in self.checks.items() if c.draft}
        if not drafts:
            return self
        checks = {k: c for k, c in self.checks.items() if k not in drafts}
        return Desk(self.config, self.articles, checks, self.citations.without(drafts), self.pages)


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
