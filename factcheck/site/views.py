"""What the site shows, worked out from the checked desk: indexes, URLs,
verdict colours. Pure functions of the content model, which stays untouched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..cache import digest
from ..model import Article, Check, Correction, Page, Resolved, Verdict
from ..verify.entries import STANCES
from ..verify.ids import tag_slug
from .i18n import N_
from .lists import Listing, Name, NameIndex, names_index
from .marks import Cite

if TYPE_CHECKING:
    from ..model import Desk

# Verdict colours from best to worst, each dark enough for white text
# (WCAG AA) in light mode; the label always goes with the colour.
_PALETTE = ("#1b6e3a", "#3f6e1b", "#7a5a00", "#a1410d", "#b3261e", "#7d1a4d")
# Translated where they are shown (site.i18n).
STANCE_LABELS = {
    "claim": N_("Where the claim is made"),
    "supports": N_("Supports the claim"),
    "contradicts": N_("Contradicts the claim"),
    "context": N_("Context"),
}


def check_url(check_id: str) -> str:
    return f"checks/{check_id}/"


def article_url(article_id: str) -> str:
    return f"articles/{article_id}/"


def verdict_url(key: str) -> str:
    return f"verdicts/{key}/"


def tag_path(tag: str) -> str:
    """Where a tag's page is in the site, as a folder on disk."""
    return f"tags/{tag_slug(tag)}/"


def claimant_path(claimant: str) -> str:
    return f"claimants/{tag_slug(claimant)}/"


def tag_url(tag: str) -> str:
    """A link to a tag's page: its path, percent-encoded."""
    return quote(tag_path(tag))


def claimant_url(claimant: str) -> str:
    return quote(claimant_path(claimant))


def href(path: str) -> str:
    """A site path as it goes into a link or a URL (the names of tag and
    claimant pages may hold letters of any script)."""
    return quote(path) if not path.isascii() else path


@dataclass(frozen=True)
class Site:
    """The desk seen as a website: every list and lookup the pages need."""

    desk: Desk
    # Checks' evidence keys (`evidence`) worked out before, by a build whose
    # state a rebuild starts from: those of checks that did not change.
    known_evidence: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def updated(self, desk: Desk, changed: Collection[str]) -> Site:
        """The site of `desk`, which is this site's desk with the checks
        `changed` (ids) edited or added (its citations replaced: Citations.
        replaced): the lookups this site has worked out are carried over,
        those of the changed checks redone (the preview's quick rebuild; the
        same values as `Site(desk)` works out, in the same order, in time
        that grows with the change rather than the desk)."""
        ids = set(changed)
        done = self.__dict__  # cached_property keeps its values there
        known = done.get("_evidence_keys", self.known_evidence)
        new = Site(desk, known_evidence={k: v for k, v in known.items() if k not in ids})
        checks = [desk.checks[i] for i in sorted(ids)]
        old_checks = [self.desk.checks[i] for i in sorted(ids) if i in self.desk.checks]
        for name in ("verdicts", "articles", "pages"):
            if name in done:
                new.__dict__[name] = done[name]
        if "checks" in done:
            new.__dict__["checks"] = _replaced(done["checks"], old_checks, checks)
        if "_by_verdict" in done:
            by_verdict = dict(done["_by_verdict"])
            for key in {c.verdict for c in (*old_checks, *checks)}:
                members = _replaced(
                    by_verdict.get(key, ()),
                    [c for c in old_checks if c.verdict == key],
                    [c for c in checks if c.verdict == key],
                )
                if members:
                    by_verdict[key] = members
                else:
                    by_verdict.pop(key, None)
            new.__dict__["_by_verdict"] = by_verdict
        for name, slugs_of in (("tags", _tag_slugs), ("claimants", _claimant_slug)):
            if name in done:
                new.__dict__[name] = _regroup(done[name], old_checks, checks, slugs_of, name == "tags")
        # The lists cut into pages so far: of those the change is on, only the years it touches are cut again.
        years = {c.published.year for c in (*old_checks, *checks)}
        if "home" in done and "checks" in new.__dict__:
            new.__dict__["home"] = done["home"].replaced(new.checks, years)
        if "_listings" in done:
            carried = new.__dict__["_listings"] = {}
            lookups = {"verdict": "_by_verdict", "tag": "tags", "claimant": "claimants"}
            for (kind, key), listing in done["_listings"].items():
                if lookups[kind] not in new.__dict__:
                    continue
                try:
                    folder, members = new._members(kind, key)
                except KeyError:
                    continue  # a topic or claimant no check has any more
                if folder == listing.folder:
                    carried[kind, key] = listing if members is listing.items else listing.replaced(members, years)
        return new

    @cached_property
    def checks(self) -> tuple[Check, ...]:
        """Newest first; ties by id, so the order never depends on the file system."""
        return tuple(sorted(self.desk.checks.values(), key=lambda c: (c.published, c.id), reverse=True))

    @cached_property
    def verdicts(self) -> Mapping[str, Verdict]:
        return {v.key: v for v in self.desk.config.verdicts}

    def verdict_colour(self, key: str) -> str:
        """The verdict's own colour (config.yaml), else the theme's palette."""
        chosen = self.verdicts[key].colour
        if chosen:
            return chosen
        scale = [v.key for v in self.desk.config.verdicts]
        i = scale.index(key)
        if len(scale) == 1:
            return _PALETTE[0]
        return _PALETTE[round(i * (len(_PALETTE) - 1) / (len(scale) - 1))]

    @cached_property
    def citations_by_check(self) -> Mapping[str, tuple[Resolved, ...]]:
        """Each check's citations, in their order."""
        citations = self.desk.citations
        return _Lookup(citations.of_check, citations.checks)

    @cached_property
    def citations_by_article(self) -> Mapping[str, tuple[Resolved, ...]]:
        """Each article's citations, in reading order."""
        citations = self.desk.citations
        return _Lookup(citations.of_article, citations.articles)

    def evidence_key(self, check: Check) -> str:
        """What anything showing a check and its evidence depends on: its
        file and the files of the articles it cites."""
        key = self._evidence_keys.get(check.id)
        if key is None:
            cited = self.citations_by_check.get(check.id, ())
            articles = sorted({self.desk.articles[r.article].digest for r in cited})
            key = self._evidence_keys[check.id] = digest(check.digest, *articles)
        return key

    @cached_property
    def _evidence_keys(self) -> dict[str, str]:
        return dict(self.known_evidence)

    def known_keys(self) -> Mapping[str, str]:
        """The evidence keys worked out so far (or given), by check."""
        return self._evidence_keys

    def evidence(self, check_id: str) -> list[tuple[str, tuple[Resolved, ...]]]:
        """(stance, citations) in the spec's order of stances, empty ones left out."""
        cited = self.citations_by_check.get(check_id, ())
        return [
            (stance, tuple(r for r in cited if r.citation.stance == stance))
            for stance in STANCES
            if any(r.citation.stance == stance for r in cited)
        ]

    def outlets(self, check_id: str) -> list[tuple[Article, dict[str, int]]]:
        """Side by side: each publisher (or article) with its count per
        stance; the outlet stands as its first article (its name, language)."""
        table: dict[str, tuple[Article, dict[str, int]]] = {}
        for r in self.citations_by_check.get(check_id, ()):
            article = self.desk.articles[r.article]
            _, row = table.setdefault(self.outlet_of(article), (article, dict.fromkeys(STANCES, 0)))
            row[r.citation.stance] += 1
        return [table[name] for name in sorted(table)]

    @staticmethod
    def outlet_of(article: Article) -> str:
        return article.publisher or article.id

    def cites_on(self, article_id: str) -> list[Cite]:
        return [
            Cite(f"{r.check}/{r.citation.index}", r.anchor, s, e)
            for r in self.citations_by_article.get(article_id, ())
            for s, e in r.spans
        ]

    @cached_property
    def _ref_numbers(self) -> dict[str, Mapping[str, int]]:
        return {}  # article id -> anchor -> number, worked out as pages ask

    def ref_number(self, article_id: str, anchor: str) -> int:
        """A citation's number on its article's page, in reading order."""
        numbers = self._ref_numbers.get(article_id)
        if numbers is None:
            cited = self.citations_by_article.get(article_id, ())
            numbers = self._ref_numbers[article_id] = {r.anchor: i for i, r in enumerate(cited, start=1)}
        return numbers[anchor]

    @cached_property
    def tags(self) -> Mapping[str, tuple[str, tuple[Check, ...]]]:
        """slug -> (the tag as first written, newest first), for tag pages."""
        return _grouped(self.checks, lambda check: check.tags)

    @cached_property
    def claimants(self) -> Mapping[str, tuple[str, tuple[Check, ...]]]:
        return _grouped(self.checks, lambda check: (check.claimant,))

    def by_verdict(self, key: str) -> tuple[Check, ...]:
        return self._by_verdict.get(key, ())

    @cached_property
    def _by_verdict(self) -> Mapping[str, tuple[Check, ...]]:
        grouped: dict[str, list[Check]] = defaultdict(list)
        for check in self.checks:
            grouped[check.verdict].append(check)
        return {k: tuple(v) for k, v in grouped.items()}

    # The lists of checks, each with its landing page and its archive (lists.py).

    @cached_property
    def home(self) -> Listing[Check]:
        return Listing("", "archive/", self.checks, _published)

    @cached_property
    def _listings(self) -> dict[tuple[str, str], Listing[Check]]:
        return {}  # ("verdict" | "tag" | "claimant", key) -> its list, cut into pages as pages ask

    def verdict_listing(self, key: str) -> Listing[Check]:
        return self._listing("verdict", key)

    def tag_listing(self, slug: str) -> Listing[Check]:
        return self._listing("tag", slug)

    def claimant_listing(self, slug: str) -> Listing[Check]:
        return self._listing("claimant", slug)

    def _listing(self, kind: str, key: str) -> Listing[Check]:
        found = self._listings.get((kind, key))
        if found is None:
            folder, checks = self._members(kind, key)
            found = self._listings[kind, key] = Listing(folder, folder, checks, _published)
        return found

    def _members(self, kind: str, key: str) -> tuple[str, tuple[Check, ...]]:
        if kind == "verdict":
            return verdict_url(key), self.by_verdict(key)
        name, checks = (self.tags if kind == "tag" else self.claimants)[key]
        return (tag_path(name) if kind == "tag" else claimant_path(name)), checks

    @cached_property
    def corrections_listing(self) -> Listing[tuple[Check, Correction]]:
        return Listing("corrections/", "corrections/", tuple(self.corrections), lambda pair: pair[1].date)

    @cached_property
    def tag_index(self) -> NameIndex:
        return names_index("tags/", [Name(s, n, len(c), tag_path(n)) for s, (n, c) in self.tags.items()])

    @cached_property
    def claimant_index(self) -> NameIndex:
        return names_index("claimants/", [Name(s, n, len(c), claimant_path(n)) for s, (n, c) in self.claimants.items()])

    def scorecard(self, slug: str) -> list[tuple[Verdict, int]]:
        """How many of a claimant's checks got each verdict, in the scale's order."""
        counts: dict[str, int] = defaultdict(int)
        for check in self.claimants[slug][1]:
            counts[check.verdict] += 1
        return [(v, counts[v.key]) for v in self.desk.config.verdicts]

    def tag_name(self, tag: str) -> str:
        """A tag as its page names it (as first written, of all the ways it is written)."""
        return self.tags[tag_slug(tag)][0]

    def claimant_name(self, claimant: str) -> str:
        return self.claimants[tag_slug(claimant)][0]

    @cached_property
    def corrections(self) -> list[tuple[Check, Correction]]:
        """Every correction of every check, newest first."""
        found = [(check, c) for check in self.checks for c in check.corrections]
        return sorted(found, key=lambda pair: (pair[1].date, pair[0].id), reverse=True)

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        """The desk's own pages, in the navigation's order."""
        return tuple(sorted(self.desk.pages.values(), key=lambda p: (p.order is None, p.order or 0, p.title, p.id)))

    @cached_property
    def articles(self) -> tuple[Article, ...]:
        return tuple(sorted(self.desk.articles.values(), key=lambda a: a.id))

    def cited_by(self, article_id: str) -> list[Check]:
        ids = sorted({r.check for r in self.citations_by_article.get(article_id, ())})
        return [self.desk.checks[i] for i in ids]

    @staticmethod
    def _newest_first(checks: list[Check]) -> tuple[Check, ...]:
        return tuple(sorted(checks, key=lambda c: (c.published, c.id), reverse=True))


class _Lookup(Mapping[str, tuple[Resolved, ...]]):
    """A mapping over the desk's citations (model.Citations), each value
    made when first asked for; a key with no citations is not in it."""

    def __init__(self, get: Callable[[str], tuple[Resolved, ...]], keys: Callable[[], Iterator[str]]):
        self._get, self._keys = get, keys

    def __getitem__(self, name: str) -> tuple[Resolved, ...]:
        found = self._get(name)
        if not found:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return self._keys()

    def __len__(self) -> int:
        return sum(1 for _ in self._keys())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self._get(name))

    def get(self, name: str, default: Any = None) -> Any:  # (Mapping's goes through KeyError)
        return self._get(name) or default


def _grouped(
    checks: tuple[Check, ...], names: Callable[[Check], Iterable[str]]
) -> dict[str, tuple[str, tuple[Check, ...]]]:
    """slug -> (the name as the check with the first id writes it, its
    checks newest first, as `checks` are), slugs in order. (In one pass over
    the checks, in their order: a rebuild makes these for 10,000 checks.)"""
    grouped: dict[str, list[Check]] = {}
    first: dict[str, tuple[str, int, str]] = {}  # slug -> (check id, place among its names, the name)
    for check in checks:
        for place, name in enumerate(names(check)):
            slug = tag_slug(name)
            members = grouped.get(slug)
            if members is None:
                grouped[slug] = [check]
            elif members[-1] is not check:  # a check with two names of one slug is listed once
                members.append(check)
            known = first.get(slug)
            if known is None or (check.id, place) < known[:2]:
                first[slug] = (check.id, place, name)
    return {s: (first[s][2], tuple(grouped[s])) for s in sorted(grouped)}


def _tag_slugs(check: Check) -> Iterable[str]:
    return dict.fromkeys(tag_slug(tag) for tag in check.tags)


def _claimant_slug(check: Check) -> Iterable[str]:
    return (tag_slug(check.claimant),)


def _regroup(
    groups: Mapping[str, tuple[str, tuple[Check, ...]]],
    old: list[Check],
    new: list[Check],
    slugs_of: Callable[[Check], Iterable[str]],
    tags: bool,
) -> dict[str, tuple[str, tuple[Check, ...]]]:
    """`Site.tags` (or `claimants`) with the checks `old` replaced by `new`:
    only the groups either is in are redone."""
    touched = {slug for c in (*old, *new) for slug in slugs_of(c)}
    found = dict(groups)
    for slug in touched:
        members = _replaced(
            groups.get(slug, ("", ()))[1],
            [c for c in old if slug in slugs_of(c)],
            [c for c in new if slug in slugs_of(c)],
        )
        if not members:
            found.pop(slug, None)
            continue
        first = min(members, key=attrgetter("id"))  # the name as the first check (by id) writes it
        name = next(t for t in first.tags if tag_slug(t) == slug) if tags else first.claimant
        found[slug] = (name, members)
    if touched - set(groups):
        return {k: found[k] for k in sorted(found)}  # a new name: slugs stay in order
    return found


def _replaced(items: tuple[Check, ...], old: Iterable[Check], new: Iterable[Check]) -> tuple[Check, ...]:
    """`items` (newest first, as `Site.checks`) without the checks `old` and
    with `new`, where sorting them all would put them."""
    found = list(items)
    for check in old:
        at = _place(found, check)
        if at < len(found) and found[at].id == check.id:
            del found[at]
    for check in new:
        found.insert(_place(found, check), check)
    return tuple(found)


def _place(items: list[Check], check: Check) -> int:
    """Where `check` stands, or would, in `items` (newest first, ties by id,
    descending): a binary search."""
    key = (check.published, check.id)
    low, high = 0, len(items)
    while low < high:
        mid = (low + high) // 2
        other = items[mid]
        if (other.published, other.id) > key:
            low = mid + 1
        else:
            high = mid
    return low


def _published(check: Check) -> dt.date:
    return check.published
