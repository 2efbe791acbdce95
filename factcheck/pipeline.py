"""The build, top to bottom: load -> validate -> resolve citations -> render -> write.

Everything is gathered and checked before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from . import fork
from .cache import FOLDER as CACHE_FOLDER
from .cache import STAT, Cache, Space, code_fingerprint, digest
from .config import load_config
from .diagnostics import Diagnostic, promote_warnings, sorted_diagnostics
from .model import Config, Desk
from .progress import quiet
from .site.builtin import BUILTIN, builtin_files
from .site.output import JOURNAL, LOCK, Manifest, OutputError, SiteWriter, Written, read_manifest
from .verify import warm
from .verify.corpus import load_corpus
from .verify.editorial import build_day
from .verify.entries import load_entries, validate_entries
from .verify.pages import load_pages
from .verify.resolve import resolve_citations
from .verify.sources import Walk, Walks

if TYPE_CHECKING:
    import jinja2

# What a build that finds nothing changed reports: its diagnostics, stats and citations.
_Report = tuple[tuple[Diagnostic, ...], dict[str, int], tuple[dict[str, Any], ...]]
REPORTS = Space[_Report]("report", _Report, by_row=True)
# A folder's digest by its files' names and signatures (inputs_digest).
FOLDERS = Space[str]("folder", str)
# The tables a `check` uses; a build uses all of them. Saving prunes those named.
CHECK_SPACES = ("article", "entry", "found")
SPACES = (*CHECK_SPACES, "stat", "folder", "markdown", "fragment", "run", "report")


class LinkError(Exception):
    """Pages of the new site link to files it does not have."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} broken links")
        self.diagnostics = diagnostics


class Progress(Protocol):
    def __call__(self, what: str, done: int = 0, total: int = 0) -> None: ...


@dataclass(frozen=True)
class Verification:
    desk: Desk | None  # None when config.yaml itself is unusable, or nothing had to be checked
    diagnostics: tuple[Diagnostic, ...]
    stats: Mapping[str, int]
    output: Path | None = None  # where a build wrote (or found up to date) the site
    written: Written | None = None
    # Every citation that resolved, as `--format json` lists them (those of
    # entries with other errors too, which the desk leaves out).
    citations_json: tuple[dict[str, object], ...] = ()
    search_stale: bool = False  # a build with defer_search left the search index behind the pages
    site_changed: bool = False  # a failed build had already replaced some files of the site

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


_EMPTY = {"articles": 0, "checks": 0, "citations": 0}


def verify(
    config_path: Path,
    *,
    strict: bool = False,
    cache: Cache | None = None,
    progress: Progress = quiet,
    parallel: bool = False,
) -> Verification:
    """What `check` does: load and check everything, write nothing.
    `parallel`: on two cores, where the cache does not know the desk."""
    config, diagnostics = load_config(config_path)
    if config is None:
        return Verification(None, tuple(diagnostics), _EMPTY)
    own_cache = cache is None
    cache = cache or Cache.open(config.root)
    from .site.render import environment  # Jinja2: not needed by a build that finds nothing changed

    env = environment(config, cache)
    result = _verify(config, strict, cache, progress, env, walk_desk(config), links=True, parallel=parallel)
    if own_cache:
        cache.save(prune=CHECK_SPACES)
    return result


def _verify(
    config: Config,
    strict: bool,
    cache: Cache,
    progress: Progress,
    env: jinja2.Environment,
    walks: Walks,
    links: bool = False,
    parallel: bool = False,
) -> Verification:
    """Load, validate, resolve, from the desk's folders as `walks` found
    them. `links`: also the broken links that can be told without
    rendering (what `check` does; `build` checks every link of every page
    it renders instead). `parallel`: a desk the cache does not know yet is
    read and matched on two cores (verify/warm.py)."""
    # load
    if parallel:
        progress("reading the desk")
        warm.load(config, cache, walks)
    articles, corpus_problems = load_corpus(config.articles_dir, config.root, cache, progress, walks)
    entry_files, entry_problems = load_entries(config.checks_dir, config.root, cache, progress, walks)
    pages, page_problems = load_pages(config.pages_dir, config.root, walks)
    # validate
    entries, validation_problems = validate_entries(entry_files, [v.key for v in config.verdicts], build_day())
    from .site.i18n import untranslated
    from .site.render import check_templates

    template_problems = check_templates(config, env)  # compiled, never rendered
    template_problems += untranslated(config.language, config.messages, config.path.name)
    # resolve citations
    if parallel:
        progress("checking citations")
        warm.resolve(entries, articles, cache)
    resolved, citation_problems = resolve_citations(entries, articles, cache, progress)

    diagnostics = (
        corpus_problems + entry_problems + page_problems + validation_problems + template_problems + citation_problems
    )
    if strict:
        diagnostics = promote_warnings(diagnostics)
    stats = {"articles": len(articles), "checks": entries.count, "citations": entries.citation_count}
    desk = Desk(config, articles, entries.checks, tuple(r for r in resolved if r.check in entries.checks), pages)
    if links:
        diagnostics += _static_links(desk.published(), env)  # as `build` would link them
    listed = tuple(r.as_json() for r in resolved)  # an entry's other errors do not hide its good citations
    return Verification(desk, tuple(sorted_diagnostics(diagnostics)), stats, citations_json=listed)


def build(
    config_path: Path,
    *,
    out_dir: Path | None = None,
    strict: bool = False,
    cache: Cache | None = None,
    progress: Progress = quiet,
    defer_search: bool = False,
    notice: Callable[[str], None] = lambda message: None,
    base_url: str | None = None,
    shortcut: bool = True,
    drafts: bool = False,
    parallel: bool = False,
) -> Verification:
    """What `build` does: verify exactly as `check`, then render and write
    only if clean. When no input changed since the last build into the same
    folder, nothing is read beyond the inputs' bytes and nothing is written.

    A caller that passes its own `cache` (the preview) keeps and saves it.
    With `defer_search` an existing search index is left as it is and the
    result says so (`search_stale`): the preview shows an edit at once and
    brings search up to date with a second build right after. `base_url`
    replaces config.yaml's for this build (a staging copy of the site).
    Without `shortcut` (the preview, which knows from the file system's
    events that something changed) the inputs are not hashed, neither to find
    the site up to date nor to record them. `drafts`: the site shows the
    drafts too, each marked as one (the preview); `build` leaves them out.
    `parallel`: a build from nothing renders on two cores (site/parallel.py;
    never in the preview, whose threads a fork would not take along)."""
    config, diagnostics = load_config(config_path, base_url)
    if config is None:
        return Verification(None, tuple(diagnostics), _EMPTY)
    target = (out_dir if out_dir is not None else config.output_dir).resolve()
    own_cache = cache is None
    cache = cache or Cache.open(config.root)

    def save(*spaces: str) -> None:
        if own_cache:
            cache.save(prune=spaces)

    walks = walk_desk(config)  # once: for the hash of the inputs and for reading them
    inputs = inputs_digest(config, strict, cache, walks) if shortcut and not drafts else ""
    previous = read_manifest(target) if shortcut else None
    if previous is not None and previous.inputs == inputs and inputs and _intact(target, previous):
        report = cache.get(REPORTS, inputs)
        if report is not None:
            save("report", "stat", "folder")
            diagnostics, stats, citations = report
            return Verification(
                None, diagnostics, stats, output=target, written=Written(0, 0, 0, 0, False), citations_json=citations
            )

    from .site.render import environment

    env = environment(config, cache)  # templates are compiled once, for checking and rendering
    result = _verify(config, strict, cache, progress, env, walks, parallel=parallel)
    if not result.ok or result.desk is None:
        save(*CHECK_SPACES)
        return result
    from .site.render import RenderError
    from .site.search import SearchError

    try:
        desk = result.desk if drafts else result.desk.published()
        written, search_stale = _render_and_write(
            desk, env, target, inputs, strict, cache, progress, notice, defer_search, parallel, previous
        )
    except RenderError as exc:
        return replace(result, diagnostics=(*result.diagnostics, exc.diagnostic))
    except LinkError as exc:
        return replace(result, diagnostics=(*result.diagnostics, *exc.diagnostics))
    except OutputError as exc:
        return replace(result, diagnostics=(*result.diagnostics, exc.diagnostic), site_changed=exc.changed)
    except SearchError as exc:
        return replace(result, diagnostics=(*result.diagnostics, Diagnostic("search", str(exc))))
    if inputs:
        cache.put(REPORTS, inputs, (result.diagnostics, dict(result.stats), result.citations_json))
    save(*spaces_to_prune(written))
    return replace(result, output=target, written=written, search_stale=search_stale)


def spaces_to_prune(written: Written | None) -> tuple[str, ...]:
    """The cache tables to prune after a build. What a build did not render
    it did not ask the cache for: one that rendered a few pages keeps the
    Markdown and fragments of the others (pruning them would cost a delete
    of each now, and rendering them again the next time they are shown);
    one that rendered most of the site prunes them too."""
    if written is None or written.cold or written.added + written.changed >= written.unchanged:
        return SPACES
    return (*CHECK_SPACES, "stat", "folder", "report")


def _static_links(desk: Desk, env: jinja2.Environment) -> list[Diagnostic]:
    from .site import search
    from .site.links import static_problems
    from .site.render import template_sources

    buckets = [b.folder for b in search.plan(list(desk.checks.values()), desk.config.language)]
    return static_problems(desk, buckets, template_sources(desk.config, env))


def _render_and_write(
    desk: Desk,
    env: jinja2.Environment,
    target: Path,
    inputs: str,
    strict: bool,
    cache: Cache,
    progress: Progress,
    notice: Callable[[str], None],
    defer_search: bool,
    parallel: bool = False,
    known: Manifest | None = None,
) -> tuple[Written, bool]:
    """Render and write; the flag says whether search was left stale.
    `known`: the last build's manifest, as read to tell the site up to date."""
    from .site import parallel as rendering
    from .site import search
    from .site.links import LinkScanner, diagnose, locate
    from .site.render import RenderError, render_site, search_documents, search_salt
    from .site.views import Site

    config = desk.config
    # Taken before anything is rendered: the last build is read under the lock.
    writer = SiteWriter(
        target,
        protect=(config.root,),
        forbid=(config.articles_dir, config.checks_dir, config.templates_dir, config.root / CACHE_FOLDER),
        notice=notice,
        known=known,
    )
    previous = writer.previous
    old_files: Mapping[str, str] = previous.files if previous else {}
    old_keys: Mapping[str, str] = previous.keys if previous else {}
    out = str(target) + os.sep

    def previous_key(path: str) -> str | None:
        # A page stands only if the last build recorded it and it is still there.
        key = old_keys.get(path)
        if key is not None and path in old_files and os.path.exists(out + path):
            return key
        return None

    site = Site(desk)
    buckets = search.plan(list(desk.checks.values()), config.language, search_salt(site))
    folders = [b.folder for b in buckets]
    stale = [b for b in buckets if old_keys.get(b.folder) != b.key or not (target / b.folder).is_dir()]
    # A preview shows an edit first and brings search up to date just after:
    # a bundle that exists stays as it is (and keeps its old key) this time.
    deferred = [b for b in stale if defer_search and b.folder in old_keys and (target / b.folder).is_dir()]
    stale = [b for b in stale if b not in deferred]
    # A build from nothing renders a share of the pages in a second process,
    # forked now: after loading, before the indexer starts its threads.
    worker = None
    if parallel and writer.fresh and fork.available():
        cache.preload(rendering.SPACES)
        worker = fork.Worker.start(
            partial(_render_share, site, env, cache, previous_key, folders), "the process rendering half of the pages"
        )
    try:
        indexer = search.Indexer(
            stale,
            search_documents(site, env),
            config.language,
            lambda: progress("preparing search"),
        )
        search.remove_kept_documents(cache)
    except BaseException:
        if worker is not None:
            worker.stop()
        writer.abort()
        raise
    rendered_count = 0
    scanner = LinkScanner(urlsplit(config.base_url).path)

    def put_theirs(path: str, data: bytes) -> None:
        # A page of the other process, which scanned its links itself.
        nonlocal rendered_count
        rendered_count += 1
        progress("rendering pages", rendered_count)
        writer.put(path, data)

    def put(path: str, data: bytes) -> None:
        scanner.scan(path, data)
        put_theirs(path, data)

    def put_own(path: str, data: bytes) -> None:
        put(path, data)
        if worker is not None:
            worker.drain(put_theirs)  # the pages the other process has made meanwhile
        for bundle_path, bundle_data in sorted(indexer.ready().items()):  # search, as each part is indexed
            writer.put(bundle_path, bundle_data)

    try:
        mine = (lambda path: rendering.share(path) == 0) if worker is not None else None
        try:
            rendered = render_site(site, env, put_own, cache, previous_key, folders, mine=mine)
            if worker is not None:
                rows, used, links = worker.drain(put_theirs, wait=True)  # type: ignore[misc]
                cache.merge(rows, used)
                scanner.merge(links)
        except fork.WorkerError as exc:
            raise RenderError(exc.diagnostic) from exc
        searching = f"indexing search ({len(stale)} of {len(buckets)} parts)"
        if stale:
            progress(searching)
        for path, data in sorted(indexer.result(lambda: progress(searching)).items()):
            writer.put(path, data)
    except BaseException:
        if worker is not None:
            worker.stop()
        indexer.cancel()
        writer.abort()
        raise
    kept = set(rendered.kept)
    standing = {b.folder for b in buckets if b not in stale}  # unchanged, or deferred
    for path in old_files:
        if path.startswith(search.ROOT) and path[: path.find("/", len(search.ROOT)) + 1] in standing:
            kept.add(path)
    # Every local link of a page rendered now must lead to a file of the new site.
    files = set(writer.hashes) | {p for p in kept if old_files.get(p)}
    broken = scanner.broken(files)
    if broken:
        writer.abort()
        raise LinkError(diagnose(broken, files, lambda link: locate(link, desk)))
    keys = {**rendered.keys, **{b.folder: old_keys[b.folder] if b in deferred else b.key for b in buckets}}
    progress("writing the site")
    # With search left stale, or an input changed while the site was made,
    # the inputs are not recorded: the next build is not "up to date".
    if deferred or not inputs or inputs_digest(config, strict, cache, walk_desk(config)) != inputs:
        inputs = ""
    return writer.finish(inputs=inputs, keys=keys, kept=kept), bool(deferred)


def _render_share(
    site: Any,
    env: jinja2.Environment,
    cache: Cache,
    previous: Callable[[str], str | None],
    folders: list[str],
    emit: Any,
) -> object:
    """In the forked process (site/parallel.py): render its share of the
    pages and scan their links (the parent, which writes every file, has
    enough to do); what it added to the cache, and the links it found, go
    back to the build."""
    from .site import parallel as rendering
    from .site.links import LinkScanner
    from .site.render import RenderError, render_site

    cache.detach()
    scanner = LinkScanner(urlsplit(site.desk.config.base_url).path)

    def scanned(path: str, data: bytes) -> None:
        scanner.scan(path, data)
        emit(path, data)

    try:
        render_site(site, env, scanned, cache, previous, folders, mine=lambda path: rendering.share(path) == 1)
    except RenderError as exc:
        raise fork.WorkerError(exc.diagnostic) from exc
    rows, used = cache.changes(rendering.SPACES)
    return rows, used, scanner.found()


def walk_desk(config: Config) -> Walks:
    """The folders a build reads, walked (listed, and every file's signature taken)."""
    return Walks(config.root, (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir))


def inputs_digest(config: Config, strict: bool, cache: Cache, walks: Walks) -> str:
    """Everything a build reads: the code, config.yaml and every file in
    the content and template folders, by name and bytes.

    Files unchanged since they were last hashed are not read again."""
    # The day, for the warnings that depend on it (future-date).
    parts: list[str | bytes] = [code_fingerprint(), "strict" if strict else "", config.digest, str(build_day())]
    for folder in (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir):
        if folder is None:
            continue
        parts.append(os.path.relpath(folder, config.root))  # the same in any checkout
        if not folder.is_dir():
            continue
        walk = walks.walk(folder)
        if walk.problems:
            parts.append(repr(walk.problems))
        parts.append(_folder_digest(str(folder), walk, cache))
    if config.identity.favicon is not None:  # a file of the desk that the site publishes
        parts += ["favicon", cache.file_digest(str(config.identity.favicon))]
    # The built-in theme, as the code (its files change with the code, but
    # also under the hands of whoever works on the theme while serving).
    for name in builtin_files():
        parts += [name, cache.file_digest(str(BUILTIN / name))]
    return digest(*parts)


def _folder_digest(top: str, walk: Walk, cache: Cache) -> str:
    """A digest of the files below a folder, by name and bytes. Worked out
    from each file's recorded hash, or, when no file was added, removed or
    touched since it was last worked out (the same names and signatures),
    found whole: one row, not one a file (20,000 at N = 10,000)."""
    paths = [os.path.join(top, *names) for names in walk.files]
    listing = digest(top, repr(walk.files), repr(walk.signatures))
    known = cache.get(FOLDERS, listing)
    if known is not None:
        cache.keep(STAT, paths)  # the files' own hashes, for when one of them changes
        return known
    parts: list[str] = []
    for names, path, signature in zip(walk.files, paths, walk.signatures, strict=True):
        parts += ["/".join(names), cache.file_digest(path, signature)]
    found = digest(*parts)
    # Only what each file's own recorded hash vouches for: none is recorded
    # for a file modified just before it was read (cache.racy), or while it
    # was read, or that could not be read.
    recorded = zip(paths, walk.signatures, strict=True)
    if all(cache.known_digest(path, signature) is not None for path, signature in recorded):
        cache.put(FOLDERS, listing, found)
    return found


def _intact(target: Path, manifest: Manifest) -> bool:
    """Every file the last build wrote is still there (someone may have
    deleted a page by hand), and no build is writing, or was killed while
    writing (it leaves its journal, and its process id in the lock)."""
    if os.path.exists(target / JOURNAL) or _size(target / LOCK):
        return False
    return all(h and os.path.exists(os.path.join(target, path)) for path, h in manifest.files.items())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
