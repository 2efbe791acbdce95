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
by Pagefind's binary (from the `pagefind-bin` package) run as a service,
given documents made from the checks themselves and handing back the
bundle, so indexing runs on the second core while the pages are rendered,
and nothing of it is written to disk but the bundle in the site.

A document carries what the browser filters and sorts by
(`data-pagefind-filter`: verdict, topic, claimant, part;
`data-pagefind-sort`: date) and what it shows of a result (meta).
"""

from __future__ import annotations

import base64
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
from typing import IO

import msgspec

from ..cache import Cache, code_fingerprint, digest
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
# Documents that small index fast, so its parts are larger than the text
# parts (fewer files for the browser to fetch), but not much larger: an edit
# to any check re-indexes its whole list part, and Pagefind takes about half
# a millisecond a document (0.9 s for 2,000, the longest step of a rebuild
# after an edit at 10,000 checks; 0.23 s for 500).
LIST_SIZE = 500
EVERY = "000every"
EVERY_DOCUMENTS = 128  # documents made between two calls of the progress callback
# What a bundle keeps of Pagefind's output: the index and the search
# library. Its ready-made interfaces (pagefind-ui.js and the like, 0.4 MB a
# bundle) go unused: the site has its own (static/search.js).
_KEPT = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_KEPT_SUFFIXES = (".pf_meta", ".pagefind")
_KEPT_FOLDERS = ("index/", "fragment/", "filter/")
_AHEAD = 3  # buckets whose messages are made before Pagefind indexes them: two at work, one waiting


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
    return [_bucket(part, members, text, language, salt) for part, members, text in _parts(checks)]


def folders(checks: Sequence[Check]) -> list[str]:
    """The site paths of the parts' bundles (`plan`'s, without hashing
    what each holds)."""
    return [f"{ROOT}{part}/" for part, _, _ in _parts(checks)]


def _parts(checks: Sequence[Check]) -> list[tuple[str, Sequence[Check], bool]]:
    ordered = sorted(checks, key=lambda c: (c.published, c.id))
    years: dict[int, list[Check]] = {}
    for check in ordered:
        years.setdefault(check.published.year, []).append(check)
    found: list[tuple[str, Sequence[Check], bool]] = []
    for year in sorted(years, reverse=True):
        chunk = years[year]
        parts = [chunk[i : i + PART_SIZE] for i in range(0, len(chunk), PART_SIZE)]
        for n in range(len(parts), 0, -1):
            found.append((f"{year}-{n}", parts[n - 1], True))
    # Oldest first, so that a new check changes the newest list bundle alone.
    lists = [ordered[i : i + LIST_SIZE] for i in range(0, len(ordered), LIST_SIZE)]
    for n in range(len(lists), 0, -1):
        found.append((f"list-{n}", lists[n - 1], False))
    return found


def _bucket(part: str, checks: Sequence[Check], text: bool, language: str, salt: str) -> Bucket:
    key = digest(code_fingerprint(), language, salt, part, *(f"{c.id}:{c.digest}" for c in checks))
    return Bucket(f"{ROOT}{part}/", part, key, tuple(checks), text)


class Indexer:
    """Indexes buckets in the background, two at a time (Pagefind's memory
    grows with its input); `result()` waits and returns the bundle files,
    `cancel()` stops Pagefind where it is.

    Each bucket goes to a Pagefind of its own, run as a service (`pagefind
    --service`: messages on its standard input and output), its documents
    handed over in the bucket's order and its bundle handed back: nothing
    is written to disk. Pagefind numbers pages in the order it is given
    them, and over a folder it takes them in the order the file system
    lists them, which differs from one file system to the next (ext4 hashes
    names with a seed of its own): given them in order, a bundle is the
    same on any machine. The messages are made by the thread that made the
    Indexer, not the one that talks to Pagefind (making them would take the
    interpreter back from the thread rendering pages), a few buckets ahead
    of Pagefind (`ready` and `result` make the next), so that they are not
    all held at once."""

    def __init__(
        self,
        buckets: Sequence[Bucket],
        document: Callable[[Check, str, bool], str],
        language: str,
        waiting: Callable[[], None] = lambda: None,
    ):
        """`waiting` is called now and then while the documents are made (a
        progress callback, which may stop the build)."""
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._running = _Running()
        self._futures: list[tuple[Bucket, Future[dict[str, bytes]]]] = []
        self._pending = list(buckets)  # their messages not made yet
        self._document, self._language, self._waiting = document, language, waiting
        try:
            self._feed()
        except BaseException:
            self.cancel()
            raise

    def _feed(self) -> None:
        """Make the messages of the next buckets and hand them to Pagefind,
        until `_AHEAD` are made and not yet indexed."""
        while self._pending and sum(not f.done() for _, f in self._futures) < _AHEAD:
            bucket = self._pending.pop(0)
            messages = _messages(bucket, self._document, self._language, self._waiting)
            self._futures.append((bucket, self._pool.submit(_index, messages, self._running)))

    def ready(self) -> dict[str, bytes]:
        """The files of the bundles indexed since the last call, in order,
        and no longer held here: the build writes them as they come rather
        than holding every bundle (100 MB at 10,000 checks) to the end."""
        files: dict[str, bytes] = {}
        while self._futures and self._futures[0][1].done():
            bucket, future = self._futures.pop(0)
            for path, data in future.result().items():
                files[bucket.folder + path] = data
        self._feed()
        return files

    def result(self, waiting: Callable[[], None] = lambda: None) -> dict[str, bytes]:
        """The files of the bundles `ready` has not given; `waiting` is
        called now and then until they are ready (a progress callback,
        which may stop the build)."""
        files: dict[str, bytes] = {}
        try:
            while self._futures or self._pending:
                self._feed()
                bucket, future = self._futures.pop(0)
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
        self._procs: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def start(self, command: list[str], stderr: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        with self._lock:
            if self.stopped:
                raise SearchError("the build was stopped")
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr)
            self._procs.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            for proc in self._procs:
                proc.kill()


def _message(number: int, payload: dict[str, object]) -> bytes:
    """One message to Pagefind's service: base64 of its JSON, then a comma."""
    # (msgspec: the JSON of a page's words, a fifth of the time json takes)
    return base64.b64encode(msgspec.json.encode({"message_id": number, "payload": payload})) + b","


def _messages(
    bucket: Bucket, document: Callable[[Check, str, bool], str], language: str, waiting: Callable[[], None]
) -> list[bytes]:
    """What Pagefind is told to index a bucket: a new index in the site's
    language, each check's document (its name is its page's name in the
    index), and, last, to hand the bundle back."""
    messages = [_message(0, {"type": "NewIndex", "config": {"force_language": language.split("-")[0].lower()}})]
    for i, check in enumerate(bucket.checks, start=1):
        if i % EVERY_DOCUMENTS == 0:
            waiting()
        contents = document(check, bucket.part, bucket.text)
        messages.append(
            _message(i, {"type": "AddFile", "index_id": 0, "file_path": f"{check.id}.html", "file_contents": contents})
        )
    messages.append(_message(len(messages), {"type": "GetFiles", "index_id": 0}))
    return messages


_TIMEOUT = 600  # seconds a bundle may take before its Pagefind is stopped


def _index(messages: list[bytes], running: _Running) -> dict[str, bytes]:
    """Pagefind's service over `messages` (_messages): the bundle it hands back."""
    from pagefind_bin import get_executable

    last = len(messages) - 1  # the number of the message asking for the bundle
    with tempfile.TemporaryFile() as errors:
        try:
            proc = running.start([str(get_executable()), "--service"], stderr=errors)
        except OSError as exc:
            raise SearchError(f"Pagefind could not index the site: {exc}") from exc
        late = threading.Event()

        def too_late() -> None:
            late.set()
            proc.kill()

        timer = threading.Timer(_TIMEOUT, too_late)
        timer.start()
        files: dict[str, bytes] | str | None = None
        try:
            files = _talk(proc, messages, last)
        except OSError:
            pass  # it stopped reading (stopped, or failed): its own words say why, below
        finally:
            timer.cancel()
            timer.join()  # (a build may fork once indexing is done: no thread of it is left then)
            for stream in (proc.stdin, proc.stdout):  # its input's end ends the service
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass  # what was left to write is not wanted any more
            proc.wait()
            running.done(proc)
        if running.stopped:
            raise SearchError("the build was stopped")
        if late.is_set():
            raise SearchError(f"Pagefind could not index the site: it took more than {_TIMEOUT} s")
        if isinstance(files, str):
            raise SearchError(f"Pagefind could not index the site: {files}")
        if files is None:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip().splitlines()
            said = detail[-1] if detail else f"it stopped (exit status {proc.returncode})"
            raise SearchError(f"Pagefind could not index the site: {said}")
    return stable({name: data for name, data in files.items() if _kept(name)})


def _talk(proc: subprocess.Popen[bytes], messages: list[bytes], last: int) -> dict[str, bytes] | str | None:
    """Send the messages, read the answers: the bundle's files, the first
    error Pagefind reports (a string), or None if it stops first. Its
    service reads its input whole as it comes, so writing everything before
    reading cannot block on a full pipe."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"".join(messages))
    proc.stdin.flush()
    # The bundle comes as one answer of megabytes, a chunk at a time: only
    # the newest chunk is looked through for the end of an answer.
    pending = bytearray()
    while True:
        chunk = proc.stdout.read1(1 << 20)
        if not chunk:
            return None
        pending += chunk
        if b"," not in chunk:
            continue  # the middle of a long answer
        *answers, pending = pending.split(b",")
        for answer in answers:
            try:
                reply = _reply(base64.b64decode(answer))
            except (ValueError, msgspec.DecodeError) as exc:
                return f"an answer it gave could not be read ({exc})"
            payload = reply.payload
            if payload.type == "Error":
                return payload.message or "an error"
            if reply.message_id == last and payload.type == "GetFiles":
                return {f.path: f.content for f in payload.files}


# Pagefind's answers. The bundle comes as base64 in JSON in base64 (100 MB
# of files at 10,000 checks): msgspec decodes each file's base64 as it reads
# the JSON, with no string of it first, in a third of the time json and
# base64 took; the bundles' answers went from 0.9 s of the interpreter's
# time to 0.6 (the outer base64 is most of that now).
# (Pagefind can write the bundle to a folder instead, but its service
# answers before its writes are done, and ends without waiting for them
# when its input ends: what is read back may be missing files.)
class _File(msgspec.Struct):
    path: str
    content: bytes  # (base64 in the JSON)


class _Payload(msgspec.Struct):
    type: str
    files: list[_File] = []
    message: str | None = None


class _Reply(msgspec.Struct):
    payload: _Payload
    message_id: int | None = None


_reply = msgspec.json.Decoder(_Reply).decode


def remove_kept_documents(cache: Cache) -> None:
    """Earlier versions kept each part's search documents in the cache
    (`.factcheck-cache/search/`, about 80 MB at 10,000 checks): gone, with
    whatever is in it (a link there is removed, never followed)."""
    if cache.path is None:
        return
    path = cache.path / "search"
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


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
