"""The build, top to bottom: load -> validate -> resolve citations -> render -> write.

Everything is gathered and checked before anything is written.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from . import fork, heap, interrupts, state
from .cache import FOLDER as CACHE_FOLDER
from .cache import STAT, Cache, Space, code_fingerprint, digest
from .config import load_config
from .diagnostics import Diagnostic, promote_warnings, sorted_diagnostics
from .model import Citations, Config, Desk
from .progress import quiet
from .site.builtin import BUILTIN, builtin_files
from .site.output import (
    JOURNAL,
    LOCK,
    MARKER,
    Interrupted,
    Layout,
    Manifest,
    OutputError,
    Parts,
    SiteWriter,
    Written,
    files_there,
    read_manifest,
)
from .site.output import signature as manifest_signature
from .verify import warm
from .verify.corpus import load_corpus
from .verify.editorial import build_day
from .verify.entries import load_entries, validate_entries
from .verify.pages import load_pages
from .verify.resolve import resolve_citations
from .verify.sources import Walk, Walks, desk_folders

if TYPE_CHECKING:
    import jinja2

    from .site.render import Only

# A folder's digest by its files' names and signatures (inputs_digest).
FOLDERS = Space[str]("folder", str)
# The tables a `check` uses; a build uses all of them. Saving prunes those named.
CHECK_SPACES = ("article", "entry", "found")
SPACES = (*CHECK_SPACES, "stat", "folder", "markdown", "fragment")


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
    # entries with other errors too, which the desk leaves out), or what
    # makes them when asked for (tens of thousands, and only json asks).
    citations: tuple[dict[str, object], ...] | Callable[[], tuple[dict[str, object], ...]] = ()
    search_stale: bool = False  # a build with defer_search left the search index behind the pages
    site_changed: bool = False  # a failed build had already replaced some files of the site

    @property
    def citations_json(self) -> tuple[dict[str, object], ...]:
        return self.citations() if callable(self.citations) else self.citations

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
    try:
        result = _verify(
            config,
            strict,
            cache,
            progress,
            _environment(config, cache),
            walk_desk(config, parallel),
            links=True,
            parallel=parallel,
            ahead=own_cache,
        )
        if own_cache:
            cache.save(prune=CHECK_SPACES)
    finally:
        if own_cache:
            cache.close()  # and waits for its writer, if it started one
    return result


def _environment(config: Config, cache: Cache) -> Callable[[], jinja2.Environment]:
    """The desk's Jinja2 environment, made when it is first asked for:
    importing what renders the theme (Jinja2, Markdown, Babel: 0.1 s) waits
    until a core has nothing else to do (`_verify`)."""

    @functools.cache
    def made() -> jinja2.Environment:
        from .site.render import environment

        return environment(config, cache)

    return made


def _verify(
    config: Config,
    strict: bool,
    cache: Cache,
    progress: Progress,
    env: Callable[[], jinja2.Environment],
    walks: Walks,
    links: bool = False,
    parallel: bool = False,
    ahead: bool = False,
) -> Verification:
    """Load, validate, resolve, from the desk's folders as `walks` found
    them. `links`: also the broken links that can be told without
    rendering (what `check` does; `build` checks every link of every page
    it renders instead). `parallel`: a desk the cache does not know yet is
    read and matched on two cores (verify/warm.py). `ahead`: nothing forks
    after this, so a cache with no database yet may start writing one in a
    forked process once the quotes are matched (Cache.write_ahead)."""
    template_problems: list[Diagnostic] = []

    def compile_templates() -> None:
        from .site.i18n import untranslated
        from .site.render import check_templates

        template_problems.extend(check_templates(config, env()))  # compiled, never rendered
        template_problems.extend(untranslated(config.language, config.messages, config.path.name))

    # load. The templates are compiled where a core would wait otherwise:
    # while a forked process reads its share of the desk, or, where a
    # process will write the cache while the citations are checked (a cold
    # `check`), then (this process, which puts the desk together, is the
    # later to be done reading; the writer, the later of the two at the end).
    later = parallel and ahead and cache.may_write_ahead()
    reader = None
    if parallel:
        progress("reading the desk")
        reader = warm.load(config, cache, walks, meanwhile=(lambda: None) if later else compile_templates)
    else:
        compile_templates()
    try:
        articles, corpus_problems = load_corpus(config.articles_dir, config.root, cache, progress, walks)
        entry_files, entry_problems = load_entries(config.checks_dir, config.root, cache, progress, walks)
        pages, page_problems = load_pages(config.pages_dir, config.root, walks)
        # validate
        entries, validation_problems = validate_entries(entry_files, [v.key for v in config.verdicts], build_day())
        # resolve citations (those of the articles the forked process read, there)
        if parallel:
            progress("checking citations")
            warm.resolve(entries, articles, cache, reader)
            if ahead:
                cache.write_ahead()  # while the citations are checked from what it holds
    finally:
        if reader is not None:
            reader.stop()  # (done by now, unless this failed on the way)
    if later:
        compile_templates()
    resolved, citation_problems = resolve_citations(entries, articles, cache, progress)

    diagnostics = (
        corpus_problems + entry_problems + page_problems + validation_problems + template_problems + citation_problems
    )
    if strict:
        diagnostics = promote_warnings(diagnostics)
    stats = {"articles": len(articles), "checks": entries.count, "citations": entries.citation_count}
    citations = Citations(r for r in resolved if r.check in entries.checks)
    desk = Desk(config, articles, entries.checks, citations, pages)
    if links:
        diagnostics += _static_links(desk.published(), env())  # as `build` would link them
    listed = tuple(r.as_json() for r in resolved)  # an entry's other errors do not hide its good citations
    return Verification(desk, tuple(sorted_diagnostics(diagnostics)), stats, citations=listed)


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
    scout = None
    if shortcut and own_cache and not drafts and not defer_search and os.path.exists(target / MARKER):
        from .scout import Scout

        # Walks the desk (once: for reading it, and for what changed) while this loads the last build's state.
        scout = Scout.start(config, target)
    try:
        return _build_with(
            config, target, strict, cache, own_cache, progress, defer_search, notice, shortcut, drafts, parallel, scout
        )
    finally:
        if scout is not None:
            scout.stop()
        if own_cache:
            # Closed here, not when the process ends: its log of changes is
            # put into the database now, while it is small (SQLite does that
            # when the last connection closes; left to grow, it is done by
            # whichever later write finds it large, a quarter of a second at
            # 10,000 checks).
            cache.close()


def _build_with(
    config: Config,
    target: Path,
    strict: bool,
    cache: Cache,
    own_cache: bool,
    progress: Progress,
    defer_search: bool,
    notice: Callable[[str], None],
    shortcut: bool,
    drafts: bool,
    parallel: bool,
    scout: Any,
) -> Verification:
    def save(*spaces: str) -> None:
        if own_cache:
            cache.save(prune=spaces)

    walked: list[Walks] = []

    def walks_of() -> Walks:
        if not walked:
            walked.append(scout.walks() if scout is not None else walk_desk(config, parallel))
        return walked[0]

    if shortcut and not drafts and not defer_search:
        from . import rebuild

        # What the last build kept: a site up to date, or a few entries changed.
        found = rebuild.plan(config, target, strict, cache, walks_of, manifest_signature(target))
        if found is not None:
            there = scout.there if scout is not None else partial(files_there, target)
            done = _rebuilt(found, target, strict, cache, walks_of(), progress, notice, own_cache, there)
            if done is not None:
                return done
    previous = read_manifest(target) if shortcut else None
    walks = walks_of()
    # What the build reads, to tell at its end that nothing changed
    # meanwhile: all but the articles and entries before they are used...
    settings = settings_digest(config, strict, cache, walks) if shortcut and not drafts else ""

    environment = _environment(config, cache)  # templates are compiled once, for checking and rendering
    result = _verify(config, strict, cache, progress, environment, walks, parallel=parallel)
    env = environment()
    if not result.ok or result.desk is None:
        save(*CHECK_SPACES)
        return result
    # ...and those by the hashes recorded as they were parsed, under the
    # signatures the walk saw (a build from nothing read every one of them
    # once more first: 0.5 s at 10,000 checks). One changed since the walk,
    # or modified just before it was read (not recorded), is read again.
    inputs = digest(settings, content_digest(config, cache, walks)) if settings else ""
    from .site.render import RenderError
    from .site.search import SearchError

    for article in result.desk.articles.values():
        article.text.release()  # the quotes are found: pages read the bodies they show again
    heap.give_back()  # what reading the desk freed, before a process is forked from this one
    try:
        desk = result.desk if drafts else result.desk.published()
        made = _render_and_write(
            desk,
            env,
            target,
            inputs,
            strict,
            cache,
            progress,
            notice,
            defer_search,
            parallel,
            previous,
            exports=_last_exports(cache, target, previous),
        )
    except RenderError as exc:
        return replace(result, diagnostics=(*result.diagnostics, exc.diagnostic))
    except LinkError as exc:
        return replace(result, diagnostics=(*result.diagnostics, *exc.diagnostics))
    except OutputError as exc:
        return replace(result, diagnostics=(*result.diagnostics, exc.diagnostic), site_changed=exc.changed)
    except SearchError as exc:
        return replace(result, diagnostics=(*result.diagnostics, Diagnostic("search", str(exc))))
    with _site_in_place(target):
        heap.give_back()  # what rendering freed, before the state and the cache are encoded
        if own_cache and made.unchanged and not drafts:
            _keep_state(result.desk, result, config, target, strict, cache, walks, made)
        else:
            state.forget(cache, target)
        save(*spaces_to_prune(made.written))
    return replace(result, output=target, written=made.written, search_stale=made.search_stale)


@contextmanager
def _site_in_place(target: Path) -> Iterator[None]:
    """What a build does once its site is in place: a Ctrl-C then says so."""
    try:
        yield
    except Interrupted:
        raise
    except KeyboardInterrupt as exc:
        raise Interrupted.updated(target) from exc


def _last_exports(cache: Cache, target: Path, manifest: Manifest | None) -> dict[str, Any]:
    """The exports the last build wrote (where the state it kept says their
    runs are), for a build to take the runs that show the same from them."""
    if manifest is None or manifest.interrupted:
        return {}
    layouts = state.exports(cache, target, manifest.read_as)
    return {kind: (layout, _reader(target / EXPORTS[kind])) for kind, layout in layouts.items()}


def _keep_state(
    desk: Desk,
    result: Verification,
    config: Config,
    target: Path,
    strict: bool,
    cache: Cache,
    walks: Walks,
    made: _Made,
) -> None:
    """After a build that read the whole desk: what it was made from, for
    the next build (state.py). A file's signature is kept only where the
    cache vouches for its hash (it was not modified just before it was read)."""
    from .site.views import Site

    folders: dict[str, state.Folder] = {}
    problems: dict[str, str] = {}
    # An article's file's hash as it was read (the build's own, where the
    # cache may have kept none): what its text is read again under.
    read = {a.path: a.text.sha256 for a in desk.articles.values()}
    for folder in (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir):
        if folder is None or not folder.is_dir():
            continue
        walk = walks.walk(folder)
        top, name = str(folder), config.relative(folder)
        hashes = []
        for parts, signature in zip(walk.files, walk.signatures, strict=True):
            known = cache.known_digest(os.path.join(top, *parts), signature)
            hashes.append((known, read.get(f"{name}/{'/'.join(parts)}") or known or ""))
        problems[name] = state.problems_digest(walk)
        folders[name] = state.folder_state(walk, hashes)
    favicon = cache.file_digest(str(config.identity.favicon)) if config.identity.favicon else ""
    corpus = folders.pop(config.relative(config.articles_dir))
    entries = folders.pop(config.relative(config.checks_dir))
    head = state.Head(
        state.context(config, strict, target, str(build_day()), favicon),
        _manifest_signature(target),
        problems,
        folders,
        list(result.diagnostics),
        dict(result.stats),
        list(desk.pages.values()),
        dict(made.layouts),
        dict(made.indexed),
    )
    evidence = dict(made.evidence)
    drafts = [c for c in desk.checks.values() if c.id not in evidence]  # not on the site: not keyed
    if drafts:
        site = Site(desk)
        evidence.update({c.id: site.evidence_key(c) for c in drafts})
    signatures = dict(zip(entries.files, entries.signatures, strict=True))
    state.save(cache, target, head, desk, evidence, signatures, corpus)


def _rebuilt(
    plan: Any,
    target: Path,
    strict: bool,
    cache: Cache,
    walks: Walks,
    progress: Progress,
    notice: Callable[[str], None],
    own_cache: bool,
    there: Callable[[Manifest], bool],
) -> Verification | None:
    """A build from the last build's state (rebuild.py): the site up to
    date, or the pages of a few changed entries made again; None where a
    full build must. `there`: whether every file of a manifest is still there."""
    from .model import ChangedFile
    from .site.render import Only, RenderError, markdown_with
    from .site.search import SearchError
    from .site.views import Site

    config = plan.desk.config
    head = plan.saved.head
    found = plan.found
    if not plan.changed:
        previous = read_manifest(target)
        if previous is None or previous.read_as != tuple(head.manifest) or not _intact(target, previous, there):
            return None  # a page deleted by hand: the full build puts it back
        if own_cache and (found.sources or found.corpus or found.folders != head.folders):
            # The same bytes under new signatures: kept, not hashed again next time.
            new_head = replace_head(head, folders=found.folders)
            state.save(
                cache, target, new_head, plan.desk, plan.saved.evidence, found.entries, found.corpus, plan.shards
            )
        if own_cache:
            cache.save()
        return Verification(
            None,
            plan.diagnostics,
            plan.stats,
            output=target,
            written=Written(0, 0, 0, 0, False),
            citations=plan.citations_json,
        )
    unchanged = {k: v for k, v in plan.saved.evidence.items() if k not in plan.changed}
    site = Site(plan.desk.published(), known_evidence=unchanged)
    # Search first (Pagefind works on the second core meanwhile), from what
    # the last build's state knows of the index's parts.
    searching = _plan_search(site, target, head.search)
    searching.start(markdown_with(cache), config.language, progress)
    previous = read_manifest(target)
    if previous is None or previous.read_as != tuple(head.manifest):
        searching.indexer.cancel()
        return None
    from .site.render import environment

    env = environment(config, cache)
    only = Only(
        plan.changed,
        plan.articles,
        plan.verdicts,
        plan.tags,
        plan.claimants,
        plan.corrections,
        whole=True,
        standing=frozenset(previous.keys),
        years=plan.years,
        correction_years=plan.correction_years,
    )
    try:
        made = _render_and_write(
            plan.desk.published(),
            env,
            target,
            "",
            strict,
            cache,
            progress,
            notice,
            False,
            known=previous,
            only=only,
            expected=lambda manifest: manifest is not None and manifest.read_as == previous.read_as,
            evidence=unchanged,
            exports={kind: (layout, _reader(target / EXPORTS[kind])) for kind, layout in head.exports.items()},
            intact=lambda: there(previous),  # else a page deleted by hand: the full build puts it back
            searching=searching,
        )
    except (NotQuick, RenderError, LinkError, SearchError, ChangedFile):
        return None  # the full build makes the same, or says what is wrong
    except OutputError as exc:
        return Verification(
            plan.desk,
            (*plan.diagnostics, exc.diagnostic),
            plan.stats,
            citations=plan.citations_json,
            site_changed=exc.changed,
        )
    if own_cache:
        with _site_in_place(target):
            new_head = replace_head(
                head,
                manifest=_manifest_signature(target),
                folders=found.folders,
                diagnostics=list(plan.diagnostics),
                stats=plan.stats,
                exports={**head.exports, **made.layouts},
                search=made.indexed,
            )
            evidence = {**unchanged, **made.evidence}
            state.save(cache, target, new_head, plan.desk, evidence, found.entries, found.corpus, plan.shards)
            cache.save()
    return Verification(
        plan.desk, plan.diagnostics, plan.stats, output=target, written=made.written, citations=plan.citations_json
    )


# The files of the site that hold every check, by the kind of their runs (render.py).
EXPORTS = {"claims": "claims.json", "annotations": "annotations.jsonld"}


def _reader(path: Path) -> Callable[[], bytes | None]:
    def read() -> bytes | None:
        try:
            return path.read_bytes()
        except OSError:
            return None

    return read


def replace_head(head: state.Head, **changes: Any) -> state.Head:
    import msgspec

    return msgspec.structs.replace(head, **changes)


def _manifest_signature(target: Path) -> tuple[int, int, int]:
    st = os.stat(target / MARKER)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def spaces_to_prune(written: Written | None) -> tuple[str, ...]:
    """The cache tables to prune after a build. What a build did not render
    it did not ask the cache for: one that rendered a few pages keeps the
    Markdown and fragments of the others (pruning them would cost a delete
    of each now, and rendering them again the next time they are shown);
    one that rendered most of the site prunes them too."""
    if written is None or written.cold or written.added + written.changed >= written.unchanged:
        return SPACES
    return (*CHECK_SPACES, "stat", "folder")


def _static_links(desk: Desk, env: jinja2.Environment) -> list[Diagnostic]:
    from .site import search
    from .site.links import static_problems
    from .site.render import template_sources

    return static_problems(desk, search.folders(list(desk.checks.values())), template_sources(desk.config, env))


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
    only: Only | None = None,
    expected: Callable[[Manifest | None], bool] = lambda manifest: True,
    evidence: Mapping[str, str] | None = None,
    exports: Mapping[str, Any] | None = None,
    intact: Callable[[], bool] = lambda: True,
    searching: _Search | None = None,
) -> _Made:
    """Render and write: what was written, whether search was left stale,
    whether the inputs were as `inputs` says when it was done (False for
    the preview's builds, which do not hash them; True for a rebuild from
    the state, which keeps the signatures it read under), where the runs
    of the exports it made are in their files (Layout), the key of each
    part of the search index (by its folder), and the checks' evidence keys.
    `exports`: those the last build made, for their runs (render_site).
    `searching`: the site and its search index's parts, indexed already.
    `known`: the last build's manifest, as read to tell the site up to date.
    `only`: a rebuild from the last build's state (rebuild.py), which looks
    at the pages of what changed alone: every other file stands. It stops
    (`NotQuick`, the site untouched) where the manifest found under the lock
    is not what `expected` says, where a page would go, or where a file of
    the last build is gone (`intact`, asked once the pages are made)."""
    from .site import parallel as rendering
    from .site import search
    from .site.links import LinkScanner, diagnose, locate
    from .site.render import RenderError, render_site
    from .site.views import Site

    config = desk.config
    # Taken before anything is rendered: the last build is read under the lock.
    try:
        writer = SiteWriter(
            target,
            protect=(config.root,),
            forbid=(config.articles_dir, config.checks_dir, config.templates_dir, config.root / CACHE_FOLDER),
            notice=notice,
            known=known,
        )
    except BaseException:
        if searching is not None and searching.indexer is not None:
            searching.indexer.cancel()
        raise
    previous = writer.previous
    if not expected(previous):
        if searching is not None and searching.indexer is not None:
            searching.indexer.cancel()
        writer.abort()
        raise NotQuick("another build changed the site")
    old_files: Mapping[str, str] = previous.files if previous else {}
    old_keys: Mapping[str, str] = previous.keys if previous else {}
    out = str(target) + os.sep

    def previous_key(path: str) -> str | None:
        # A page stands only if the last build recorded it and it is still there.
        key = old_keys.get(path)
        if key is not None and path in old_files and os.path.exists(out + path):
            return key
        return None

    if searching is None:
        searching = _plan_search(Site(desk, known_evidence=evidence or {}), target, old_keys, defer_search)
    site, buckets, stale, deferred = searching.site, searching.buckets, searching.stale, searching.deferred
    folders = [b.folder for b in buckets]
    # A build from nothing renders a share of the pages in a second process,
    # forked now: after loading, before the indexer starts its threads.
    worker = shares = None
    froze = False

    def let_go() -> None:
        # What rendering on two cores holds: the pipe of numbers, the heap frozen.
        nonlocal shares, froze
        if froze:
            gc.unfreeze()
            froze = False
        if shares is not None:
            shares.close()
            shares = None

    if parallel and writer.fresh and fork.available():
        try:
            cache.preload(rendering.SPACES)
            shares = rendering.Shares()
            # The desk and the site's views live as long as the build: the
            # full collection after rendering (below) need not look at them.
            # (A caller's own frozen heap is left as it is.)
            if gc.get_freeze_count() == 0:
                gc.freeze()
                froze = True
            with interrupts.held():  # (known to the clean-up below once forked)
                worker = fork.Worker.start(
                    partial(_render_share, site, env, cache, previous_key, folders, shares),
                    "the process rendering half of the pages",
                )
        except BaseException:
            with interrupts.held():  # (a second Ctrl-C: once all is undone)
                if worker is not None:
                    worker.stop()
                let_go()
                writer.abort()
            raise
    try:
        if searching.indexer is None:
            searching.start(env.filters["markdown"], config.language, progress)
        indexer = searching.indexer
        search.remove_kept_documents(cache)
    except BaseException:
        with interrupts.held():
            if worker is not None:
                worker.stop()
            let_go()
            if searching.indexer is not None:
                searching.indexer.cancel()
            writer.abort()
        raise
    rendered_count = 0
    scanner = LinkScanner(urlsplit(config.base_url).path)

    def put_theirs(path: str, data: bytes, key: str | None = None) -> None:
        # A page of the other process, which scanned its links itself.
        nonlocal rendered_count
        rendered_count += 1
        progress("rendering pages", rendered_count)
        writer.put(path, data, key)

    def put(path: str, data: bytes, key: str | None = None) -> None:
        scanner.scan(path, data)
        put_theirs(path, data, key)

    def put_own(path: str, data: bytes | Parts, key: str | None = None) -> None:
        if worker is not None and not isinstance(data, bytes):
            # A file made as it is written (an export: a second or more at
            # 10,000 checks): the other process's pages are taken on the way,
            # or it would wait on a full pipe.
            data = _taking_theirs(data, lambda: worker.drain(put_theirs, leave_last=True))
        put(path, data, key)
        if worker is not None:
            worker.drain(put_theirs, leave_last=True)  # the pages the other process has made meanwhile
        for bundle_path, bundle_data in sorted(indexer.ready().items()):  # search, as each part is indexed
            writer.put(bundle_path, bundle_data)

    try:
        mine = (lambda path: shares.mine(path, 0)) if shares is not None else None
        try:
            rendered = render_site(
                site, env, put_own, cache, previous_key, folders, only=only, mine=mine, before=exports
            )
            layouts = dict(rendered.layouts)
            if worker is not None:
                # While the other process finishes its share: what rendering
                # left (Jinja2's contexts and the lists' views are cycles,
                # which only a full collection frees: 16 MB at 10,000 checks)
                # given back before its pages' cache rows come (50 MB).
                gc.collect()
                heap.give_back()
                rows, used, links, theirs = worker.drain(put_theirs, wait=True)  # type: ignore[misc]
                cache.merge(rows, used)
                scanner.merge(links)
                layouts.update({k: Layout(h, n, tuple(map(tuple, r)), b) for k, (h, n, r, b) in theirs.items()})
                _each_rendered(rendered.keys.keys() - rendered.kept, writer.hashes)
        except fork.WorkerError as exc:
            raise RenderError(exc.diagnostic) from exc
        finally:
            let_go()
        dropped: set[str] | None = None
        if only is not None:
            # Looked at while Pagefind is still at work. What a rebuild of a
            # few entries did not look at stands as it was, but for the search
            # parts indexed again, and for a page its lists no longer have (a
            # full build removes it, and says if a page still links to it).
            listed = _listed_by(only)
            if any(p.startswith(listed) and p not in rendered.keys and p not in rendered.unseen for p in old_keys):
                raise NotQuick("a page would go")
            if not intact():
                raise NotQuick("a file of the site is gone")
            indexed = tuple(b.folder for b in stale)
            dropped = {p for p in old_files if p.startswith(indexed)} if indexed else set()
            writer.stage()  # the pages made, written beside the site while Pagefind works
        searching = f"indexing search ({len(stale)} of {len(buckets)} parts)"
        if stale:
            progress(searching)
        for path, data in sorted(indexer.result(lambda: progress(searching)).items()):
            writer.put(path, data)
        if worker is not None:
            # A build from nothing: its new cache is written by a forked
            # process (nothing else runs now: Pagefind and the threads that
            # talked to it are done) while the site is put in place.
            cache.write_ahead()
    except BaseException:
        with interrupts.held():
            if worker is not None:
                worker.stop()
            indexer.cancel()
            writer.abort()
        raise
    try:
        kept = set(rendered.kept)
        files: Collection[str]
        if dropped is not None:
            files = _Standing(writer.hashes, old_files, dropped)
        else:
            standing = {b.folder for b in buckets if b not in stale}  # unchanged, or deferred
            for path in old_files:
                if path.startswith(search.ROOT) and path[: path.find("/", len(search.ROOT)) + 1] in standing:
                    kept.add(path)
            files = set(writer.hashes) | {p for p in kept if old_files.get(p)}
        # Every local link of a page rendered now must lead to a file of the new site.
        broken = scanner.broken(files)
        if broken:
            raise LinkError(diagnose(broken, files, lambda link: locate(link, desk)))
        keys = {**rendered.keys, **{b.folder: old_keys[b.folder] if b in deferred else b.key for b in buckets}}
        if only is not None:
            keys = {**old_keys, **keys}
        progress("writing the site")
        # With search left stale, or an input changed while the site was made,
        # what the build was made from is not kept for the next one (state.py),
        # which reads the desk again. (A rebuild from the state keeps the
        # signatures its walk saw before it read anything: a file changed
        # meanwhile is a change to the next one.)
        unchanged = not deferred and (only is not None or bool(inputs))
        if only is None and unchanged:
            unchanged = inputs_digest(config, strict, cache, walk_desk(config)) == inputs
        indexed = {b.folder: keys[b.folder] for b in buckets}
    except BaseException:  # broken links, or Ctrl-C: a build from nothing has its files there already
        writer.abort()
        raise
    written = writer.finish(keys=keys, kept=kept, dropped=dropped)
    return _Made(written, bool(deferred), unchanged, layouts, indexed, site.known_keys())


@dataclass(frozen=True)
class _Made:
    """What `_render_and_write` made."""

    written: Written
    search_stale: bool  # search left behind the pages (the preview's builds)
    unchanged: bool  # the inputs were as the build found them when it was done
    layouts: dict[str, Any]  # where the runs of each export made are in its file (Layout)
    indexed: dict[str, str]  # each part of the search index (its folder) -> its key
    evidence: Mapping[str, str]  # each check's evidence key, as the pages' keys have them


@dataclass
class _Search:
    """The search index's parts (search.plan), those to index again, and
    the indexer at work on them (Pagefind, on the second core)."""

    site: Any
    buckets: list[Any]
    stale: list[Any]
    deferred: list[Any]
    indexer: Any = None

    def start(self, markdown: Callable[[str], Any], language: str, progress: Progress) -> None:
        from .site import search
        from .site.render import search_documents

        self.indexer = search.Indexer(
            self.stale, search_documents(self.site, markdown), language, lambda: progress("preparing search")
        )


def _plan_search(site: Any, target: Path, known: Mapping[str, str], defer_search: bool = False) -> _Search:
    """The parts of the search index, and which the last build's (`known`,
    folder -> key) do not stand for."""
    from .site import search
    from .site.render import search_salt

    config = site.desk.config
    buckets = search.plan(list(site.desk.checks.values()), config.language, search_salt(site))
    stale = [b for b in buckets if known.get(b.folder) != b.key or not (target / b.folder).is_dir()]
    # A preview shows an edit first and brings search up to date just after:
    # a bundle that exists stays as it is (and keeps its old key) this time.
    deferred = [b for b in stale if defer_search and b.folder in known and (target / b.folder).is_dir()]
    return _Search(site, buckets, [b for b in stale if b not in deferred], deferred)


class _Standing(Collection[str]):
    """The files of the site after a rebuild of a few entries: those it
    made, and those of the last build but the ones it drops."""

    def __init__(self, made: Mapping[str, str], old: Mapping[str, str], dropped: Collection[str]):
        self._made, self._old, self._dropped = made, old, dropped

    def __contains__(self, path: object) -> bool:
        return path in self._made or (path in self._old and path not in self._dropped)

    def __iter__(self) -> Iterator[str]:
        yield from self._made
        yield from (p for p in self._old if p not in self._made and p not in self._dropped)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class NotQuick(Exception):
    """A rebuild from the last build's state that a full build must do instead."""


def _listed_by(only: Only) -> tuple[str, ...]:
    """Where the pages are of the lists and indexes a rebuild of a few
    entries makes again: those of their verdicts, topics and claimants, the
    home page's archive, the corrections, the indexes of names."""
    from .site.views import verdict_url

    found = ["archive/", "tags/index.html", "tags/by_letter/", "claimants/index.html", "claimants/by_letter/"]
    found += [verdict_url(v) for v in sorted(only.verdicts)]
    found += [f"tags/{slug}/" for slug in sorted(only.tags)]
    found += [f"claimants/{slug}/" for slug in sorted(only.claimants)]
    if only.corrections:
        found.append("corrections/")
    return tuple(found)


def _taking_theirs(parts: Parts, take: Callable[[], object]) -> Iterator[bytes | memoryview]:
    """The parts, with `take` called between two."""
    for part in parts:
        yield part
        take()


def _each_rendered(keys: Collection[str], written: Collection[str]) -> None:
    """Both processes asked of every page which of them renders it
    (parallel.Shares): that no page fell between them is checked, not
    taken on trust."""
    missed = sorted(path for path in keys if path not in written)
    if missed:
        raise fork.WorkerError(
            Diagnostic(
                "render-worker",
                f"{len(missed)} pages were rendered by neither process (the first: {missed[0]}); nothing was written",
                hint="this is a bug in factcheck: please report it; `build --jobs 1` renders in one process",
            )
        )


def _render_share(
    site: Any,
    env: jinja2.Environment,
    cache: Cache,
    previous: Callable[[str], str | None],
    folders: list[str],
    shares: Any,
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

    def scanned(path: str, data: bytes, key: str | None = None) -> None:
        scanner.scan(path, data)
        emit(path, data, key)

    try:
        rendered = render_site(site, env, scanned, cache, previous, folders, mine=lambda path: shares.mine(path, 1))
    except RenderError as exc:
        raise fork.WorkerError(exc.diagnostic) from exc
    rows, used = cache.changes(rendering.SPACES)
    return rows, used, scanner.found(), {k: tuple(v) for k, v in rendered.layouts.items()}


def walk_desk(config: Config, parallel: bool = False) -> Walks:
    """The folders a build reads, walked (listed, and every file's signature
    taken); `parallel`: on two cores (scout.walk_in_two)."""
    if parallel:
        from .scout import walk_in_two

        return walk_in_two(config)
    return Walks(config.root, desk_folders(config))


def inputs_digest(config: Config, strict: bool, cache: Cache, walks: Walks) -> str:
    """Everything a build reads: the code, config.yaml and every file in
    the content and template folders, by name and bytes.

    Files unchanged since they were last hashed are not read again."""
    return digest(settings_digest(config, strict, cache, walks), content_digest(config, cache, walks))


def settings_digest(config: Config, strict: bool, cache: Cache, walks: Walks) -> str:
    """What inputs_digest covers but the articles and entries: the code,
    config.yaml, the pages and templates, the favicon, the built-in theme."""
    # The day, for the warnings that depend on it (future-date).
    parts: list[str | bytes] = [code_fingerprint(), "strict" if strict else "", config.digest, str(build_day())]
    parts += _folders_digests(config, (config.pages_dir, config.templates_dir), cache, walks)
    if config.identity.favicon is not None:  # a file of the desk that the site publishes
        parts += ["favicon", cache.file_digest(str(config.identity.favicon))]
    # The built-in theme, as the code (its files change with the code, but
    # also under the hands of whoever works on the theme while serving).
    for name in builtin_files():
        parts += [name, cache.file_digest(str(BUILTIN / name))]
    return digest(*parts)


def content_digest(config: Config, cache: Cache, walks: Walks) -> str:
    """The articles and entries folders' part of inputs_digest."""
    return digest(*_folders_digests(config, (config.articles_dir, config.checks_dir), cache, walks))


def _folders_digests(config: Config, folders: tuple[Path | None, ...], cache: Cache, walks: Walks) -> list[str]:
    parts: list[str] = []
    for folder in folders:
        if folder is None:
            continue
        parts.append(os.path.relpath(folder, config.root))  # the same in any checkout
        if not folder.is_dir():
            continue
        walk = walks.walk(folder)
        if walk.problems:
            parts.append(repr(walk.problems))
        parts.append(_folder_digest(str(folder), walk, cache))
    return parts


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


def _intact(target: Path, manifest: Manifest, there: Callable[[Manifest], bool] | None = None) -> bool:
    """Every file the last build wrote is still there (someone may have
    deleted a page by hand), and no build is writing, or was killed while
    writing (it leaves its journal, and its process id in the lock)."""
    if os.path.exists(target / JOURNAL) or _size(target / LOCK):
        return False
    return there(manifest) if there is not None else files_there(target, manifest)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
