"""Writing the site so that a reader never meets a broken one, and the site
always comes to be exactly what a build from nothing would make.

Every file is rendered first: into memory, or into a staging folder inside
the output folder once it would take too much memory. Only when everything
has been rendered (and the search index made) is anything put in place, so
a build that fails before then leaves the site as it was. Files are then
moved into place one by one, each by a rename (a reader never meets half a
file), pages others link to before the pages that link to them, removals
last.

The manifest (`.factcheck-site`) records what the last build wrote (path ->
SHA-256) and each page's key; a rebuild uses it to know what changed.
Before a file is put in place its path is appended to a journal: if the
build is killed or fails half way, the next build finds the journal, takes
those files as unknown, and renders and writes them again (or removes them)
so it converges to what a build from nothing gives. A manifest is read as
untrusted data (the site may be committed, or restored from a CI cache):
one that does not validate, or names a path outside the folder, is treated
as absent. A lock file excludes two builds of one folder at a time.

The output folder is ours if it holds a manifest; any other non-empty
folder is refused, never emptied. Files of others in it (`CNAME`, `.git`,
anything else the build does not write) are left alone.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import msgspec

from .. import interrupts
from ..diagnostics import Diagnostic
from ..safefs import inside, real

MARKER = ".factcheck-site"  # the manifest: present in every folder this tool writes
JOURNAL = ".factcheck-journal"  # paths being put in place by a build that has not finished
LOCK = ".factcheck-lock"  # held by the build writing the folder
WORK = ".factcheck-work"  # the writing build's scratch space: staged files, the next manifest
OWN = frozenset({MARKER, JOURNAL, LOCK, WORK})
# Files a host needs beside a site: their presence does not make a folder someone else's.
HOST_FILES = frozenset({"CNAME", "robots.txt"})
_FORMAT = 4  # 4: no digest of the inputs (the cache's state of the build tells a site up to date)
_MEMORY = 64 << 20  # bytes of changed files held in memory before they are staged on disk


class OutputError(Exception):
    def __init__(self, message: str, hint: str | None = None, changed: bool = False):
        super().__init__(message)
        self.diagnostic = Diagnostic("output", message, hint=hint)
        self.changed = changed  # some files of the site had been replaced when it happened


class Interrupted(KeyboardInterrupt):
    """Ctrl-C once the site had begun to change, saying what is left: while
    the files were put in place (`SiteWriter.finish`: the next build puts
    the rest in place, its journal says which), or after (pipeline.py).
    Before that, Ctrl-C leaves the site as it was."""

    @classmethod
    def partly(cls, out_dir: Path) -> Interrupted:
        return cls(f"the site at {out_dir} was partly updated: the next build puts the rest in place")

    @classmethod
    def updated(cls, out_dir: Path) -> Interrupted:
        return cls(f"the site at {out_dir} was updated, but not all that the next build reuses was saved")


# A file given as its parts, in order (bytes-like objects).
Parts = Iterable[bytes | memoryview]


class Layout(NamedTuple):
    """Where the runs of an export (claims.json, annotations.jsonld:
    render.py) are in the file a build wrote: the bytes before the first,
    the file's size, and each run's digest (of what it shows) and length.
    The next build takes a run that shows the same from that file, rather
    than from the cache (tens of megabytes at 10,000 checks)."""

    head: int
    size: int
    runs: tuple[tuple[str, int], ...]
    base: str  # what else the runs show: the code, config and templates (render.py)


@dataclass(frozen=True)
class Written:
    added: int
    changed: int
    removed: int
    unchanged: int
    cold: bool


@dataclass(frozen=True)
class Manifest:
    # site path -> SHA-256 of its bytes (or "key:" and the key of what it shows: SiteWriter.put); "" where not known
    files: Mapping[str, str]
    keys: Mapping[str, str]  # site path -> the key of what it shows
    interrupted: bool = False  # a journal was found: the last build did not finish
    # The manifest file's (size, mtime_ns, inode) as it was read: a writer
    # finds it unchanged (every build replaces it whole) and need not read it again.
    read_as: tuple[int, int, int] | None = None


def valid_path(path: object) -> bool:
    """A path a manifest may name: relative, normalized, inside the folder,
    not one of the tool's own files."""
    if not isinstance(path, str) or not path or len(path) > 4096 or "\0" in path or path.startswith("/"):
        return False
    parts = path.split("/")  # an empty part, "." or ".." is all a path needs to leave the folder
    return not (parts[0] in OWN or "" in parts or "." in parts or ".." in parts)


def valid_paths(paths: Collection[str]) -> bool:
    """`valid_path` of each of many strings, at once: a rebuild reads the
    manifest's 46,000 paths every time, and splitting each on its own took
    longer than reading them."""
    if not paths:
        return True
    joined = "\x00".join(paths)
    if joined.count("\x00") != len(paths) - 1 or max(map(len, paths)) > 4096:
        return False  # a path holding NUL, or too long
    # Every part of every path (one joined with the next by "/", which makes
    # an empty part of an empty path, or of one that begins or ends with "/").
    if not {"", ".", ".."}.isdisjoint(joined.replace("\x00", "/").split("/")):
        return False
    if ".factcheck-" in joined:  # perhaps one of the tool's own files
        return all(valid_path(p) for p in paths)
    return True


class _Stored(msgspec.Struct):
    format: int
    files: dict[str, str]
    keys: dict[str, str]


_DECODE = msgspec.json.Decoder(_Stored).decode
_ENCODE = msgspec.json.Encoder(order="sorted").encode


def read_manifest(out_dir: Path) -> Manifest | None:
    """What the last build wrote into `out_dir`, or None (no build, or a
    manifest that does not validate: treated as absent). Paths in a journal
    left by an unfinished build count as unknown."""
    try:
        read_as = _signature(out_dir / MARKER)
        data = _DECODE((out_dir / MARKER).read_bytes())
    except (OSError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    if data.format != _FORMAT:
        return None
    files, keys = data.files, data.keys
    if not valid_paths(files.keys()):
        return None
    journal = read_journal(out_dir)
    if not journal:
        return Manifest(files, keys, read_as=read_as)
    files = {**files, **dict.fromkeys(journal, "")}
    # A key names a file, or a folder made as a whole (a search bundle).
    unknown = set(journal)
    keys = {p: k for p, k in keys.items() if p not in unknown and not (p.endswith("/") and _holds(p, unknown))}
    return Manifest(files, keys, interrupted=True)


def files_there(out_dir: Path, manifest: Manifest) -> bool:
    """Is every file the last build wrote still there (someone may have
    deleted a page by hand)?"""
    if not all(manifest.files.values()):
        return False
    try:
        folder = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:  # access() is half the cost of a stat: no result to make (46,707 files at 10,000 checks)
        return all(os.access(path, os.F_OK, dir_fd=folder) for path in manifest.files)
    finally:
        os.close(folder)


def signature(out_dir: Path) -> tuple[int, int, int] | None:
    """The manifest's (size, mtime_ns, inode), None if there is none or a
    build's journal is there (it did not finish): what a rebuild from the
    last build's state must find before it reads the manifest itself."""
    try:
        if os.path.lexists(out_dir / JOURNAL):
            return None
        return _signature(out_dir / MARKER)
    except OSError:
        return None


def _signature(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _still(out_dir: Path, known: Manifest) -> bool:
    """Is `known` (read before the lock was taken) what the folder holds now?"""
    if known.read_as is None or known.interrupted or os.path.lexists(out_dir / JOURNAL):
        return False
    try:
        return _signature(out_dir / MARKER) == known.read_as
    except OSError:
        return False


def _holds(folder: str, paths: Iterable[str]) -> bool:
    return any(p.startswith(folder) for p in paths)


def read_journal(out_dir: Path) -> list[str]:
    try:
        lines = (out_dir / JOURNAL).read_bytes().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        try:
            path = json.loads(line)
        except (ValueError, RecursionError):
            continue  # a line cut short by a kill
        if valid_path(path):
            found.append(path)
    return found


def patch(out_dir: Path, files: Mapping[str, bytes], removed: Collection[str]) -> None:
    """Put a few pages in place, and take a few away, in a site that a full
    build made and no other build is writing (the preview's own folder,
    while it holds its lock): each path goes into the journal first, so the
    next full build takes every one of them as unknown (it renders it again,
    or removes it) and its result is what a build from nothing gives. Files
    go in by a rename, as a build puts them."""
    fd = os.open(out_dir / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        os.write(fd, b"".join(json.dumps(rel).encode() + b"\n" for rel in [*sorted(files), *sorted(removed)]))
    finally:
        os.close(fd)
    ops = FileOps()
    top = real(out_dir)
    for rel, data in files.items():
        if not valid_path(rel):
            raise ValueError(f"not a path of the site: {rel!r}")
        target = out_dir / rel
        folder = target.parent
        folder.mkdir(parents=True, exist_ok=True)
        if not inside(top, real(folder)):
            raise ValueError(f"not a folder of the site: {folder}")
        staged = folder / f".{target.name}.factcheck-new"
        ops.write(staged, data)
        ops.replace(staged, target)
    for rel in removed:
        if valid_path(rel) and inside(top, real((out_dir / rel).parent)):
            ops.unlink(out_dir / rel)


class FileOps:
    """Every change the writer makes to the output folder, one method each,
    so that the tests can stop a build after any one of them."""

    def mkdir(self, path: str | Path) -> None:
        """Make the folder; FileExistsError if anything is there already
        (a folder, a file, or a link, followed nowhere)."""
        os.mkdir(path)

    def write(self, path: str | Path, data: bytes | Parts) -> None:
        """The file, readable by all (0644) whatever the umask or a default
        ACL. Setting the mode costs a third of making a file on ext4, so it
        is set only where the file did not get it (a look at it is cheap).
        `data`: its bytes, or its parts, written as they come."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            if stat.S_IMODE(os.fstat(fd).st_mode) != 0o644:
                os.fchmod(fd, 0o644)
            for part in (data,) if isinstance(data, bytes) else data:
                view = memoryview(part)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def replace(self, source: Path, target: Path) -> None:
        os.replace(source, target)

    def unlink(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def rmdir(self, path: Path) -> None:
        path.rmdir()

    def journal(self, fd: int, line: bytes) -> None:
        os.write(fd, line)


@dataclass
class _Staged:
    """What a build has rendered but not yet put in place."""

    memory: dict[str, bytes] = field(default_factory=dict)
    on_disk: set[str] = field(default_factory=set)
    size: int = 0


class SiteWriter:
    """Receives the site file by file, then puts the changed files in place.

    Creating one takes the folder's lock (waiting for another build, and
    saying so through `notice`), clears up after a build that was killed,
    and reads the manifest under the lock. `abort` leaves the site as it was.
    """

    def __init__(
        self,
        out_dir: Path,
        protect: Sequence[Path] = (),
        forbid: Sequence[Path] = (),
        notice: Callable[[str], None] = lambda message: None,
        ops: FileOps | None = None,
        known: Manifest | None = None,
    ):
        """`known`: the manifest as the caller read it before; read again
        under the lock unless the file is still the one it read."""
        self.out_dir = Path(os.path.abspath(out_dir))
        self.ops = ops or FileOps()
        refuse_unsafe(self.out_dir, protect, forbid)
        self._made_folder = not self.out_dir.exists()
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
        self._top = real(self.out_dir)
        self._lock = _Lock(self.out_dir / LOCK, self.out_dir, notice)
        try:
            self.previous = known if known is not None and _still(self.out_dir, known) else read_manifest(self.out_dir)
            # A manifest that is there but does not validate: the folder is
            # ours (it was marked), but what it holds is not known.
            self.damaged = self.previous is None and (self.out_dir / MARKER).is_file()
            _clear_work(self.out_dir)
        except BaseException:
            self._lock.release()
            raise
        self.old: Mapping[str, str] = self.previous.files if self.previous else {}
        # A first build into an empty folder (or a new one) has nothing to
        # keep intact: it writes each file in place as it is rendered, and a
        # failure takes them all away again.
        self.fresh = self.previous is None and not self.damaged
        self.hashes: dict[str, str] = {}
        self._staged = _Staged()
        self._made: set[str] = set()  # folders made or found (as strings: 25,000 at 10,000 checks)
        # Folders of the site known to be real folders inside it: made by
        # this build, or found and checked (_mkdirs).
        self._sound: set[str] = set()
        self._checked: set[str] = set()
        self._prefix = os.path.join(str(self.out_dir), "")
        self._journal: int | None = None
        self._written: list[str] = []  # by a fresh build, in order
        self._finished = False
        self.changed_site = False  # set once the first file of the site is replaced

    @property
    def work(self) -> Path:
        """Scratch space for this build (removed when it ends, and cleared
        by the next build if this one is killed)."""
        folder = self.out_dir / WORK
        folder.mkdir(exist_ok=True)
        return folder

    def put(self, path: str, data: bytes | Parts, key: str | None = None) -> None:
        """`key`: what the file shows, where it stands for its bytes in the
        manifest (a file of tens of megabytes made again whenever its key
        changes: the exports); else the SHA-256 of its bytes does. A file
        with a key may come in parts, written as they come (never held
        whole: the exports are 40 MB at 10,000 checks)."""
        if not valid_path(path):
            raise OutputError(f"the site would hold a file with an impossible name: {path!r}")
        if not isinstance(data, bytes):
            if key is None:
                raise ValueError(f"{path}: a file in parts stands in the manifest by its key")
            self._put_parts(path, data, key)
            return
        digest = f"key:{key}" if key is not None else hashlib.sha256(data).hexdigest()
        self.hashes[path] = digest
        if self.fresh:
            try:
                self._write_in_place(path, data)
            except OSError as exc:
                raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
            return
        if self.old.get(path) == digest and (self.out_dir / path).is_file():
            return  # the same bytes are there already
        staged = self._staged
        if staged.size + len(data) <= _MEMORY:
            staged.memory[path] = data
            staged.size += len(data)
            return
        try:
            staging = self.work / "staged"
            target = staging / path
            staging.mkdir(exist_ok=True)
            self._mkdirs(target.parent, staging, check=False)
            target.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
        staged.on_disk.add(path)

    def _put_parts(self, path: str, parts: Parts, key: str) -> None:
        digest = f"key:{key}"
        self.hashes[path] = digest
        try:
            if self.fresh:
                self._write_in_place(path, parts)
                return
            if self.old.get(path) == digest and (self.out_dir / path).is_file():
                for _ in parts:  # the same file is there already (what makes the parts still runs)
                    pass
                return
            staging = self.work / "staged"
            target = staging / path
            staging.mkdir(exist_ok=True)
            self._mkdirs(target.parent, staging, check=False)
            self.ops.write(target, parts)
        except OSError as exc:
            raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
        self._staged.on_disk.add(path)

    def stage(self) -> None:
        """Write what is held in memory beside the site (its scratch folder),
        to be put in place by `finish` with a rename each: while something
        else is still at work (Pagefind), not after it."""
        if self.fresh:
            return
        staged = self._staged
        try:
            staging = self.work / "staged"
            staging.mkdir(exist_ok=True)
            for path, data in staged.memory.items():
                target = staging / path
                self._mkdirs(target.parent, staging, check=False)
                target.write_bytes(data)
                staged.on_disk.add(path)
        except OSError as exc:
            raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
        staged.memory.clear()
        staged.size = 0

    def finish(
        self, keys: Mapping[str, str] | None = None, kept: Collection[str] = (), dropped: Collection[str] | None = None
    ) -> Written:
        """`kept` are files of the last build that stand as they are (their
        pages' keys did not change); every other file of the last build is
        removed. Or, with `dropped`, every file of the last build stands but
        those (a rebuild of a few entries, which does not look at the rest).
        `keys` go into the manifest for the next build."""
        try:
            try:
                return self._finish(keys or {}, kept, dropped)
            except OSError as exc:
                hint = "the next build puts the rest in place" if self.changed_site else None
                where = (
                    "the site was partly updated before this error" if self.changed_site else "the site is as it was"
                )
                raise OutputError(
                    f"cannot write the site to {self.out_dir}: {_describe(exc)} ({where})", hint, self.changed_site
                ) from exc
            finally:
                self.abort()  # (a Ctrl-C meanwhile is raised as it ends)
        except KeyboardInterrupt as exc:
            if isinstance(exc, Interrupted):
                raise
            if self._finished:
                raise Interrupted.updated(self.out_dir) from exc
            if self.changed_site:
                raise Interrupted.partly(self.out_dir) from exc
            raise

    def abort(self) -> None:
        """Forget what was staged; the site stays as it was (or, after a
        failure while putting files in place, as the journal describes). A
        fresh build that did not finish takes away what it wrote. A Ctrl-C
        meanwhile (a second one, often) waits until that is done."""
        with interrupts.held():
            if self._journal is not None:
                os.close(self._journal)
                self._journal = None
            if self.fresh and not self._finished and self._lock.fd is not None:
                self._undo_fresh()
            shutil.rmtree(self.out_dir / WORK, ignore_errors=True)
            self._staged = _Staged()
            if self.fresh and not self._finished and self._made_folder:
                _remove_if_empty(self.out_dir, self._lock)
            self._lock.release()

    def _write_in_place(self, rel: str, data: bytes | Parts) -> None:
        if not self._written:
            # Mark the folder as ours before anything of ours is in it.
            self._write_manifest({"format": _FORMAT, "files": {}, "keys": {}})
        self._append_journal(rel)
        # Strings, not paths: a fresh build writes every file of the site here
        # (46,000 at 10,000 checks), and pathlib took a third of the time.
        target = self._prefix + rel
        folder = os.path.dirname(target)
        if folder not in self._made:
            self._mkdirs(Path(folder), self.out_dir)
        self._written.append(rel)
        self.ops.write(target, data)

    def _append_journal(self, rel: str) -> None:
        if self._journal is None:
            self._journal = os.open(
                self.out_dir / JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
            )
        self.ops.journal(self._journal, json.dumps(rel).encode() + b"\n")

    def _undo_fresh(self) -> None:
        for rel in reversed(self._written):
            try:
                self._remove(rel)
            except OSError:
                pass  # the journal still names it: the next build takes it away
        if len(self._written) == len(read_journal(self.out_dir)):
            for own in (JOURNAL, MARKER):
                (self.out_dir / own).unlink(missing_ok=True)
        self._written = []

    def _finish(self, keys: Mapping[str, str], kept: Collection[str], dropped: Collection[str] | None) -> Written:
        manifest = {"format": _FORMAT, "files": {}, "keys": keys}
        if self.fresh:
            manifest["files"] = self.hashes
            self._write_manifest(manifest)
            self._finished = True
            self._end_journal()
            return Written(len(self.hashes), 0, 0, 0, cold=True)
        old = self.old
        if dropped is None:
            self.hashes.update({p: old[p] for p in kept if p in old and p not in self.hashes and old[p]})
            removed = sorted(p for p in old if p not in self.hashes)
        else:
            standing = {p: h for p, h in old.items() if h} if not all(old.values()) else dict(old)
            for p in dropped:
                standing.pop(p, None)
            self.hashes = {**standing, **self.hashes}
            removed = sorted(p for p in dropped if p in old and p not in self.hashes)
        manifest["files"] = self.hashes
        staged = self._staged
        pending = set(staged.memory) | staged.on_disk
        added = sorted((p for p in pending if p not in old), key=link_order)
        changed = sorted((p for p in pending if p in old), key=link_order)
        if self.previous is None:
            # Mark the folder as ours before anything of ours is in it.
            self._write_manifest({"format": _FORMAT, "files": {}, "keys": {}})
        for rel in added + changed:
            self._append_journal(rel)
            self._put_in_place(rel)
        for rel in removed:
            self._remove(rel)
        if self.damaged:
            self._sweep()
        self._write_manifest(manifest)
        self._finished = True
        self._end_journal()
        unchanged = len(self.hashes) - len(added) - len(changed)
        return Written(len(added), len(changed), len(removed), unchanged, cold=self.previous is None)

    def _end_journal(self) -> None:
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        if (self.out_dir / JOURNAL).exists():
            self.ops.unlink(self.out_dir / JOURNAL)

    def _put_in_place(self, rel: str) -> None:
        target = self.out_dir / rel
        self._mkdirs(target.parent, self.out_dir)
        self.changed_site = True
        staged = self._staged
        if rel in staged.memory:
            # Written beside its place, then renamed over it: never half a file.
            temporary = self.work / "next"
            self.ops.write(temporary, staged.memory.pop(rel))
            self.ops.replace(temporary, target)
        else:
            self.ops.replace(self.work / "staged" / rel, target)

    def _remove(self, rel: str) -> None:
        target = self.out_dir / rel
        if not self._safe_folder(target.parent):
            return  # a folder that leads out of the site: nothing of ours is there
        self.changed_site = True
        self.ops.unlink(target)
        folder = target.parent
        while folder != self.out_dir and folder.is_dir() and not any(folder.iterdir()):
            self.ops.rmdir(folder)
            folder = folder.parent

    def _sweep(self) -> None:
        """After a damaged manifest: remove what earlier builds left in the
        folders this build writes (checks/, articles/, ...) and it did not
        write now. Files at the top, and folders it does not write, are left."""
        written = set(self.hashes)
        for section in sorted({p.split("/", 1)[0] for p in written if "/" in p}):
            top = self.out_dir / section
            if not top.is_dir() or top.is_symlink():
                continue
            for folder, _dirs, files in os.walk(top, topdown=False):
                for name in files:
                    path = Path(folder) / name
                    if path.relative_to(self.out_dir).as_posix() not in written:
                        self._remove(path.relative_to(self.out_dir).as_posix())

    def _write_manifest(self, manifest: Mapping[str, object]) -> None:
        data = _ENCODE(manifest) + b"\n"  # its keys sorted, at every level
        temporary = self.work / "manifest"
        self.ops.write(temporary, data)
        self.ops.replace(temporary, self.out_dir / MARKER)

    def _mkdirs(self, folder: Path, top: Path, check: bool = True) -> None:
        key = str(folder)
        if key in self._made:
            return
        if check and os.path.dirname(key) in self._sound:
            # A folder of one this build made or checked: made at once (the
            # next page's, most often); whatever is in its way, the slow road.
            try:
                self.ops.mkdir(key)
            except OSError:
                pass
            else:
                self._made.add(key)
                self._sound.add(key)
                return
        missing = []
        probe = folder
        while probe != top and not probe.is_dir():
            missing.append(probe)
            probe = probe.parent
        if check and not self._safe_folder(probe):
            raise OSError(errno.ELOOP, "a folder of the site is a link that leads out of it", str(probe))
        for part in reversed(missing):
            if part.is_symlink() or part.exists():  # a file or a broken link where a folder must go
                self.ops.unlink(part)
            self.ops.mkdir(part)
        self._made.add(key)
        if check:
            self._sound.update(str(p) for p in (probe, *missing))

    def _safe_folder(self, folder: Path) -> bool:
        """Is this folder really inside the output folder (no link on the way
        leads out of it)? A committed site could hold such a link."""
        key = str(folder)
        if key in self._checked:
            return True
        if not inside(self._top, real(folder)):
            return False
        self._checked.add(key)
        return True


def link_order(path: str) -> tuple[int, str]:
    """Pages that others link to come first: assets and the search bundle,
    then articles and checks, then the lists, the home page last."""
    if path.startswith(("static/", "pagefind/")):
        rank = 0
    elif path.startswith(("articles/", "checks/")):
        rank = 1
    elif path == "index.html":
        rank = 3
    else:
        rank = 2
    return rank, path


class _Lock:
    """An exclusive lock on the output folder, held for the whole write.
    The file holds the holder's process id while it is held."""

    def __init__(self, path: Path, out_dir: Path, notice: Callable[[str], None]):
        try:
            self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot lock {out_dir} for writing: {_describe(exc)}") from exc
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            notice(f"another build (process {holder}) is writing {out_dir}; waiting for it to finish")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)  # empty when nobody holds it: the folder's bytes stay the same
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _remove_if_empty(folder: Path, lock: _Lock) -> None:
    """A folder a failed first build made, with nothing in it but its lock."""
    try:
        if set(os.listdir(folder)) <= {LOCK}:
            (folder / LOCK).unlink(missing_ok=True)
            folder.rmdir()
    except OSError:
        pass


def _clear_work(out_dir: Path) -> None:
    """What a killed build left in its scratch space (under the lock, so no
    build that is still running owns it)."""
    work = out_dir / WORK
    if work.is_symlink() or work.is_file():
        work.unlink()
    elif work.exists():
        shutil.rmtree(work, ignore_errors=True)


def refuse_unsafe(out_dir: Path, protect: Iterable[Path], forbid: Iterable[Path] = ()) -> None:
    """The output folder must be a folder of its own: not the desk (or a
    folder holding it), not inside a content or template folder (nor holding
    one), and empty or made by this tool."""
    target = Path(real(out_dir))
    for kept in protect:
        kept = Path(real(kept))
        if target == kept or target in kept.parents:
            raise OutputError(
                f"refusing to write the site to {out_dir}: that would replace the project folder {kept}",
                hint="choose an output folder of its own, such as site/",
            )
    for folder in forbid:
        folder = Path(real(folder))
        if target == folder or folder in target.parents or target in folder.parents:
            raise OutputError(
                f"refusing to write the site to {out_dir}: it overlaps the desk's folder {folder}",
                hint="the site must not be inside a content or templates folder, nor hold one; "
                "choose an output folder of its own, such as site/",
            )
    try:
        st = os.stat(out_dir)
    except (FileNotFoundError, NotADirectoryError):
        return  # made when the site is written (or reported then, if it cannot be)
    except OSError as exc:
        raise OutputError(f"cannot read {out_dir}: {_describe(exc)}") from exc
    if not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{out_dir} exists and is not a folder")
    try:
        names = os.listdir(out_dir)
    except OSError as exc:
        raise OutputError(f"cannot read {out_dir}: {_describe(exc)}") from exc
    ours = MARKER in names
    others = [n for n in names if not n.startswith(".") and n not in HOST_FILES]
    if others and not ours:
        raise OutputError(
            f"refusing to replace {out_dir}: it is not empty and was not made by factcheck",
            hint="choose another output folder, or empty this one if its contents may go",
        )


def _describe(exc: OSError) -> str:
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)
