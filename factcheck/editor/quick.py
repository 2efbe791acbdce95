"""The preview's quick rebuild: an edit to entries shown without a build of
the whole desk.

After each full build the preview keeps what it built from (`Snapshot`: the
checked desk, each page's key, the site's files). When the file system says
that only entries changed (edited or added; a removal, or any other file,
takes a full build), it reads and checks those entries alone, resolves their
citations against the corpus it already has, and renders only the pages
that show them: their own pages, the pages of the articles they cite (before
and after the edit), the lists they were and are on (home, verdict, topic,
claimant, corrections: the landing page and the archive pages whose items
changed) and the indexes and scale that count them. Pages a list no longer
has are removed. Everything goes in through the site's journal
(`output.patch`), and a full build follows at once (the preview's catch-up,
as for search): it brings the feeds, sitemap, exports and search up to date
and, reading the journal, makes of every page the quick rebuild touched
exactly what a build from nothing makes.

Anything the quick rebuild cannot vouch for (an error in an entry, a link
that leads nowhere, an id that clashes) it leaves to a full build, which
reports it as `build` does. The cost is that of the pages shown, not of the
desk.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..cache import Cache
from ..diagnostics import Diagnostic
from ..model import Check, Desk
from ..site.lists import Listing, NameIndex
from ..site.output import patch, read_manifest
from ..site.render import Only, render_site
from ..site.views import Site
from ..verify.editorial import build_day
from ..verify.entries import load_entry_file, validate_entries
from ..verify.ids import ID_RE, tag_slug
from ..verify.resolve import resolve_citations
from ..verify.sources import SourceFile

if TYPE_CHECKING:
    import jinja2

_SUFFIXES = (".yaml", ".yml")


@dataclass
class Snapshot:
    """What the last full build made the site from, and what it made."""

    desk: Desk
    diagnostics: tuple[Diagnostic, ...]
    keys: dict[str, str]  # site path -> its key (search bundles' folders too)
    files: set[str]  # every file of the site
    bundles: tuple[str, ...]  # the search bundles the pages name
    env: jinja2.Environment = field(repr=False)
    site: Site | None = field(default=None, repr=False)  # the desk's site, its lookups worked out


def snapshot(desk: Desk, diagnostics: Iterable[Diagnostic], folder: Path, cache: Cache) -> Snapshot | None:
    """After a full build into `folder`: what a quick rebuild starts from."""
    from ..site import search
    from ..site.render import environment

    manifest = read_manifest(folder)
    if manifest is None:
        return None
    bundles = tuple(b.folder for b in search.plan(list(desk.checks.values()), desk.config.language))
    env = environment(desk.config, cache)
    site = Site(desk)
    # Worked out now, behind the full build, not on the first edit; each
    # edit then carries them over (Site.updated).
    lookups = ("checks", "citations_by_check", "citations_by_article", "tags", "claimants", "articles", "_by_verdict")
    for lookup in lookups:
        getattr(site, lookup)
    listings = [site.home, *(site.verdict_listing(v.key) for v in desk.config.verdicts)]
    listings += [site.tag_listing(slug) for slug in site.tags]
    listings += [site.claimant_listing(slug) for slug in site.claimants]
    for listing in listings:
        listing.pages  # noqa: B018 - cut into pages now
    return Snapshot(desk, tuple(diagnostics), dict(manifest.keys), set(manifest.files), bundles, env, site)


@dataclass(frozen=True)
class Quick:
    snapshot: Snapshot  # the new state
    written: int
    removed: int
    diagnostics: tuple[Diagnostic, ...]  # of the whole desk, as a full build would report them


def quick(state: Snapshot, changed: Collection[Path], cache: Cache, folder: Path) -> Quick | None:
    """Show an edit to the entries `changed`; None when a full build must."""
    desk = state.desk
    config = desk.config
    found = [_source(path, desk) for path in changed]
    if any(s is None for s in found):
        return None
    sources = [s for s in found if isinstance(s, SourceFile)]
    if not sources:
        return None
    files = [load_entry_file(s, cache) for s in sources]
    entries, problems = validate_entries(files, [v.key for v in config.verdicts], build_day())
    resolved, citation_problems = resolve_citations(entries, desk.articles, cache)
    problems = [*problems, *citation_problems]
    if any(d.is_error for d in problems) or len(entries.checks) != len(files):
        return None
    ids = set(entries.checks)
    checks = {**desk.checks, **entries.checks}
    new = Desk(config, desk.articles, checks, desk.citations.replaced(ids, resolved), desk.pages)
    before = state.site or Site(desk)
    after = before.updated(new, ids)
    old = [desk.checks[i] for i in ids if i in desk.checks]
    only = _affected(before, after, old, list(entries.checks.values()))

    pages: dict[str, bytes] = {}
    rendered = render_site(after, state.env, pages.__setitem__, cache, state.keys.get, state.bundles, only=only)
    removed = _list_pages(before, only) - _list_pages(after, only)
    files_now = (state.files - removed) | set(pages)
    if _broken(pages, files_now, urlsplit(config.base_url).path):
        return None
    patch(folder, pages, removed)
    keys = dict(state.keys)
    for path in removed:
        keys.pop(path, None)
    keys.update(rendered.keys)
    shown = {s.shown for s in sources}
    diagnostics = (*(d for d in state.diagnostics if d.file not in shown), *problems)
    state = Snapshot(new, diagnostics, keys, files_now, state.bundles, state.env, after)
    return Quick(state, len(pages), len(removed), diagnostics)


_GONE = "gone"  # a file that came and went (an editor's temporary file): nothing to show


def _source(path: Path, desk: Desk) -> SourceFile | str | None:
    """The entry file at `path`, if the quick rebuild may read it alone: an
    existing .yaml file in the checks folder whose name is an id no other
    entry gives. `_GONE` for a file in that folder that is not there and was
    no entry (editors save through a temporary file renamed over the entry:
    the rename names the entry too)."""
    config = desk.config
    # The config's folders are as it was named (relative to where the
    # preview started, say); the file system's events name absolute paths.
    checks = Path(os.path.abspath(config.checks_dir))
    path = Path(os.path.abspath(path))
    try:
        rel = path.relative_to(checks)
    except ValueError:
        return None
    shown = Path(os.path.relpath(path, os.path.abspath(config.root))).as_posix()
    if not os.path.lexists(path):
        known = desk.checks.get(path.stem)
        return None if known is not None and known.path == shown else _GONE
    if path.suffix.lower() not in _SUFFIXES or not path.is_file() or path.is_symlink():
        return None
    if any(part.startswith(".") for part in rel.parts) or not ID_RE.match(path.stem):
        return None
    known = desk.checks.get(path.stem)
    if known is not None and known.path != shown:
        return None  # the id of another file: a full build says so
    if known is None and any(
        (checks / rel.parent / (path.stem + s)).exists() for s in _SUFFIXES if s != path.suffix.lower()
    ):
        return None
    return SourceFile(path.stem, path, shown)


def _affected(before: Site, after: Site, old: list[Check], new: list[Check]) -> Only:
    both = [*old, *new]
    articles = {r.article for c in old for r in before.citations_by_check.get(c.id, ())}
    articles |= {r.article for c in new for r in after.citations_by_check.get(c.id, ())}
    return Only(
        checks=frozenset(c.id for c in new),
        articles=frozenset(articles),
        verdicts=frozenset(c.verdict for c in both),
        tags=frozenset(tag_slug(t) for c in both for t in c.tags),
        claimants=frozenset(tag_slug(c.claimant) for c in both),
        corrections=any(c.corrections for c in both),
    )


def _list_pages(site: Site, only: Only) -> set[str]:
    """The pages of the lists and indexes a quick rebuild renders, as this
    site has them."""
    listings: list[Listing[object]] = [site.home]  # type: ignore[list-item]
    listings += [site.verdict_listing(v) for v in only.verdicts]  # type: ignore[misc]
    listings += [site.tag_listing(s) for s in only.tags if s in site.tags]  # type: ignore[misc]
    listings += [site.claimant_listing(s) for s in only.claimants if s in site.claimants]  # type: ignore[misc]
    if only.corrections:
        listings.append(site.corrections_listing)  # type: ignore[arg-type]
    found = {listing.folder + "index.html" for listing in listings}
    found |= {page.folder + "index.html" for listing in listings for page in listing.pages}
    for index in (site.tag_index, site.claimant_index):
        found |= _index_pages(index)
    return found


def _index_pages(index: NameIndex) -> set[str]:
    found = {index.folder + "index.html"}
    for group in index.initials:
        found |= {folder + "index.html" for folder, _ in index.pages(group)}
    return found


def _broken(pages: dict[str, bytes], files: set[str], base_path: str) -> bool:
    from ..site.links import LinkScanner

    scanner = LinkScanner(base_path)
    for path, data in pages.items():
        scanner.scan(path, data)
    return bool(scanner.broken(files))
