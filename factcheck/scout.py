"""The desk's folders walked, and the site's files looked for, on the
second core while a rebuild loads what its last build kept; and, for a
`check` or a build from nothing, the articles' folder walked on the second
core while this process walks the others (`walk_in_two`).

A rebuild after an edit at 10,000 checks takes the signature of 20,000
input files (to find what changed) and looks for 46,000 files of the site
(a page deleted by hand is made again): a seventh of its time, all of it
waiting on the file system, while the same process decodes the state the
last build kept. A thread would fight it for the interpreter; so a forked
process does the looking (fork.py) and sends back what it saw. If it fails,
the build looks for itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import msgspec

from . import fork
from .model import Config
from .site.output import Manifest, files_there, read_manifest
from .verify.sources import Walk, Walks, desk_folders, walk_files

_WALKS = msgspec.msgpack.Decoder(dict[str, Walk])
_WALK = msgspec.msgpack.Decoder(Walk)
WALK_APART = 2000  # articles from which they are walked in a process of their own (walk_in_two)
_THERE = msgspec.msgpack.Decoder(tuple[tuple[int, int, int] | None, bool])


class Scout:
    def __init__(self, config: Config, target: Path, worker: fork.Worker | None):
        self.config, self.target = config, target
        self._worker = worker
        self._walks: Walks | None = None
        self._there: tuple[tuple[int, int, int] | None, bool] | None = None

    @classmethod
    def start(cls, config: Config, target: Path) -> Scout:
        """Fork the process that looks (before the build opens its cache or
        starts a thread: a fork takes neither along)."""
        worker = None
        if fork.available():
            try:
                worker = fork.Worker.start(lambda emit: _look(config, target, emit), "the process walking the desk")
            except OSError:
                worker = None
        return cls(config, target, worker)

    def walks(self) -> Walks:
        """The desk's folders as the scout walked them (or as this process
        walks them, if it could not)."""
        if self._walks is None:
            self._wait(lambda: self._walks is not None)
            if self._walks is None:
                self._walks = Walks(self.config.root, desk_folders(self.config))
        return self._walks

    def there(self, manifest: Manifest) -> bool:
        """Is every file of the last build still there? The scout's answer
        when it read this very manifest, else this process looks."""
        self._wait()
        if self._there is not None and self._there[0] is not None and tuple(self._there[0]) == manifest.read_as:
            return self._there[1]
        return files_there(self.target, manifest)

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def _wait(self, ready: Callable[[], bool] = lambda: False) -> None:
        """Take what the scout sends until `ready()` (or until it is done)."""
        worker = self._worker
        if worker is None:
            return

        def take(kind: str, data: bytes) -> None:
            if kind == "walks":
                found = _WALKS.decode(data)
                self._walks = Walks.of(self.config.root, {Path(k): w for k, w in found.items()})
            elif kind == "there":
                self._there = _THERE.decode(data)

        try:
            worker.drain_until(take, ready)
            if not ready():
                worker.drain(take, wait=True)
                self._worker = None
        except (fork.WorkerError, msgspec.DecodeError, msgspec.ValidationError):
            self._worker = None
            worker.stop()


def _look(config: Config, target: Path, emit: Callable[[str, bytes], None]) -> None:
    """In the forked process: walk the desk, then look for the site's files."""
    walks = Walks(config.root, desk_folders(config))
    emit("walks", msgspec.msgpack.encode({str(k): w for k, w in walks.walked().items()}))
    manifest = read_manifest(target)
    there = manifest is not None and not manifest.interrupted and files_there(target, manifest)
    emit("there", msgspec.msgpack.encode((manifest.read_as if manifest is not None else None, there)))


def walk_in_two(config: Config) -> Walks:
    """The desk's folders walked, the articles' in a forked process while
    this one walks the others (the entries', the pages', the templates').

    A walk is mostly the kernel's: a signature (lstat) taken of every file,
    at 15-20 µs a file on this project's machine when the files were last
    looked at a second or more before, as in any new run. Walked in one
    process, the 20,000 files of 10,000 checks took 0.31-0.43 s of a cold
    `check` of 3-4 s and of a warm one of 1.2-1.9 s, with the second core
    idle. A fork costs some 15 ms, as much as it saves at 1,000 checks: a
    folder of fewer than `WALK_APART` articles is walked here. If the child
    fails, this process walks the articles too."""
    root, folders = config.root, dict.fromkeys(desk_folders(config))
    articles = config.articles_dir
    if not fork.available() or articles is None or not _at_least(articles, WALK_APART):
        return Walks(root, folders)
    worker: fork.Worker | None = None
    theirs: list[Walk] = []
    try:
        try:
            worker = fork.Worker.start(
                lambda emit: emit("walk", msgspec.msgpack.encode(walk_files(articles, root))),
                "the process walking the articles' folder",
            )
        except OSError:
            pass  # (no process to be had: walked here)
        ours = {
            folder: walk_files(folder, root) for folder in folders if folder not in (None, articles) and folder.is_dir()
        }
        if worker is not None:
            worker.drain(lambda _, data: theirs.append(_WALK.decode(data)), wait=True)
    except (fork.WorkerError, msgspec.DecodeError, msgspec.ValidationError):
        theirs.clear()
    finally:
        if worker is not None:
            worker.stop()  # (done and reaped by now, unless this failed on the way)
    if not theirs and articles.is_dir():  # (as Walks leaves out a folder gone meanwhile)
        theirs.append(walk_files(articles, root))
    found = {**ours, **({articles: theirs[0]} if theirs else {})}
    # In the order one process walks them (Walks), which the digests of the desk follow.
    return Walks.of(root, {folder: found[folder] for folder in folders if folder in found})


def _at_least(folder: Path, count: int) -> bool:
    """Whether `folder` holds at least `count` names, in it or below it:
    counted from its listings alone, with no file's signature taken, and
    only as far as `count` (a few listings, a few milliseconds)."""
    pending, seen = [str(folder)], 0
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                for entry in listing:
                    seen += 1
                    if seen >= count:
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            pass  # (the walk says why it cannot be read)
    return False
