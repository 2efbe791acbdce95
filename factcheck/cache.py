"""A content-addressed memo of work already done, kept between runs.

Every value is stored under a key made from the exact inputs that produced
it (file bytes, quote text, Markdown source), and every table is tied to a
fingerprint of this package's own code, so a stale entry can never be
returned: at worst the cache misses and the work is done again. Losing or
corrupting the cache therefore costs time, never correctness; it lives in
`.factcheck-cache/` beside config.yaml and may be deleted at any moment.

Each table is its own file, read only when first used and written only when
it changed, so a run pays only for the tables it needs (a build that finds
nothing changed reads one small table).
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Callable, Hashable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

FOLDER = ".factcheck-cache"
SPACES = ("article", "entry", "found", "markdown", "fragment", "report", "stat")
_SHARDS = 8  # files per table, so that one edit rewrites a part of a large table
_RACY_NS = 2_000_000_000  # file time stamps this close to the hashing are not trusted
# The tables a `check` uses; the others are kept as they are when it prunes.
CHECK_SPACES = ("article", "entry", "found")

T = TypeVar("T")


def digest(*parts: str | bytes) -> str:
    """One SHA-256 over several parts. The repr of the tuple of parts (bytes
    stand as their own digest, in a tuple no string's repr can equal) makes
    no two different lists of parts hash the same bytes; one C call each."""
    flat = tuple(p if isinstance(p, str) else ("bytes", hashlib.sha256(p).hexdigest()) for p in parts)
    return hashlib.sha256(repr(flat).encode("utf-8", "surrogatepass")).hexdigest()


@cache
def code_fingerprint() -> str:
    """This package's source: any change to the code invalidates everything."""
    package = Path(__file__).resolve().parent
    return digest(*(p.read_bytes() for p in sorted(package.glob("*.py"))))


class Cache:
    """Namespaced memo tables. An instance belongs to its caller: pass it
    where it is needed; nothing here is global."""

    def __init__(self, folder: Path | None):
        self.path = folder  # None: caching is off
        self._tables: dict[str, dict[Hashable, Any]] = {}
        self._used: dict[str, set[Hashable]] = {space: set() for space in SPACES}
        self._dirty: set[tuple[str, int]] = set()

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def open(cls, root: Path) -> Cache:
        """The cache of the site whose config.yaml is in `root`."""
        return cls(root / FOLDER)

    def folder(self, name: str) -> Path | None:
        """A folder of the cache for a library's own cache files, or None
        when caching is off or the folder cannot be made."""
        if self.path is None:
            return None
        folder = self.path / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    def table(self, space: str) -> dict[Hashable, Any]:
        if space not in self._tables:
            self._tables[space] = self._read(space)
        return self._tables[space]

    def get(self, space: str, key: Hashable) -> Any:
        table = self.table(space)
        if key in table:
            self._used[space].add(key)
            return table[key]
        return None

    def put(self, space: str, key: Hashable, value: Any) -> None:
        if self.path is None:
            return
        self.table(space)[key] = value
        self._used[space].add(key)
        self._dirty.add((space, _shard(key)))

    def file_digest(self, path: str) -> str:
        """The SHA-256 of a file's bytes. As git does, a file whose size,
        modification time and inode are those recorded when it was last
        hashed is not read again, unless it had been modified so shortly
        before that record that a later edit could share its time stamp."""
        try:
            st = os.stat(path)
        except OSError:
            return "unreadable"  # whoever reads it will say why
        signature = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = self.get("stat", path)
        if known is not None and known[0] == signature:
            return known[1]
        try:
            with open(path, "rb") as f:
                value = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            return "unreadable"
        if time.time_ns() - st.st_mtime_ns > _RACY_NS:
            self.put("stat", path, (signature, value))
        return value

    def memo(self, space: str, key: Hashable, make: Callable[[], T]) -> T:
        found = self.get(space, key)
        if found is None:
            found = make()
            self.put(space, key, found)
        return found

    def prune(self, spaces: Iterable[str] = SPACES) -> None:
        """In the tables named, keep only what was used since the last
        prune, so the cache never grows with content that is gone. A table
        that was never read is left alone."""
        for space in spaces:
            table = self._tables.get(space)
            if table is None:
                continue
            used = self._used[space]
            if len(used) != len(table):
                self._dirty.update((space, _shard(k)) for k in table if k not in used)
                self._tables[space] = {k: v for k, v in table.items() if k in used}
            self._used[space] = set()

    def save(self, prune: Iterable[str] = SPACES) -> None:
        """Prune the tables named, then write back every table that changed.
        Failing to save is not an error: the cache is only a shortcut."""
        if self.path is None:
            return
        self.prune(prune)
        for space in sorted({space for space, _ in self._dirty}):
            parts: dict[int, dict[Hashable, Any]] = {}
            for k, v in self._tables[space].items():
                parts.setdefault(_shard(k), {})[k] = v
            for shard in sorted(shard for sp, shard in self._dirty if sp == space):
                if self._write(space, shard, parts.get(shard, {})):
                    self._dirty.discard((space, shard))

    def _file(self, space: str, shard: int) -> Path:
        assert self.path is not None
        return self.path / f"{space}.{shard}.pickle"

    def _read(self, space: str) -> dict[Hashable, Any]:
        table: dict[Hashable, Any] = {}
        for shard in range(_SHARDS):
            table.update(self._read_shard(space, shard))
        return table

    def _read_shard(self, space: str, shard: int) -> dict[Hashable, Any]:
        if self.path is None:
            return {}
        # The cyclic garbage collector would walk the growing heap again and
        # again while a large table is read; a table holds no cycles to find.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self._file(space, shard).open("rb") as f:
                stored = pickle.load(f)
        except Exception:  # noqa: BLE001 - any unreadable table is simply empty
            return {}
        finally:
            if collecting:
                gc.enable()
        if not isinstance(stored, dict) or stored.get("code") != code_fingerprint():
            return {}
        table = stored.get("table")
        return table if isinstance(table, dict) else {}

    def _write(self, space: str, shard: int, table: dict[Hashable, Any]) -> bool:
        assert self.path is not None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{space}.", dir=self.path)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"code": code_fingerprint(), "table": table}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self._file(space, shard))
            return True
        except (OSError, pickle.PicklingError):
            Path(tmp).unlink(missing_ok=True)
            return False


def _shard(key: Hashable) -> int:
    """A key's file: stable across runs (str hashes are not)."""
    return zlib.crc32(repr(key).encode("utf-8", "surrogatepass")) % _SHARDS
