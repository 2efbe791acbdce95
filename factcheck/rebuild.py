"""A rebuild after a few entries changed, from what the last build kept.

A build whose site was last built in the same context (state.py: the same
code, config, templates, options and day, and the site's manifest still the
file that build wrote) does not read the desk: it loads the checked desk the
last build kept, and looks at which files changed by their signatures (a file
whose signature changed is hashed, and the same bytes are no change). When
nothing changed, the site is up to date. When the only changes are entries
edited or added, it reads those alone, checks them and resolves their
citations against the corpus as kept, and plans to render what shows them:
their own pages, the pages of the articles they cite (before and after), the
lists they were and are on (home, verdict, topic, claimant, corrections) and
the indexes that count them, as the preview's quick rebuild does
(editor/quick.py), and, unlike it, the feeds, sitemap, exports and search
parts that hold them. The pipeline renders and writes that plan as it does a
full build's; the site is byte for byte what a full build makes (the tests
hold it to that over random edits), in time that grows with the edit, not
with the desk, but for loading the kept desk itself.

Anything else (an article, a page or a template changed; an entry removed,
renamed or made a draft; a problem in an entry; a page that would go) is
left to the full build, which reads everything and says what is wrong.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import Cache
from .diagnostics import Diagnostic, promote_warnings, sorted_diagnostics
from .model import Check, Config, Desk
from .state import Folder, Saved, Signature, context, problems_digest, row_of, shard_of, stem
from .verify.editorial import build_day
from .verify.entries import ENTRIES, load_entry_file, validate_entries
from .verify.ids import ID_RE, tag_slug
from .verify.resolve import resolve_citations
from .verify.sources import SourceFile, Walk, Walks

MOST = 200  # entries changed at once beyond which a full build is as quick
_ENTRY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Found:
    """The desk's folders as a rebuild finds them."""

    folders: dict[str, Folder]  # those of pages and templates
    corpus: Folder | None  # the articles' folder, where its signatures changed (not its bytes)
    entries: dict[str, Signature | None]  # the entries folder's files, in the walk's order
    sources: list[SourceFile]  # the entries whose signatures changed, or that are new


@dataclass(frozen=True)
class Plan:
    """What a rebuild from the last build's state makes the site from."""

    saved: Saved
    context: str
    desk: Desk  # the whole checked desk, the changed entries in it
    diagnostics: tuple[Diagnostic, ...]
    stats: dict[str, int]
    found: Found
    changed: frozenset[str] = frozenset()  # ids of the entries edited or added: none, the site is up to date
    shards: frozenset[int] = frozenset()  # the state's rows of checks (and of entry files) that changed
    # What the pages of the changed entries show: the articles cited before
    # and after, the verdicts, topics and claimants (slugs), the corrections.
    articles: frozenset[str] = frozenset()
    verdicts: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    claimants: frozenset[str] = frozenset()
    corrections: bool = False
    years: frozenset[int] = frozenset()  # of the changed checks' publication, before and after
    correction_years: frozenset[int] = frozenset()  # of their corrections

    def citations_json(self) -> tuple[dict[str, object], ...]:
        """Every resolved citation as `--format json` lists them (made when asked for)."""
        return tuple(r.as_json() for r in self.desk.citations)


def plan(
    config: Config,
    target: Path,
    strict: bool,
    cache: Cache,
    walks: Callable[[], Walks],
    manifest: tuple[int, int, int] | None,
) -> Plan | None:
    """The plan of a rebuild from the state kept for `target`, or None when
    a full build must read the desk. `walks`: the desk's folders walked,
    asked for once the state is loaded (scout.py walks them meanwhile).
    `manifest`: the site's manifest's signature (output.signature), which
    must be that of the manifest the last build wrote."""
    if manifest is None:
        return None
    favicon = cache.file_digest(str(config.identity.favicon)) if config.identity.favicon else ""
    wanted = context(config, strict, target, str(build_day()), favicon)
    saved = Saved.load(cache, config, target, wanted)
    if saved is None or tuple(saved.head.manifest) != manifest:
        return None
    found = _changes(config, walks(), saved, cache)
    if found is None:
        return None
    if not found.sources:
        head = saved.head
        desk = saved.desk(config, _in_order(found, saved.checks, {}), saved.found)
        return Plan(saved, wanted, desk, tuple(head.diagnostics), dict(head.stats), found)
    return _edited(config, strict, cache, saved, wanted, found)


def _edited(config: Config, strict: bool, cache: Cache, saved: Saved, wanted: str, found: Found) -> Plan | None:
    """The plan for entries edited or added (`found.sources`)."""
    files = [load_entry_file(source, cache) for source in found.sources]
    checks_folder = str(config.checks_dir) + os.sep
    for source in found.sources:  # kept only where the cache vouches for the bytes it read under it
        if cache.known_digest(str(source.path), source.signature) is None:
            found.entries[str(source.path).removeprefix(checks_folder).replace(os.sep, "/")] = None
    verdicts = [v.key for v in config.verdicts]
    entries, problems = validate_entries(files, verdicts, build_day())
    if len(entries.checks) != len(files) or any(d.is_error for d in problems):
        return None
    read = list(entries.checks.values())
    old = [saved.checks[c.id] for c in read if c.id in saved.checks]
    if any(c.draft for c in (*read, *old)):
        return None  # in the desk, not on the site: the full build sorts out what changes
    # A file touched, or checked out again, the same bytes: no change but its signature.
    new = [c for c in read if c.id not in saved.checks or saved.checks[c.id].digest != c.digest]
    old = [saved.checks[c.id] for c in new if c.id in saved.checks]
    ids = {c.id for c in new}
    resolved, citation_problems = resolve_citations(entries, saved.articles, cache)
    problems += citation_problems
    if strict:
        problems = promote_warnings(problems)
    if any(d.is_error for d in problems):
        return None
    changed = {c.id: c for c in new}
    checks = _in_order(found, saved.checks, changed)
    rows = {i: r for i, r in saved.found.items() if i not in ids}
    for r in sorted(resolved, key=lambda r: r.citation.index):
        if r.check in ids:
            rows.setdefault(r.check, []).append(row_of(r))
    desk = saved.desk(config, checks, rows)
    shown = {s.shown for s in found.sources}
    diagnostics = [d for d in saved.head.diagnostics if d.file not in shown]
    for old_check in old:
        cache.delete(ENTRIES, old_check.digest)  # the parse of what the file held before
    cited_before = {row[2] for c in old for row in saved.found.get(c.id, ())}
    cited_now = {r.article for r in resolved if r.check in ids}
    both = [*old, *new]
    return Plan(
        saved,
        wanted,
        desk,
        tuple(sorted_diagnostics([*diagnostics, *problems])),
        {
            "articles": len(desk.articles),
            "checks": len(desk.checks),
            "citations": saved.head.stats.get("citations", 0)
            + sum(len(c.citations) for c in new)
            - sum(len(saved.found.get(c.id, ())) for c in old),
        },
        found,
        frozenset(ids),
        frozenset(shard_of(stem(s.shown)) for s in found.sources),
        articles=frozenset(cited_before | cited_now),
        verdicts=frozenset(c.verdict for c in both),
        tags=frozenset(tag_slug(t) for c in both for t in c.tags),
        claimants=frozenset(tag_slug(c.claimant) for c in both),
        corrections=any(c.corrections for c in both),
        years=frozenset(c.published.year for c in both),
        correction_years=frozenset(k.date.year for c in both for k in c.corrections),
    )


def _in_order(found: Found, kept: Mapping[str, Any], changed: Mapping[str, Check]) -> dict[str, Any]:
    """The desk's checks in the order of their files, as the full build loads them."""
    checks = {}
    for name in found.entries:
        if name.endswith(_ENTRY_SUFFIXES):
            i = stem(name)
            checks[i] = changed.get(i) or kept[i]
    return checks


def _changes(config: Config, walks: Walks, saved: Saved, cache: Cache) -> Found | None:
    """What the desk's folders hold now: the pages' and templates' folders,
    the entries folder's files, and the entries whose signatures changed (or
    that are new); None if anything else changed."""
    head = saved.head
    folders: dict[str, Folder] = {}
    corpus: Folder | None = None
    for folder in (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir):
        if folder is None:
            continue
        name = config.relative(folder)
        if not folder.is_dir():
            if name in head.problems:
                return None  # it was there
            continue
        if head.problems.get(name) != problems_digest(walks.walk(folder)):
            return None
    for folder in (config.articles_dir, config.pages_dir, config.templates_dir):
        if folder is None or not folder.is_dir():
            continue
        name = config.relative(folder)
        kept = saved.corpus if folder == config.articles_dir else head.folders.get(name)
        found = _same(folder, walks.walk(folder), kept, cache) if kept is not None else None
        if found is None:
            return None
        if folder != config.articles_dir:
            folders[name] = found
        elif found is not kept:
            corpus = found
    if not config.checks_dir.is_dir():
        return None
    walk = walks.walk(config.checks_dir)
    kept_entries = saved.entries
    entries: dict[str, Signature | None] = {}
    sources: list[SourceFile] = []
    stems: Counter[str] | None = None  # how many files give each id
    names = ["/".join(parts) for parts in walk.files]
    for name, signature in zip(names, walk.signatures, strict=True):
        entries[name] = signature
        if kept_entries.get(name, 0) == signature:
            continue
        if stems is None:
            stems = Counter(stem(f) for f in names)
        source = _entry(config, config.checks_dir, name, signature, stems)
        if source is None or len(sources) == MOST:
            return None
        sources.append(source)
    if not kept_entries.keys() <= entries.keys():
        return None  # an entry removed or renamed
    return Found(folders, corpus, entries, sources)


def _same(folder: Path, walk: Walk, kept: Folder, cache: Cache) -> Folder | None:
    """The folder as found now, if its files are the same bytes as `kept`
    (a file whose signature changed is hashed again); else None."""
    files = ["/".join(parts) for parts in walk.files]
    if files != kept.files:
        return None
    if all(s is not None and tuple(s) == t for s, t in zip(kept.signatures, walk.signatures, strict=True)):
        return kept
    signatures: list[Signature | None] = []
    top = str(folder)
    for name, old, now, known in zip(files, kept.signatures, walk.signatures, kept.digests, strict=True):
        if old is not None and tuple(old) == now:
            signatures.append(now)
            continue
        path = os.path.join(top, *name.split("/"))
        if cache.file_digest(path, now) != known or not known:
            return None
        signatures.append(now if cache.known_digest(path, now) == known else None)
    return Folder(files, signatures, kept.digests)


def _entry(
    config: Config, folder: Path, name: str, signature: tuple[int, int, int], stems: Counter[str]
) -> SourceFile | None:
    """An entry file a rebuild may read alone: a .yaml file whose name is an
    id no other file of the folder gives."""
    path = folder / name
    given, suffix = path.stem, path.suffix.lower()
    if suffix not in _ENTRY_SUFFIXES or not ID_RE.match(given) or stems[given] != 1:
        return None
    return SourceFile(given, path, config.relative(path), True, signature)
