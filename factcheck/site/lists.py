"""Long lists cut into pages that stay put.

A list (every check, a verdict's, a topic's, a claimant's, the corrections)
has a landing page with its newest items and, once it is longer than a
page, an archive: for each year, pages of `PER_PAGE` items filled oldest
first (`<year>/1/` holds the year's first twenty). Publishing an item
appends it to the newest page of its year, so it changes that page and the
landing page, and no other: pages link only to older pages (a "newer" link
would change a full page when the next one is opened), and there is no
page-range bar. Without JavaScript a reader reaches every item: landing ->
a year -> older -> older.

Lists of names (topics, claimants) are cut by initial once they are long.
Pure functions of what they are given, like views.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

PER_PAGE = 20  # items on a page of a list: about what a phone shows in a few screens
NAMES_PER_PAGE = 300  # names on a page of an index of names (≈1,200 elements)
TOP_NAMES = 50  # on the landing page of a long index of names, the most used

T = TypeVar("T")


@dataclass(frozen=True)
class ArchivePage(Generic[T]):
    """One page of a list's archive."""

    folder: str  # site folder, e.g. "tags/veto/2024/3/"
    year: int
    number: int  # 1 is the year's oldest page
    items: tuple[T, ...]  # newest first
    first: dt.date  # the oldest item's day
    last: dt.date  # the newest item's day
    older: str | None  # folder of the page before it, in this year or an earlier one


@dataclass(frozen=True)
class Year:
    year: int
    count: int
    folder: str  # its newest page


@dataclass(frozen=True)
class Listing(Generic[T]):
    """A list of items, newest first, with its landing page at `folder` and
    its archive pages under `archive` (the home page's are under archive/)."""

    folder: str
    archive: str
    items: tuple[T, ...]
    day: Callable[[T], dt.date]
    # Folders of archive pages carried over as they were from the list this
    # one was made from (`replaced`): the same items, the same links.
    reused: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def newest(self) -> tuple[T, ...]:
        return self.items[:PER_PAGE]

    def replaced(self, items: tuple[T, ...], years: Collection[int]) -> Listing[T]:
        """This list with `items`, which differ from its own only in the
        `years` (by day): the archive pages of the other years are carried
        over, and only those of the years changed are cut again (and the
        first page after each, whose link to the page before it may
        change). The pages are those `Listing(...)` cuts from nothing."""
        made = Listing(self.folder, self.archive, items, self.day)
        if "pages" not in self.__dict__ or len(items) <= PER_PAGE or len(self.items) <= PER_PAGE:
            return made
        old: dict[int, list[ArchivePage[T]]] = {}
        for page in self.pages:
            old.setdefault(page.year, []).append(page)
        changed = set(years)
        present = (set(old) - changed) | {y for y in changed if self._run(items, y)}
        pages: list[ArchivePage[T]] = []
        reused: set[str] = set()
        older: str | None = None
        for year in sorted(present):
            kept = old.get(year) if year not in changed else None
            if kept is not None and kept[0].older == older:
                pages += kept
                reused.update(page.folder for page in kept)
            else:
                chunk = self._run(items, year)[::-1]  # oldest first
                kept = []
                for index in range(len(chunk[::PER_PAGE])):
                    kept.append(self._page(year, index, chunk, kept[-1].folder if kept else older))
                pages += kept
            older = kept[-1].folder
        object.__setattr__(made, "reused", frozenset(reused))
        made.__dict__["pages"] = tuple(pages)
        return made

    def _run(self, items: tuple[T, ...], year: int) -> tuple[T, ...]:
        """The items of one year (newest first, as lists are: a binary search each way)."""
        day = self.day

        def first_before(limit: dt.date) -> int:  # the first item older than `limit`
            low, high = 0, len(items)
            while low < high:
                mid = (low + high) // 2
                if day(items[mid]) >= limit:
                    low = mid + 1
                else:
                    high = mid
            return low

        return items[first_before(dt.date(year + 1, 1, 1)) : first_before(dt.date(year, 1, 1))]

    def _page(self, year: int, index: int, chunk: Sequence[T], older: str | None) -> ArchivePage[T]:
        """The year's page `index` (0 for its oldest) of `chunk`, its items oldest first."""
        items = chunk[index * PER_PAGE : (index + 1) * PER_PAGE]
        folder = f"{self.archive}{year}/{index + 1}/"
        return ArchivePage(
            folder, year, index + 1, tuple(reversed(items)), self.day(items[0]), self.day(items[-1]), older
        )

    @cached_property
    def pages(self) -> tuple[ArchivePage[T], ...]:
        """Oldest year first, and within a year oldest page first. None for
        a list that fits on its landing page."""
        if len(self.items) <= PER_PAGE:
            return ()
        years: dict[int, list[T]] = {}
        for item in reversed(self.items):  # oldest first
            years.setdefault(self.day(item).year, []).append(item)
        pages: list[ArchivePage[T]] = []
        older: str | None = None
        for year in sorted(years):
            chunk = years[year]
            for index in range(len(chunk[::PER_PAGE])):
                pages.append(self._page(year, index, chunk, older))
                older = pages[-1].folder
        return tuple(pages)

    @cached_property
    def years(self) -> tuple[Year, ...]:
        """Newest year first, each with its newest page."""
        newest: dict[int, ArchivePage[T]] = {}
        counts: dict[int, int] = {}
        for page in self.pages:
            newest[page.year] = page
            counts[page.year] = counts.get(page.year, 0) + len(page.items)
        return tuple(Year(y, counts[y], newest[y].folder) for y in sorted(newest, reverse=True))

    @cached_property
    def more(self) -> str | None:
        """The archive page holding the first item the landing page leaves out."""
        if len(self.items) <= PER_PAGE:
            return None
        wanted = self.items[PER_PAGE]
        year = self.day(wanted).year
        for page in self.pages:
            if page.year == year and any(item is wanted for item in page.items):
                return page.folder
        raise AssertionError("every item is on an archive page")


@dataclass(frozen=True)
class Name:
    """A topic or claimant in an index: its page and how many checks it has."""

    slug: str
    name: str
    count: int
    folder: str  # its page


@dataclass(frozen=True)
class Initial:
    key: str  # the page's folder name: a letter, or "_" for names that begin otherwise
    label: str  # as shown: "A", "Ж", "#"
    names: tuple[Name, ...]  # alphabetical
    folder: str  # its (first) page


@dataclass(frozen=True)
class NameIndex:
    """An index of names (`folder`, e.g. "tags/"): one page while it is
    short, else a landing page with the most used names and a page per
    initial. ("by_letter" holds an underscore, which no slug does, so it
    never meets the page of a name.)"""

    folder: str
    names: tuple[Name, ...]  # alphabetical

    @property
    def whole(self) -> bool:
        return len(self.names) <= NAMES_PER_PAGE

    @cached_property
    def top(self) -> tuple[Name, ...]:
        return tuple(sorted(self.names, key=lambda n: (-n.count, sort_key(n.name), n.slug))[:TOP_NAMES])

    @cached_property
    def initials(self) -> tuple[Initial, ...]:
        if self.whole:
            return ()
        groups: dict[str, list[Name]] = {}
        labels: dict[str, str] = {}
        for name in self.names:
            key, label = initial(name.name)
            groups.setdefault(key, []).append(name)
            labels[key] = label
        return tuple(
            Initial(k, labels[k], tuple(groups[k]), f"{self.folder}by_letter/{k}/")
            for k in sorted(groups, key=lambda k: (k == "_", k))
        )

    def pages(self, group: Initial) -> list[tuple[str, tuple[Name, ...]]]:
        """The pages of an initial: (folder, names). A very common initial
        goes on over several pages, `by_letter/s/`, `by_letter/s/2/`..."""
        base = group.folder
        chunks = [group.names[i : i + NAMES_PER_PAGE] for i in range(0, len(group.names), NAMES_PER_PAGE)]
        return [(base if n == 0 else f"{base}{n + 1}/", chunk) for n, chunk in enumerate(chunks)]


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical for people: accents and case after the letters."""
    return (_base_letters(name).casefold(), name)


def initial(name: str) -> tuple[str, str]:
    """(folder name, label) of the initial a name is listed under."""
    for char in _base_letters(name):
        if char.isalpha():
            letter = char.casefold()
            return letter, letter.upper()
        if not char.isspace():
            break
    return "_", "#"


def _base_letters(text: str) -> str:
    """The letters without their accents (É is listed under E)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_index(folder: str, names: Sequence[Name]) -> NameIndex:
    return NameIndex(folder, tuple(sorted(names, key=lambda n: (*sort_key(n.name), n.slug))))
