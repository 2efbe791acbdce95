"""The static search index: Pagefind, over a small document per check.

Pagefind has no incremental mode, and its time and memory grow faster
than the number of pages (here 0.2 s for 250 checks, 3 s and 370 MB for
4,000). So the checks are cut into parts of at most `PART_SIZE`, each its
own Pagefind bundle (`pagefind/<year>-<n>/`), merged in the browser. Parts
follow the lists' archive (lists.py): by year of publication, oldest first
within a year, so a new check changes the newest part of its year only,
an edit re-indexes the one part of 250 that holds the check, and the parts
run in date order, which is how the browser lists the checks a filter
picks newest first across bundles (static/search.js). Each part is indexed
by Pagefind's command-line binary (from the `pagefind-bin` package) over a
folder of documents made from the checks themselves, so indexing runs on
the second core while the pages are rendered.

A document carries what the browser filters and sorts by
(`data-pagefind-filter`: verdict, topic, claimant, part;
`data-pagefind-sort`: date) and what it shows of a result (meta).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..cache import code_fingerprint, digest
from ..model import Check

ROOT = "pagefind/"
PART_SIZE = 250
# The lists' bundles: every check again, as a document of its filters, sort
# and meta alone, for the browser's filter-only queries. Pagefind answers
# `search(null, {filters})` by loading every chunk of a bundle's word index
# (an empty prefix is in all of them: half a megabyte at 1,000 checks over
# the text bundles). A list bundle's documents hold one word, EVERY, which the
# browser searches for: that loads the one chunk holding it (Pagefind also
# indexes the words of the meta, the claim, so there are other chunks).
# Documents that small index fast, so its parts are larger (fewer files for
# the browser to fetch).
LIST_SIZE = 2000
EVERY = "000every"
EVERY_DOCUMENTS = 128  # documents made between two calls of the progress callback
# What a bundle keeps of Pagefind's output: the index and the search
# library. Its ready-made interfaces (pagefind-ui.js and the like, 0.4 MB a
# bundle) go unused: the site has its own (static/search.js).
_KEPT = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_KEPT_SUFFIXES = (".pf_meta", ".pagefind")
_KEPT_FOLDERS = ("index/", "fragment/", "filter/")
_SITES_KEPT = 3  # sites of one desk whose search documents are kept (the build's, the preview's)


class SearchError(Exception):
    pass


@dataclass(frozen=True)
class Bucket:
    folder: str  # site path of its bundle, e.g. "pagefind/2024-1/"
    part: str  # its name in the `part` filter, "2024-1" (or "list-3")
    key: str  # digest of what it indexes
    checks: tuple[Check, ...]
    text: bool = True  # a text bundle (search by words), or a list bundle (filters alone)


def plan(checks: Sequence[Check], language: str, salt: str = "") -> list[Bucket]:
    """The parts: text bundles newest first (the browser's primary bundle
    is the first), then list bundles newest first. `salt` is whatever else
    the documents show (the desk's config)."""
    ordered = sorted(checks, key=lambda c: (c.published, c.id))
    years: dict[int, list[Check]] = {}
    for check in ordered:
        years.setdefault(check.published.year, []).append(check)
    buckets = []
    for year in sorted(years, reverse=True):
        chunk = years[year]
        parts = [chunk[i : i + PART_SIZE] for i in range(0, len(chunk), PART_SIZE)]
        for n in range(len(parts), 0, -1):
            buckets.append(_bucket(f"{year}-{n}", parts[n - 1], True, language, salt))
    # Oldest first, so that a new check changes the newest list bundle alone.
    lists = [ordered[i : i + LIST_SIZE] for i in range(0, len(ordered), LIST_SIZE)]
    for n in range(len(lists), 0, -1):
        buckets.append(_bucket(f"list-{n}", lists[n - 1], False, language, salt))
    return buckets


def _bucket(part: str, checks: Sequence[Check], text: bool, language: str, salt: str) -> Bucket:
    key = digest(code_fingerprint(), language, salt, part, *(f"{c.id}:{c.digest}" for c in checks))
    return Bucket(f"{ROOT}{part}/", part, key, tuple(checks), text)


class Indexer:
    """Indexes buckets in the background, two at a time (Pagefind's memory
    grows with its input); `result()` waits and returns the bundle files,
    `cancel()` stops Pagefind where it is."""

    def __init__(
        self,
        buckets: Sequence[Bucket],
        document: Callable[[Check, str, bool], str],
        language: str,
        work: Path,
        waiting: Callable[[], None] = lambda: None,
        documents: Path | None = None,
    ):
        """`waiting` is called now and then while the documents are made (a
        progress callback, which may stop the build). `documents`: a folder
        kept from one build of the site to the next (in the cache), where
        each part's documents stay: an edit rewrites the documents that
        changed, not the part's hundreds of files (creating a file costs
        ten times rewriting one, and much more while the disk is still
        busy with the last build's pages)."""
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._running = _Running()
        self._futures: list[tuple[Bucket, Future[dict[str, bytes]]]] = []
        try:
            for n, b in enumerate(buckets):
                folder = work / f"search-{n}"
                folder.mkdir(parents=True)
                # Written here, not by the thread that runs Pagefind: each
                # write would make that thread take the interpreter back from
                # the one rendering pages (two switches a file, 20,000 files
                # at 10,000 checks).
                site = _own_folder(documents / b.part) if documents is not None else None
                try:
                    if site is not None:
                        _documents(site, b, document, waiting)
                except OSError:
                    site = None  # the cache is only a shortcut: the scratch space then
                if site is None:
                    site = folder / "site"
                    site.mkdir()
                    _documents(site, b, document, waiting)
                future = self._pool.submit(_index, site, folder, language, self._running)
                self._futures.append((b, future))
        except BaseException:
            self.cancel()
            raise

    def ready(self) -> dict[str, bytes]:
        """The files of the bundles indexed since the last call, in order,
        and no longer held here: the build writes them as they come rather
        than holding every bundle (100 MB at 10,000 checks) to the end."""
        files: dict[str, bytes] = {}
        while self._futures and self._futures[0][1].done():
            bucket, future = self._futures.pop(0)
            for path, data in future.result().items():
                files[bucket.folder + path] = data
        return files

    def result(self, waiting: Callable[[], None] = lambda: None) -> dict[str, bytes]:
        """The files of the bundles `ready` has not given; `waiting` is
        called now and then until they are ready (a progress callback,
        which may stop the build)."""
        files: dict[str, bytes] = {}
        try:
            for bucket, future in self._futures:
                while True:
                    try:
                        found = future.result(timeout=0.05)
                        break
                    except FutureTimeout:
                        waiting()
                for path, data in found.items():
                    files[bucket.folder + path] = data
        except BaseException:
            self._running.stop()  # a build stopped while it waits: Pagefind stops too, not after its part
            raise
        finally:
            self._pool.shutdown(cancel_futures=True)
        return files

    def cancel(self) -> None:
        self._running.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Running:
    """The Pagefind processes at work, to stop them when the build stops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[str]] = set()
        self.stopped = False

    def start(self, command: list[str]) -> subprocess.Popen[str]:
        with self._lock:
            if self.stopped:
                raise SearchError("the build was stopped")
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self._procs.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[str]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            for proc in self._procs:
                proc.kill()


def _documents(
    folder: Path, bucket: Bucket, document: Callable[[Check, str, bool], str], waiting: Callable[[], None]
) -> None:
    """Make `folder` hold the bucket's documents and nothing else (Pagefind
    indexes every page in it), writing only those whose bytes differ from
    what it holds. A link is never followed: the cache may have come from a
    pull request."""
    wanted = {f"{c.id}.html": c for c in bucket.checks}  # flat: a folder each costs more than indexing
    with os.scandir(folder) as found:
        for entry in found:
            if entry.name not in wanted or not entry.is_file(follow_symlinks=False):
                _remove(entry)
    for i, (name, check) in enumerate(wanted.items()):
        if i % EVERY_DOCUMENTS == 0:
            waiting()
        data = document(check, bucket.part, bucket.text).encode("utf-8")
        path = folder / name
        if _holds(path, data):
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, data)  # a few kilobytes: written whole
        finally:
            os.close(fd)


def _holds(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        return stat.S_ISREG(st.st_mode) and st.st_size == len(data) and os.read(fd, len(data) + 1) == data
    finally:
        os.close(fd)


def _own_folder(path: Path) -> Path | None:
    """`path` as a folder of its own (made if missing; whatever else stands
    there, a link to elsewhere among them, removed), or None if it cannot be."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.mkdir(exist_ok=True)
        return path if stat.S_ISDIR(os.lstat(path).st_mode) else None
    except OSError:
        return None


def _remove(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def documents_folder(root: Path | None, target: Path, parts: Sequence[str]) -> Path | None:
    """The folder kept for this site's search documents (`root`, a folder
    of the cache, holds one per site built from the desk: the preview's and
    the build's never share one), with a folder for each of `parts` and
    nothing else. The sites least recently built are forgotten beyond a few."""
    if root is None:
        return None
    mine = _own_folder(root / hashlib.sha256(str(target).encode("utf-8", "surrogatepass")).hexdigest()[:16])
    if mine is None:
        return None
    try:
        os.utime(mine)
        others = sorted(
            (e for e in os.scandir(root) if e.path != str(mine)),
            key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns,
            reverse=True,
        )
        for entry in others[_SITES_KEPT - 1 :]:
            _remove(entry)
        keep = set(parts)
        for entry in os.scandir(mine):
            if entry.name not in keep:
                _remove(entry)
    except OSError:
        return None
    return mine


def _index(site: Path, work: Path, language: str, running: _Running) -> dict[str, bytes]:
    """Pagefind over the documents in `site`, its bundle made in memory
    where it can be (_in_memory), else in `work`, a folder of the build's
    own scratch space (cleared by the next build if this one is killed)."""
    try:
        memory = _in_memory()
        if memory is not None:
            try:
                return _pagefind(site, memory, language, running)
            except SearchError:
                if running.stopped:
                    raise
                # A full or odd memory file system, perhaps: on disk, then.
            finally:
                shutil.rmtree(memory, ignore_errors=True)
        return _pagefind(site, work / "bundle", language, running)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _pagefind(site: Path, out: Path, language: str, running: _Running) -> dict[str, bytes]:
    from pagefind_bin import get_executable

    command = [
        str(get_executable()),
        "--site",
        str(site),
        "--output-path",
        str(out),
        "--force-language",
        language.split("-")[0].lower(),
        "--silent",
    ]
    try:
        proc = running.start(command)
    except OSError as exc:
        raise SearchError(f"Pagefind could not index the site: {exc}") from exc
    try:
        stdout, stderr = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired as exc:
        proc.kill()
        proc.communicate()
        raise SearchError(f"Pagefind could not index the site: {exc}") from exc
    finally:
        running.done(proc)
    if proc.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        raise SearchError(f"Pagefind could not index the site: {detail[-1] if detail else proc.returncode}")
    return stable(
        {
            name: p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and _kept(name := p.relative_to(out).as_posix())
        }
    )


# Where Pagefind writes a bundle before it is read back: memory, where the
# system has a memory file system for it. A bundle is hundreds to thousands
# of small files made and deleted again within the build, and on a disk
# file system making files where many were just deleted costs several times
# as much (ext4 passes over recently freed inodes): a list part of 1,000
# documents took 1.5 s there in a rebuild, 0.3 s in memory.
_MEMORY = "/dev/shm"  # noqa: S108 - a private folder is made in it (mkdtemp), never a name given
_MEMORY_PREFIX = "factcheck-search-"


def _in_memory() -> Path | None:
    """A new private folder in memory, after removing those a killed build
    of this user left; None where there is none to be had."""
    if not os.path.isdir(_MEMORY) or not os.access(_MEMORY, os.W_OK | os.X_OK):
        return None
    try:
        with os.scandir(_MEMORY) as found:
            for entry in found:
                if entry.name.startswith(_MEMORY_PREFIX) and _left_behind(entry):
                    shutil.rmtree(entry.path, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=f"{_MEMORY_PREFIX}{os.getpid()}-", dir=_MEMORY))
    except OSError:
        return None


def _left_behind(entry: os.DirEntry[str]) -> bool:
    """A folder of ours whose process is gone."""
    try:
        if entry.stat(follow_symlinks=False).st_uid != os.getuid() or not entry.is_dir(follow_symlinks=False):
            return False
        pid = int(entry.name[len(_MEMORY_PREFIX) :].split("-", 1)[0])
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def stable(files: dict[str, bytes]) -> dict[str, bytes]:
    """A bundle in a fixed order. Pagefind writes the values of a filter, and
    the list of filters, in hash-map order, so two runs over the same
    documents differ (its issue #638: fragments and word chunks are stable,
    filter indexes not), and a site must be the same for the same input.
    The values and filters are sorted and the files renamed after their new
    content, as Pagefind names them. A bundle in a format this does not know
    (another Pagefind) is left as Pagefind wrote it: it works, only not
    byte for byte the same from one run to the next."""
    import cbor2

    try:
        out = dict(files)
        entry = json.loads(out["pagefind-entry.json"])
        for language, info in entry["languages"].items():
            meta = _unpack(out.pop(f"pagefind.{info['hash']}.pf_meta"))
            taken: set[str] = set()
            for item in meta[3]:  # [filter, file]
                index = _unpack(out.pop(f"filter/{item[1]}.pf_filter"))
                index[1].sort(key=lambda value: value[0])  # [[value, [pages]], ...]
                data = cbor2.dumps(index)
                item[1] = _short_name(language, data, len(language) + 8, taken)
                taken.add(item[1])
                out[f"filter/{item[1]}.pf_filter"] = _pack(data)
            meta[3].sort(key=lambda item: item[0])
            data = cbor2.dumps(meta)
            info["hash"] = f"{language}_{_full_hash(data)[: len(language) + 8]}"
            out[f"pagefind.{info['hash']}.pf_meta"] = _pack(data)
        out["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return out
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, OSError, EOFError, cbor2.CBORError):
        return files


_SIGNATURE = b"pagefind_dcd"


def _unpack(data: bytes) -> list:  # type: ignore[type-arg]
    import cbor2

    raw = gzip.decompress(data)
    if not raw.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind file")
    found = cbor2.loads(raw[len(_SIGNATURE) :])
    if not isinstance(found, list):
        raise ValueError("not a Pagefind index")
    return found


def _pack(data: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + data, compresslevel=9, mtime=0)


def _full_hash(data: bytes) -> str:
    # Pagefind's own: SHA-1, each byte in hex without its leading zero.
    return "".join(f"{b:x}" for b in hashlib.sha1(data).digest())  # noqa: S324 - a name, not a signature


def _short_name(language: str, data: bytes, length: int, taken: set[str]) -> str:
    whole = f"{language}_{_full_hash(data)}"
    name = whole[:length]
    while name in taken and len(name) < len(whole):
        name = whole[: len(name) + 1]
    return name


def _kept(name: str) -> bool:
    return name in _KEPT or name.endswith(_KEPT_SUFFIXES) or name.startswith(_KEPT_FOLDERS)


@dataclass(frozen=True)
class Shown:
    """What a check's result shows, in the site's language, and its names as
    the filters know them (a topic or claimant as its page names it)."""

    verdict_label: str
    summary_html: str
    claimed: str  # "Claimed by X, 2 December 2016"
    day: str  # the date it was published, written out
    claimant: str
    tags: tuple[str, ...]


def document(check: Check, shown: Shown, language: str, part: str, text: bool = True) -> str:
    """What search sees of a check: its claim, who made it, the verdict,
    the topics and the reasoning (in a text bundle; a list bundle's
    document has only the word EVERY), with the filters and sort order of
    the browser's lists. Its result links to `checks/<id>/`, relative to
    the site (static/search.js puts the site's own path before it). Values
    that may hold a comma are an element's text: in an attribute Pagefind
    would take the comma for a separator (and an attribute holds one filter
    or one meta value). Pagefind takes filters and meta from anywhere in
    the page, words from the `data-pagefind-body` element alone."""
    e = escape
    tags = "".join(f'<li data-pagefind-filter="tag">{e(tag)}</li>' for tag in shown.tags)
    described = (
        f'<span data-pagefind-meta="verdict:{e(check.verdict)}"></span>'
        f'<span data-pagefind-meta="date:{check.published.isoformat()}"></span>'
        f'<span data-pagefind-filter="verdict:{e(check.verdict)}"></span>'
        f'<span data-pagefind-filter="part:{e(part)}"></span>'
        f'<h1 data-pagefind-meta="title">{e(check.claim)}</h1>'
        f"<p>{e(shown.verdict_label)}</p>"
        f'<p data-pagefind-meta="claimed">{e(shown.claimed)}</p>'
        f'<p data-pagefind-filter="claimant">{e(shown.claimant)}</p>'
        f'<p data-pagefind-meta="day">{e(shown.day)}</p>'
        f"<ul>{tags}</ul>"
    )
    head = (
        f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8">'
        f"<title>{e(check.claim)}</title></head><body>"
    )
    main = (
        f'<main data-pagefind-body data-pagefind-meta="url:checks/{e(check.id)}/" '
        f'data-pagefind-sort="date:{check.published.isoformat()} {e(check.id)}">'
    )
    if text:
        return f"{head}{main}{described}{shown.summary_html}</main></body></html>"
    return f"{head}<div>{described}</div>{main}{EVERY}</main></body></html>"
