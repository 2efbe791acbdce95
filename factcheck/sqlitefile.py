"""Opening a SQLite file of the cache folder, which may have come from anyone.

A pull request can force-add `.factcheck-cache/`: a database there is data
to check, not to trust. It is used only if its schema is exactly the one the
tool would make (no trigger, no view, no table of its own), with SQLite's
`trusted_schema` off so nothing in a schema can call a function, and never
through a link (SQLite would write through one planted at the database or
at its journal files).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SUFFIXES = ("", "-wal", "-shm", "-journal")


def expected_schema(script: str) -> set[tuple[str, str, str | None]]:
    """What sqlite_master holds once `script` has made a new database."""
    with sqlite3.connect(":memory:") as db:
        db.executescript(script)
        return set(db.execute("SELECT type, name, sql FROM sqlite_master"))


def open_checked(path: Path, script: str) -> sqlite3.Connection | None:
    """The database at `path`, made with `script` if it is new; None when
    what stands there is not a database of this schema (or cannot be used):
    the caller sets it aside with `discard` and starts again."""
    if not _plain_folder(path.parent) or not _no_links(path):
        return None
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        db.execute("PRAGMA trusted_schema = OFF")
        db.execute("PRAGMA cell_size_check = ON")
        found = set(db.execute("SELECT type, name, sql FROM sqlite_master"))
        if not found:
            db.executescript(script)
        elif found != expected_schema(script):
            db.close()
            return None
        return db
    except sqlite3.Error:
        db.close()
        return None


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction, committed at the end or rolled back on an error.
    (The connections are opened in autocommit mode, where `with db:` alone
    begins nothing: every statement would be a transaction of its own, each
    a write of the log, 74,000 of them for a cold cache of 10,000 entries.)"""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def discard(path: Path, suffixes: tuple[str, ...] = _SUFFIXES) -> None:
    """Remove a database and its journals (a link among them: the link only)."""
    for suffix in suffixes:
        part = path.with_name(path.name + suffix)
        try:
            if not stat.S_ISDIR(os.lstat(part).st_mode):
                part.unlink()
        except OSError:
            pass


def _no_links(path: Path) -> bool:
    """Remove any link planted at the database or its journal files (never
    its target). False if something else that is not a file stands there."""
    for suffix in _SUFFIXES:
        part = path.with_name(path.name + suffix)
        try:
            mode = os.lstat(part).st_mode
        except FileNotFoundError:
            continue
        except OSError:
            return False
        if stat.S_ISREG(mode):
            continue
        if stat.S_ISLNK(mode):
            try:
                part.unlink()
            except OSError:
                return False
            continue
        return False
    return True


def _plain_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def discard_journals(path: Path) -> None:
    """Remove a database's journals, and not the database."""
    discard(path, _SUFFIXES[1:])
