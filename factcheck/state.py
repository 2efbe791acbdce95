"""What the last build of a site was made from, kept for the next one.

A build that writes a site keeps, in the cache (three tables of rows, read
row by row), the checked desk it rendered: the signature and hash of each
input file as the build found it, every check with its resolved citations,
every article without its body (read again from its file when a page needs
it, and checked against the hash: model.Text), the desk's own pages, what it
reported, and the signature of the manifest it wrote into the site. The
next build of the same site, with the same code, config, templates, options
and day, starts from this rather than from the desk: it finds the files that
changed by their signatures and, when only a few entries did, reads those
alone (rebuild.py). Loading the saved desk of 10,000 checks takes a tenth of
a second; reading it from its 20,000 files and their cache rows took three.

Like the rest of the cache it is data only (msgpack, decoded into the one
type each table declares) and never trusted beyond what it says: it counts
only for the site whose manifest is still the very file the build wrote
(its size, time and inode), and for the exact context it was made in.
Checks are kept in `SHARDS` rows by a hash of their id, so that a rebuild
after an edit writes back the few rows the edit changed, not the desk.
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from .cache import Cache, Space, code_fingerprint, digest
from .diagnostics import Diagnostic
from .model import Article, Check, Citations, Config, Correction, Desk, Page, Resolved, Row, Text
from .site.output import Layout
from .verify.sources import Walk

SHARDS = 256
Signature = tuple[int, int, int]


class Folder(msgspec.Struct, array_like=True):
    """A folder of the desk as the build walked it: each file (its path below
    the folder, "/"-joined, in the walk's order), its signature (None where
    it was modified too shortly before the build to be trusted: it is read
    again next time) and its SHA-256 ("" where not known)."""

    files: list[str]
    signatures: list[Signature | None]
    digests: list[str]


class Head(msgspec.Struct, array_like=True):
    context: str
    manifest: Signature  # the manifest the build left: (size, mtime_ns, inode)
    problems: dict[str, str]  # by folder (relative to the desk): digest of what its walk refused
    folders: dict[str, Folder]  # the folders of pages and templates
    diagnostics: list[Diagnostic]
    stats: dict[str, int]
    pages: list[Page]
    exports: dict[str, Layout]  # where the runs of each export are in its file
    search: dict[str, str]  # each part of the search index (its folder) -> its key, as the manifest has it


class StoredArticle(msgspec.Struct, array_like=True, dict=True):
    """An article as a saved build keeps it, read as an `Article` is: what
    a page shows of it when it cites it is held; its body, read again from
    its file (and checked against the hash it was read under), and what is
    worked out from it, when first asked for."""

    id: str
    path: str
    body_line: int
    title: str
    publisher: str | None
    url: str | None
    published: dt.date | None
    language: str | None
    license: str | None
    sha256: str | None
    digest: str
    author: str | None
    archived: str | None
    archive_url: str | None
    warc_digest: str | None
    pages: tuple[int, ...] | None
    start: int  # where the body starts in the file (code points, as read)
    read: str  # the file's hash as it was read

    @classmethod
    def of(cls, a: Article | StoredArticle) -> StoredArticle:
        if isinstance(a, StoredArticle):
            return a
        return cls(
            a.id, a.path, a.body_line, a.title, a.publisher, a.url, a.published, a.language, a.license,
            a.sha256, a.digest, a.author, a.archived, a.archive_url, a.warc_digest, a.pages,
            a.text.start, a.text.sha256,
        )  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        # Only for what is not held (Python looks here last): the whole article.
        if name.startswith("__"):
            raise AttributeError(name)
        whole = self.__dict__.get("whole")
        if whole is None:
            file = self.__dict__["file"]  # set by Saved.load, which knows the desk's folder
            whole = self.__dict__["whole"] = Article(
                self.id, self.path, Text.stored(file, self.start, self.read), self.body_line, self.title,
                self.publisher, self.url, self.published, self.language, self.license, self.sha256,
                self.digest, self.author, self.archived, self.archive_url, self.warc_digest, self.pages,
            )  # fmt: skip
        return getattr(whole, name)


class Corpus(msgspec.Struct, array_like=True):
    articles: list[StoredArticle]
    folder: Folder


_CHECK = msgspec.msgpack.Decoder(Check)
_ENCODE = msgspec.msgpack.Encoder().encode


class StoredCheck(msgspec.Struct, array_like=True, dict=True):
    """A check as a saved build keeps it, read as a `Check` is: what lists,
    feeds and search show of it is held, the whole check (its summary and
    citations) decoded when first asked for. A rebuild loads every check of
    the desk to make its lists, and shows the summary and citations of a
    few: decoding all of them took a quarter of a second at 10,000."""

    id: str
    path: str
    claim: str
    claimant: str
    verdict: str
    published: dt.date
    claim_date: dt.date | None
    updated: dt.date | None
    author: str | None
    tags: tuple[str, ...]
    corrections: tuple[Correction, ...]
    digest: str
    draft: bool
    whole: msgspec.Raw  # the Check, encoded

    @classmethod
    def of(cls, check: Check | StoredCheck) -> StoredCheck:
        if isinstance(check, StoredCheck):
            return check
        c = check
        return cls(
            c.id, c.path, c.claim, c.claimant, c.verdict, c.published, c.claim_date, c.updated, c.author,
            c.tags, c.corrections, c.digest, c.draft, msgspec.Raw(_ENCODE(c)),
        )  # fmt: skip

    def __getattr__(self, name: str) -> Any:
        # Only for what is not held (Python looks here last).
        if name in ("summary", "citations"):
            whole = _CHECK.decode(self.whole)
            self.__dict__.update(summary=whole.summary, citations=whole.citations)
            return getattr(whole, name)
        raise AttributeError(name)


class Shard(msgspec.Struct, array_like=True):
    """The checks whose ids hash to one shard, and the files of the entries
    folder whose names do (by their stem, the id they give)."""

    checks: list[StoredCheck]
    found: dict[str, list[Row]]  # by check, in the order of its citations
    cites: dict[str, list[tuple[str, int]]]  # article -> where its citations are in `found`: (check, position)
    evidence: dict[str, str]  # each check's evidence key (views.Site.evidence_key)
    files: dict[str, Signature | None]  # path below the folder -> signature (None: read it again)


HEADS = Space[Head]("state", Head, by_row=True)
CORPUS = Space[Corpus]("state-articles", Corpus, by_row=True)
CHECKS = Space[Shard]("state-checks", Shard, by_row=True)


def context(config: Config, strict: bool, target: Path, day: str, favicon: str) -> str:
    """What a build's output depends on beyond the files of the desk's
    folders (whose state is kept file by file): the code and its theme,
    config.yaml (and the base URL it is built for), the favicon it names,
    the options, the day (future-date warnings) and where the site goes."""
    return digest(code_fingerprint(), config.digest, config.base_url, favicon, str(strict), day, str(target))


def row_of(r: Resolved) -> Row:
    return (r.check, r.citation.index, r.citation.article, r.start, r.end, r.parts)


def shard_of(check_id: str) -> int:
    return zlib.crc32(check_id.encode("utf-8")) % SHARDS


def stem(name: str) -> str:
    """A file's name without its folders and suffix, as Path.stem has it."""
    base = name.rpartition("/")[2]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 else base


def _key(target: Path) -> str:
    return digest("site", str(target))[:24]


def folder_state(walk: Walk, hashes: Sequence[tuple[str | None, str]]) -> Folder:
    """A walked folder, with each file's hash as the build read it ("" where
    not known), and its signature where the cache vouches for that hash
    under it (the file was not modified just before it was read)."""
    files = ["/".join(parts) for parts in walk.files]
    signatures = [s if k and k == r else None for s, (k, r) in zip(walk.signatures, hashes, strict=True)]
    return Folder(files, signatures, [read for _, read in hashes])


@dataclass
class Saved:
    """A saved build, loaded: its head, and its desk (articles' bodies read
    again when asked for)."""

    head: Head
    articles: dict[str, Article]
    corpus: Folder  # the articles' folder
    checks: dict[str, StoredCheck]
    found: dict[str, list[Row]]  # by check, in citation order
    evidence: dict[str, str]  # by check
    entries: dict[str, Signature | None]  # the entries folder's files
    cites: list[dict[str, list[tuple[str, int]]]]  # each shard's: article -> (check, position)

    @classmethod
    def load(cls, cache: Cache, config: Config, target: Path, wanted_context: str) -> Saved | None:
        key = _key(target)
        head = cache.get(HEADS, key)
        if head is None or head.context != wanted_context:
            return None
        corpus = cache.get(CORPUS, key)
        if corpus is None:
            return None
        root = str(config.root) + os.sep
        articles: dict[str, Article] = {}
        for article in corpus.articles:
            article.__dict__["file"] = root + article.path.replace("/", os.sep)
            articles[article.id] = article  # type: ignore[assignment]  # it reads as one
        checks: dict[str, Check] = {}
        found: dict[str, list[Row]] = {}
        evidence: dict[str, str] = {}
        entries: dict[str, Signature | None] = {}
        cites = []
        for n in range(SHARDS):
            shard = cache.get(CHECKS, f"{key}/{n}")
            if shard is None:
                return None
            cites.append(shard.cites)
            for check in shard.checks:
                checks[check.id] = check
            found.update(shard.found)
            evidence.update(shard.evidence)
            entries.update(shard.files)
        return cls(head, articles, corpus.folder, checks, found, evidence, entries, cites)

    def desk(self, config: Config, checks: Mapping[str, Check | StoredCheck], found: Mapping[str, list[Row]]) -> Desk:
        """The desk these checks make (a stored check reads as a Check), with
        this build's articles and pages."""
        pages = {p.id: p for p in self.head.pages}
        held: dict[str, Check] = dict(checks)  # type: ignore[arg-type]
        fresh = {c: rows for c, rows in found.items() if rows is not self.found.get(c)}
        kept = self.cites

        def places(article: str) -> list[tuple[str, int]]:
            # Each shard's where-is of the article's citations, but those of
            # the checks whose rows are new, whose own rows are looked at.
            found_in = [(c, n) for cites in kept if (hits := cites.get(article)) for c, n in hits if c not in fresh]
            for c, rows in fresh.items():
                found_in += [(c, n) for n, row in enumerate(rows) if row[2] == article]
            return found_in

        return Desk(config, self.articles, held, Citations.kept(held, found, places), pages)


def save(
    cache: Cache,
    target: Path,
    head: Head,
    desk: Desk | None = None,
    evidence: Mapping[str, str] | None = None,
    entries: Mapping[str, Signature | None] | None = None,
    corpus: Folder | None = None,
    shards: Iterable[int] = range(SHARDS),
) -> None:
    """Keep a build's state: its head; with `desk`, the shards named (all
    of them after a build that read the whole desk) with their checks, the
    evidence keys of those and the entries folder's files; with `corpus`,
    the articles."""
    key = _key(target)
    cache.put(HEADS, key, head)
    if desk is None:
        return
    if corpus is not None:
        cache.put_encoded(CORPUS, key, _ENCODE(Corpus([StoredArticle.of(a) for a in desk.articles.values()], corpus)))
    wanted = set(shards)
    members: dict[int, list[Check]] = {n: [] for n in wanted}
    for check in desk.checks.values():
        n = shard_of(check.id)
        if n in wanted:
            members[n].append(check)
    files: dict[int, dict[str, Signature | None]] = {n: {} for n in wanted}
    for name, signature in (entries or {}).items():
        n = shard_of(stem(name))
        if n in wanted:
            files[n][name] = signature
    evidence = evidence or {}
    for n in sorted(wanted):  # one shard at a time, held as bytes alone once made
        shard = Shard([], {}, {}, {}, files[n])
        for check in members.pop(n):
            shard.checks.append(StoredCheck.of(check))
            if check.id in evidence:
                shard.evidence[check.id] = evidence[check.id]
            cited = desk.citations.of_check(check.id)
            if cited:
                shard.found[check.id] = [row_of(r) for r in cited]
                for i, r in enumerate(cited):
                    shard.cites.setdefault(r.citation.article, []).append((check.id, i))
        cache.put_encoded(CHECKS, f"{key}/{n}", _ENCODE(shard))


def exports(cache: Cache, target: Path, manifest: tuple[int, int, int] | None) -> dict[str, Layout]:
    """Where the last build put the runs of its exports, if its state is
    that of the site whose manifest has this signature."""
    head = cache.get(HEADS, _key(target))
    if head is None or manifest is None or tuple(head.manifest) != tuple(manifest):
        return {}
    return dict(head.exports)


def forget(cache: Cache, target: Path) -> None:
    """No state for this site: the next build reads the desk."""
    cache.delete(HEADS, _key(target))


def problems_digest(walk: Walk) -> str:
    return digest(repr(tuple(walk.problems)))
