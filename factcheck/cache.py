"""A content-addressed memo of work already done, kept between runs.

Every value is stored under a key made from the exact inputs that produced
it (file bytes, quote text, Markdown source), and the whole store is tied to
a fingerprint of this package's own code, so a stale entry can never be
returned: at worst the cache misses and the work is done again. Losing or
corrupting the cache therefore costs time, never correctness; it lives in
`.factcheck-cache/` beside config.yaml and may be deleted at any moment.

The cache may have come from anywhere (a pull request can force-add it), so
it holds data only: SQLite rows whose values are msgpack, decoded by msgspec
into the one type each table declares. Nothing read from it can run code:
no pickle, no compiled templates. A database whose schema is not exactly
ours, or that cannot be read, is set aside and started afresh.

Each table (a "space") is read whole on first use, its values decoded only
when asked for, and only the rows that changed are written back. A table
that holds a row for every file or page, of which a rebuild after an edit
asks for a few (parsed entries, matches, rendered Markdown, fragments), is
read row by row instead, until so many are asked for that reading the rest
at once is cheaper.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

import msgspec

from . import fork, interrupts
from .model import Text
from .safefs import read_regular
from .sqlitefile import discard, discard_journals, open_checked, transaction

FOLDER = ".factcheck-cache"
DATABASE = "cache.sqlite"
_FORMAT = "3"  # of the database itself; the code fingerprint covers the values
_RACY_NS = 2_000_000_000  # file time stamps this close to the hashing are not trusted
# Pages of 16 KB, where SQLite's default is 4 KB: an entry's row is some
# 2.5 KB, and at 4 KB a page held one and a half of them, the rest spilling
# to pages of their own. A database of 10,000 checks is a fifth smaller
# (52 MB against 65), written in 0.15 s against 0.18, read in half the time.
_SCHEMA = """
PRAGMA page_size = 16384;
CREATE TABLE entries (space TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (space, key));
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
"""

T = TypeVar("T")


def digest(*parts: str | bytes) -> str:
    """One SHA-256 over several parts. The repr of the tuple of parts (bytes
    stand as their own digest, in a tuple no string's repr can equal) makes
    no two different lists of parts hash the same bytes; one C call each."""
    flat = tuple(p if isinstance(p, str) else ("bytes", hashlib.sha256(p).hexdigest()) for p in parts)
    return hashlib.sha256(repr(flat).encode("utf-8", "surrogatepass")).hexdigest()


@cache
def code_fingerprint() -> str:
    """This package's files, code and built-in theme: any change to them
    invalidates everything."""
    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return digest(*(part for p in files for part in (p.relative_to(package).as_posix(), p.read_bytes())))


@dataclass(frozen=True)
class Space(Generic[T]):
    """A table of the cache and the one type its values decode to."""

    name: str
    type: Any
    by_row: bool = False  # read row by row (module docstring), not whole
    # How its values are written and read, where not as the rest of the cache's.
    encode: Callable[[Any], bytes] | None = field(default=None, repr=False, compare=False)
    hook: Callable[[type, Any], Any] | None = field(default=None, repr=False, compare=False)
    decoder: msgspec.msgpack.Decoder = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "decoder", msgspec.msgpack.Decoder(self.type, dec_hook=self.hook or decode_hook))


def encode_hook(value: Any) -> Any:
    """The model's own types that msgspec does not know: an article's body
    (model.Text) is kept as where it starts in its file and the hash of the
    file it was read from, from which it is read again when asked for (half
    of a cold cache was bodies: 51 MB at 10,000 checks, encoded, written and
    decoded again); the body itself only where that hash is not known."""
    if isinstance(value, Text):
        if value.sha256:
            return (value.start, value.sha256)
        return (value.start, value.sha256, value.value())
    raise NotImplementedError(f"cannot store a {type(value).__name__}")


def decode_hook(kind: type, value: Any) -> Any:
    if kind is Text and isinstance(value, list) and len(value) in (2, 3):
        start, sha256, *body = value
        if isinstance(start, int) and isinstance(sha256, str):
            if not body:
                return Text.stored("", start, sha256)  # its file: Text.locate, by the loader that knows it
            if isinstance(body[0], str):
                return Text(body[0], start=start, sha256=sha256)
    raise NotImplementedError(f"cannot read a {kind}")


# What `stat` holds: a file's (size, mtime_ns, inode) when it was hashed, and the hash.
STAT = Space[tuple[tuple[int, int, int], str]]("stat", tuple[tuple[int, int, int], str], by_row=True)
_ENCODE = msgspec.msgpack.Encoder(enc_hook=encode_hook).encode
# Rows of a table read one by one before the rest is read at once: a point
# read costs about as much as reading 20 rows of a whole table.
_ROW_READS = 1000
_DIRECT_READS = 64


class Cache:
    """Typed memo tables. An instance belongs to its caller: pass it where
    it is needed; nothing here is global."""

    def __init__(self, folder: Path | None):
        self.path = folder  # None: nothing is kept between runs
        self.note: str | None = None  # why the cache on disk is not used, if it is not
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._raw: dict[str, dict[str, bytes]] = {}  # rows as read (tables read whole)
        self._stored: dict[str, set[str]] = {}  # keys of the rows of a table read row by row
        self._row_reads: dict[str, int] = {}
        self._values: dict[str, dict[str, Any]] = {}  # decoded or new values
        self._used: dict[str, set[str]] = {}
        self._dirty: dict[str, set[str]] = {}
        self._encoders: dict[str, Callable[[Any], bytes]] = {}  # tables whose values are not written as _ENCODE does
        self._encoded: dict[str, dict[str, bytes]] = {}  # rows given encoded (put_encoded), not yet saved
        # write_ahead's process, the rows to write when it began, and the file it writes them in
        self._ahead: tuple[fork.Worker, dict[str, set[str]], Path] | None = None

    @classmethod
    def disabled(cls) -> Cache:
        return cls(None)

    @classmethod
    def open(cls, root: Path) -> Cache:
        """The cache of the site whose config.yaml is in `root`. A cache
        folder that is a link, or not a folder, is not used (nor written)."""
        folder = root / FOLDER
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            return cls(folder)
        except OSError:
            return cls(None)
        if not stat.S_ISDIR(st.st_mode):
            made = cls(None)
            made.note = f"{FOLDER} is not a folder of its own (a link or a file), so it is not used"
            return made
        return cls(folder)

    def folder(self, name: str) -> Path | None:
        """A folder of the cache for a library's own files, or None when
        caching is off or the folder is not a plain folder of our own."""
        if self.path is None:
            return None
        folder = self.path / name
        try:
            self.path.mkdir(exist_ok=True)
            folder.mkdir(exist_ok=True)
        except OSError:
            return None
        return folder if _plain_folder(self.path) and _plain_folder(folder) else None

    # --- values ---------------------------------------------------------------

    def get(self, space: Space[T], key: Any) -> T | None:
        key = _key(key)
        values = self._values.setdefault(space.name, {})
        if key in values:
            self._used.setdefault(space.name, set()).add(key)
            return values[key]
        raw = self._encoded.get(space.name, {}).pop(key, None)
        if raw is None:
            raw = self._take(space, key)  # decoded once, then kept only as a value
        if raw is None:
            return None
        try:
            value = space.decoder.decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError):
            self._dirty.setdefault(space.name, set()).add(key)  # unreadable: dropped at save
            return None
        values[key] = value
        self._used.setdefault(space.name, set()).add(key)
        return value

    def put(self, space: Space[T], key: Any, value: T) -> None:
        if self.path is None:
            return
        key = _key(key)
        self._values.setdefault(space.name, {})[key] = value
        self._used.setdefault(space.name, set()).add(key)
        self._dirty.setdefault(space.name, set()).add(key)
        if space.encode is not None:
            self._encoders[space.name] = space.encode

    def put_encoded(self, space: Space[T], key: Any, data: bytes) -> None:
        """A row given as the bytes its value encodes to (as the space
        encodes them): held as those bytes until the save, not as the value
        as well (the state a build keeps: tens of megabytes at 10,000 checks)."""
        if self.path is None:
            return
        key = _key(key)
        self._values.get(space.name, {}).pop(key, None)
        self._encoded.setdefault(space.name, {})[key] = data
        self._used.setdefault(space.name, set()).add(key)
        self._dirty.setdefault(space.name, set()).add(key)

    def delete(self, space: Space[Any], key: Any) -> None:
        """Forget a row, here and (at the next save) in the database."""
        if self.path is None:
            return
        key = _key(key)
        self._values.get(space.name, {}).pop(key, None)
        self._raw.get(space.name, {}).pop(key, None)
        self._stored.get(space.name, set()).discard(key)
        self._dirty.setdefault(space.name, set()).add(key)

    def memo(self, space: Space[T], key: Any, make: Callable[[], T]) -> T:
        found = self.get(space, key)
        if found is None:
            found = make()
            self.put(space, key, found)
        return found

    def keep(self, space: Space[Any], keys: Iterable[Any]) -> None:
        """Mark rows as used without reading them: what a memo over many
        rows stood for (a prune would otherwise drop them, and the next run
        that misses the memo would have to make each again)."""
        if self.path is not None:
            self._used.setdefault(space.name, set()).update(map(_key, keys))

    def racy(self, signature: tuple[int, int, int]) -> bool:
        """A file modified so shortly before now that a later edit could
        share its time stamp: what is worked out from it is not kept."""
        return time.time_ns() - signature[1] <= _RACY_NS

    # --- sharing with a forked process (site/parallel.py) ----------------------

    def preload(self, names: Iterable[str]) -> None:
        """Read these tables now, so that a process forked after this finds
        their rows in memory and never touches the database (a SQLite
        connection must not be used on both sides of a fork)."""
        for name in names:
            self._rows(name)

    def count(self, name: str) -> int:
        """How many values the table holds (read from the database, or made)."""
        made = self._values.get(name, {}).keys()
        if name in self._stored and name not in self._raw:  # read row by row so far
            return len(made | self._stored[name])
        return len(made | self._rows(name).keys())

    def detach(self) -> None:
        """In a forked process: never use the database again."""
        self._db = None
        self._opened = True

    def changes(self, names: Iterable[str]) -> tuple[list[tuple[str, str, bytes]], dict[str, list[str]]]:
        """What this process added to these tables, encoded, and the keys it
        used: for the process it was forked from to keep (`merge`)."""
        names = tuple(names)
        return self._changed(names), self.used_keys(names)

    def used_keys(self, names: Iterable[str]) -> dict[str, list[str]]:
        """The keys of these tables this process used (`changes`)."""
        return {name: sorted(self._used.get(name, ())) for name in names}

    def take_changes(self, names: Iterable[str]) -> list[tuple[str, str, bytes]]:
        """What this process added to these tables since it was last asked,
        encoded (`changes`, in parts: a forked process sends what it has
        made as it goes)."""
        names = tuple(names)
        rows = self._changed(names)
        for name in names:
            self._dirty.pop(name, None)
        return rows

    def _changed(self, names: tuple[str, ...]) -> list[tuple[str, str, bytes]]:
        rows = []
        for name in names:
            values = self._values.get(name, {})
            for key in sorted(self._dirty.get(name, ())):
                if key in values:
                    try:
                        rows.append((name, key, _ENCODE(values[key])))
                    except (TypeError, ValueError, OverflowError):
                        continue
        return rows

    def merge(self, rows: Iterable[tuple[str, str, bytes]], used: dict[str, list[str]]) -> None:
        """Keep what a forked process added (`changes`) and mark what it used."""
        if self.path is None:
            return
        for name, key, raw in rows:
            if key in self._values.get(name, {}):
                continue  # made here too: the same value, as keys are made from inputs
            self._rows(name)[key] = raw
            self._dirty.setdefault(name, set()).add(key)
            self._used.setdefault(name, set()).add(key)
        for name, keys in used.items():
            self._used.setdefault(name, set()).update(keys)

    # --- file hashes ----------------------------------------------------------

    def known_digest(self, path: str, signature: tuple[int, int, int] | None) -> str | None:
        """The SHA-256 recorded for the file when it last had this signature
        (size, modification time, inode), as git does."""
        known = self.get(STAT, path)
        if known is not None and signature is not None and tuple(known[0]) == signature:
            return known[1]
        return None

    def record_digest(self, path: str, signature: tuple[int, int, int], value: str) -> None:
        """Remember a hash, unless the file was modified so shortly before
        that a later edit could share its time stamp."""
        if not self.racy(signature):
            self.put(STAT, path, (signature, value))

    def file_digest(self, path: str, signature: tuple[int, int, int] | None = None) -> str:
        """The SHA-256 of a file's bytes, read only when its signature
        changed (`signature`: as a walk just saw it)."""
        if signature is None:
            try:
                st = os.stat(path)
            except OSError:
                return "unreadable"  # whoever reads it will say why
            signature = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = self.known_digest(path, signature)
        if known is not None:
            return known
        try:
            read = read_regular(path)
        except OSError:
            return "unreadable"
        except Exception:  # noqa: BLE001 - safefs refused it; the loader says why
            return "refused"
        value = hashlib.sha256(read.data).hexdigest()
        if read.stable:
            self.record_digest(path, read.signature, value)
        return value

    # --- pruning and saving ---------------------------------------------------

    def prune(self, spaces: Iterable[str]) -> None:
        """In the tables named, keep only what was used since the last
        prune, so the cache never grows with content that is gone. A table
        that was neither read nor written is left alone."""
        for name in spaces:
            if name not in self._raw and name not in self._values:
                continue
            used = self._used.get(name, set())
            known = set(self._raw.get(name, {})) | set(self._values.get(name, {}))
            if name not in self._raw:  # read row by row, or only written: what else the database holds
                known |= self._stored_keys(name)
            gone = known - used
            if gone:
                self._dirty.setdefault(name, set()).update(gone)
                for k in gone:
                    self._raw.get(name, {}).pop(k, None)
                    self._values.get(name, {}).pop(k, None)
                    self._stored.get(name, set()).discard(k)
            self._used[name] = set()

    def save(self, prune: Iterable[str] = ()) -> None:
        """Prune the tables named, then write back every row that changed.
        Failing to save is not an error: the cache is only a shortcut."""
        if self.path is None:
            return
        self._join_ahead()
        self.prune(prune)
        if not any(self._dirty.values()):
            return
        if self._db is None and self._save_new():
            return
        db = self._connect(create=True)
        if db is None:
            return
        written, deletes = self._written()
        unwritable: list[tuple[str, str]] = []
        try:
            with transaction(db):
                db.executemany("DELETE FROM entries WHERE space = ? AND key = ?", deletes)
                rows = _encode_rows(self._snapshot(written), unwritable)
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
                db.executemany("DELETE FROM entries WHERE space = ? AND key = ?", unwritable)
        except sqlite3.Error:
            return
        self._dirty.clear()
        self._encoded.clear()

    def _written(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The rows to write and the rows to delete, each in the table's
        order, which keeps the pages of its index together."""
        written: list[tuple[str, str]] = []
        deletes: list[tuple[str, str]] = []
        # Sorted table by table: keys compared as strings, not as pairs (a
        # build of 10,000 checks writes 135,000 rows: a third of the time).
        for name in sorted(self._dirty):
            keys = self._dirty[name]
            held = self._held(name, keys)
            written += [(name, k) for k in sorted(held)]
            deletes += [(name, k) for k in sorted(keys - held)]
        return written, deletes

    def _save_new(self) -> bool:
        """Where there is no database yet (a fresh clone in CI, a deleted
        cache): write it whole beside where it goes, with no journal (a
        half-written file is thrown away, never used), and put it in place
        only if none has appeared meanwhile. About twice as fast as writing
        through the journal: 0.4 s against 0.85 s for the rows of a build of
        10,000 checks. False where it was not done: the usual save follows.
        (A run killed while it writes leaves its `.new` file behind.)"""
        if self.path is None or not self._no_database() or not self._write_whole(self.path):
            return False
        self._dirty.clear()
        self._encoded.clear()
        self._opened = False  # what is read next is read from it
        return True

    def _no_database(self) -> bool:
        return self.path is not None and not os.path.lexists(self.path / DATABASE)

    def _write_whole(self, folder: Path, new: _NewFile | None = None) -> bool:
        """Every row to write, as a new database in `folder` (`_write_new`)."""
        written, _ = self._written()
        return _write_new(folder, self._snapshot(written), code_fingerprint(), new)

    def write_ahead(self) -> None:
        """Where there is no database yet: start writing the rows made so
        far as `_save_new` does, in a forked process, while this one goes on
        (a cold `check` checks the citations and the links meanwhile; a
        build from nothing puts the site in place and keeps its state; a
        thread would not do, as SQLite's writing of each row waits for the
        interpreter). `save` and `close` wait for it; what changed in
        between is saved as usual after it. Only where nothing else would
        be forked or threaded meanwhile (fork.py)."""
        if not self.may_write_ahead() or self._ahead is not None or not any(self._dirty.values()):
            return
        folder = self.path
        code_fingerprint()  # read from this package's files once, not in the child too
        dirty = {name: set(keys) for name, keys in self._dirty.items()}
        new = None
        try:
            # The file it writes in is made here, so that this process can
            # remove it if the writer is stopped half-way (Ctrl-C reaches
            # both); and the writer, once forked, is known to `close`.
            with interrupts.held():
                new = _new_file(folder)
                if new is None:
                    return  # (the usual save says nothing either: it is only a cache)
                worker = fork.Worker.start(lambda emit: self._write_whole(folder, new), "the process writing the cache")
                self._ahead = (worker, dirty, new.path)
        except OSError:
            if new is not None:
                discard(new.path)
            return  # (no process to be had: the usual save writes it all)
        except BaseException:
            if new is not None and self._ahead is None:
                discard(new.path)
            raise
        finally:
            if new is not None:
                os.close(new.fd)  # (the writer has its own copy)

    def may_write_ahead(self) -> bool:
        """Whether `write_ahead` would write in a forked process (given rows
        to write): there is no database yet, nor a connection to one, and a
        second core."""
        return self.path is not None and self._db is None and fork.available() and self._no_database()

    def _join_ahead(self) -> None:
        """Wait for `write_ahead`'s process: the rows it wrote are saved.
        One made or deleted meanwhile is saved as usual, but for a row that
        was deleted before it began and made again since: the next run
        misses it (keys are made from inputs, so nothing wrong is read)."""
        if self._ahead is None:
            return
        worker, dirty, new = self._ahead
        self._ahead = None
        try:
            done = worker.drain(lambda *message: None, wait=True)
        except fork.WorkerError:
            return  # the usual save writes it all
        except BaseException:  # Ctrl-C while it writes
            worker.stop()
            raise
        finally:
            discard(new)  # what a writer stopped half-way left (one that is done has removed it)
        if not done:
            return
        for name, keys in dirty.items():
            written = self._held(name, keys)
            self._dirty.get(name, set()).difference_update(written)
            encoded = self._encoded.get(name, {})
            for k in written & encoded.keys():
                del encoded[k]
        self._opened = False  # what is read next is read from it

    def _snapshot(self, written: list[tuple[str, str]]) -> Iterator[_Row]:
        """The rows to write (`_written`) as they stand: each one's value
        and the encoder it takes, or its bytes (encoder None), encoded only
        as SQLite takes them (`_encode_rows`)."""
        for name, k in written:
            values = self._values.get(name, {})
            if k in values:
                yield name, k, values[k], self._encoders.get(name, _ENCODE)
            else:
                given = self._encoded.get(name, {})
                yield name, k, given[k] if k in given else self._raw[name][k], None

    def _held(self, name: str, keys: set[str]) -> set[str]:
        """Those of `keys` whose rows this process holds: as a value
        (decoded, or new), as a row a forked process made (merge) or one
        read, or given encoded. (As sets: 80,000 keys in a cold check.)"""
        empty: dict[str, Any] = {}
        return (
            (keys & self._values.get(name, empty).keys())
            | (keys & self._raw.get(name, empty).keys())
            | (keys & self._encoded.get(name, empty).keys())
        )

    def close(self) -> None:
        self._join_ahead()
        if self._db is not None:
            self._db.close()
            self._db = None
            self._opened = False

    # --- the database ---------------------------------------------------------

    def _take(self, space: Space[Any], key: str) -> bytes | None:
        """The row stored under `key`, no longer held here once taken."""
        name = space.name
        if not space.by_row or name in self._raw:
            return self._rows(name).pop(key, None)
        reads = self._row_reads[name] = self._row_reads.get(name, 0) + 1
        if reads > _ROW_READS:  # most of the table, it seems: the rest at once
            return self._rows(name).pop(key, None)
        # The first few rows are asked for directly (a rebuild after an edit
        # asks for a handful of 10,000); then the keys are read once, so that
        # asking for a row the table does not have costs nothing.
        if reads > _DIRECT_READS and key not in self._stored_keys(name):
            return None
        found = self._select("SELECT value FROM entries WHERE space = ? AND key = ?", (name, key))
        return found[0] if found and isinstance(found[0], bytes) else None

    def _stored_keys(self, name: str) -> set[str]:
        """The keys of a table's rows in the database, not their values."""
        stored = self._stored.get(name)
        if stored is None:
            keys = self._select("SELECT key FROM entries WHERE space = ?", (name,))
            stored = self._stored[name] = {k for k in keys if isinstance(k, str)}
        return stored

    def _select(self, query: str, args: tuple[str, ...]) -> list[Any]:
        db = self._connect(create=False)
        if db is None:
            return []
        try:
            return [row[0] for row in db.execute(query, args)]
        except sqlite3.Error:
            return []

    def _rows(self, name: str) -> dict[str, bytes]:
        rows = self._raw.get(name)
        if rows is None:
            rows = {}
            db = self._connect(create=False)
            if db is not None:
                try:
                    rows = dict(db.execute("SELECT key, value FROM entries WHERE space = ?", (name,)))
                except sqlite3.Error:
                    rows = {}
            # Less any row already taken one by one (and held as a value).
            values = self._values.get(name, {})
            self._raw[name] = rows = {
                k: v for k, v in rows.items() if isinstance(k, str) and isinstance(v, bytes) and k not in values
            }
        return rows

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None or self.path is None:
            return self._db
        if self._opened and not create:
            return None
        self._opened = True
        file = self.path / DATABASE
        if not create and not os.path.lexists(file):
            return None
        if create:
            try:
                self.path.mkdir(exist_ok=True)
            except OSError:
                return None
        db = self._open(file)
        if db is None:
            # Not ours, damaged or of another version: set aside, start afresh.
            discard(file)
            if create:
                db = self._open(file)
        self._db = db
        return db

    def _open(self, file: Path) -> sqlite3.Connection | None:
        db = open_checked(file, _SCHEMA)
        if db is None:
            return None
        try:
            meta = dict(db.execute("SELECT name, value FROM meta"))
            if not meta:
                db.execute("INSERT INTO meta VALUES ('format', ?), ('code', ?)", (_FORMAT, code_fingerprint()))
            elif meta.get("format") != _FORMAT:
                db.close()
                return None
            elif meta.get("code") != code_fingerprint():
                with transaction(db):  # another version of the code: nothing in here can be trusted to be current
                    db.execute("DELETE FROM entries")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (code_fingerprint(),))
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            return db
        except sqlite3.Error:
            db.close()
            return None


# A row to write: its table, key, and value with the encoder it takes, or its bytes.
_Row = tuple[str, str, Any, Callable[[Any], bytes] | None]


def _encode_rows(
    rows: Iterable[_Row], unwritable: list[tuple[str, str]] | None = None
) -> Iterator[tuple[str, str, bytes]]:
    # One at a time as SQLite takes them: all at once, they would be a second
    # copy of the cache (200 MB for a cold build of 10,000 checks) held
    # beside the values. A value that cannot be encoded is not written, and
    # listed in `unwritable`.
    for name, k, value, encode in rows:
        if encode is None:
            yield name, k, value
            continue
        try:
            data = encode(value)
        except (TypeError, ValueError, OverflowError):
            if unwritable is not None:
                unwritable.append((name, k))
            continue
        yield name, k, data


@dataclass(frozen=True)
class _NewFile:
    """An empty file beside the database, this run's own, open."""

    fd: int
    path: Path


def _new_file(folder: Path) -> _NewFile | None:
    try:
        folder.mkdir(exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{DATABASE}.", suffix=".new", dir=folder)
    except OSError:
        return None
    return _NewFile(fd, Path(name))


def _write_new(folder: Path, rows: Iterable[_Row], fingerprint: str, made: _NewFile | None = None) -> bool:
    """A new database of these rows at folder/DATABASE, written beside it
    with no journal and put in place only if none has appeared meanwhile
    (Cache._save_new); whether it was put in place. `made`: the file to
    write it in (`_new_file`), closed and removed here either way."""
    file = folder / DATABASE
    written = False
    made = made or _new_file(folder)
    if made is not None:
        fd, new = made.fd, made.path
        try:
            db = open_checked(new, _SCHEMA)
            if db is not None:
                try:
                    db.execute("PRAGMA journal_mode = OFF")
                    db.execute("PRAGMA synchronous = OFF")
                    with transaction(db):
                        db.execute("INSERT INTO meta VALUES ('format', ?), ('code', ?)", (_FORMAT, fingerprint))
                        db.executemany("INSERT INTO entries VALUES (?, ?, ?)", _encode_rows(rows))
                    db.execute("PRAGMA journal_mode = WAL")  # as _open sets it, recorded in the file
                finally:
                    db.close()
                os.fchmod(fd, 0o644)  # as SQLite makes its files (mkstemp makes them 0600)
                os.fsync(fd)  # whole on disk before it is in place
                if not os.path.lexists(file):
                    # No journal of a database gone may be taken for this one's. (A
                    # run that makes the database between the look above and this
                    # would lose its journal: microseconds, and only a cache.)
                    discard_journals(file)
                    os.link(new, file)  # fails where another run has put a database there meanwhile
                    written = True
        except (sqlite3.Error, OSError):
            written = False
        finally:
            os.close(fd)
            discard(new)
    return written


def _key(key: Any) -> str:
    """Keys are strings; a tuple of parts (strings, or None) is joined with
    a separator no part holds (entries and articles refuse control
    characters, digests have none)."""
    if isinstance(key, str):
        return key
    # (A list, not a generator: join makes one of it anyway; a quarter faster.)
    return "\x1f".join(["\x00" if part is None else part if part.__class__ is str else str(part) for part in key])


def _plain_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False
