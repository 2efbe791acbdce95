"""A content-addressed memo of work already done, kept between runs.

Every value is stored under a key made from the exact inputs that produced
it (file bytes, quote text, Markdown source), together with a fingerprint
of this package's own code, so a stale entry can never be returned: at
worst the cache misses and the work is done again. Losing or corrupting
the cache file therefore costs time, never correctness; it lives in
`.factcheck-cache/` beside config.yaml and may be deleted at any moment.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Hashable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

FOLDER = ".factcheck-cache"
_FILE = "build.pickle"
_SPACES = ("article", "entry", "found", "markdown", "fragment", "report")

T = TypeVar("T")


def digest(*parts: str | bytes) -> str:
    """One SHA-256 over several parts, each length-prefixed so that no two
    different lists of parts can produce the same bytes."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@cache
def code_fingerprint() -> str:
    """This package's source: any change to the code invalidates everything."""
    package = Path(__file__).resolve().parent
    return digest(*(p.read_bytes() for p in sorted(package.glob("*.py"))))


class Cache:
    """Namespaced memo tables. An instance belongs to one run: pass it
    where it is needed; nothing here is global."""

    def __init__(self, path: Path | None, tables: dict[str, dict[Hashable, Any]] | None = None):
        self.path = path
        self.tables: dict[str, dict[Hashable, Any]] = {space: {} for space in _SPACES}
        if tables:
            self.tables.update(tables)
        self._used: dict[str, set[Hashable]] = {space: set() for space in _SPACES}
        self._dirty = False

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def open(cls, root: Path) -> Cache:
        """The cache of the site whose config.yaml is in `root`; empty if
        there is none or it cannot be read (it is only ever a shortcut)."""
        path = root / FOLDER / _FILE
        # The cyclic garbage collector would walk the growing heap again and
        # again while a large cache is read; it holds no cycles to find.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with path.open("rb") as f:
                stored = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return cls(path)
        finally:
            if collecting:
                gc.enable()
        if not isinstance(stored, dict) or stored.get("code") != code_fingerprint():
            return cls(path)
        return cls(path, stored.get("tables"))

    def folder(self, name: str) -> Path | None:
        """A folder of the cache for a library's own cache files, or None
        when caching is off."""
        if self.path is None:
            return None
        folder = self.path.parent / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    def get(self, space: str, key: Hashable) -> Any:
        table = self.tables[space]
        if key in table:
            self._used[space].add(key)
            return table[key]
        return None

    def put(self, space: str, key: Hashable, value: Any) -> None:
        if self.path is None:
            return
        self.tables[space][key] = value
        self._used[space].add(key)
        self._dirty = True

    def memo(self, space: str, key: Hashable, make: Callable[[], T]) -> T:
        found = self.get(space, key)
        if found is None:
            found = make()
            self.put(space, key, found)
        return found

    def prune(self, keep_unused: Iterable[str] = ()) -> bool:
        """Keep only what was used since the last prune (so the cache never
        grows with content that is gone), except in the spaces named in
        `keep_unused`. True if anything changed since the last save."""
        kept = set(keep_unused)
        before = {space: len(table) for space, table in self.tables.items()}
        self.tables = {
            space: table if space in kept else {k: v for k, v in table.items() if k in self._used[space]}
            for space, table in self.tables.items()
        }
        self._used = {space: set() for space in _SPACES}
        self._dirty |= any(len(self.tables[s]) != n for s, n in before.items())
        return self._dirty

    def save(self, keep_unused: Iterable[str] = (), prune: bool = True) -> None:
        """Prune (unless told not to), then write the tables back if they
        changed. Failing to save is not an error: the cache is a shortcut."""
        if self.path is None:
            return
        if prune:
            self.prune(keep_unused)
        if not self._dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".build.", dir=self.path.parent)
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"code": code_fingerprint(), "tables": self.tables}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            Path(tmp).unlink(missing_ok=True)
