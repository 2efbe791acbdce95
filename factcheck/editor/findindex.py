"""The index behind `find`: which articles could hold a text, without reading them all.

SQLite's FTS5 (in the standard library's sqlite3) keeps, per article, the
body's *normalized* text, a trigram index of it (substring search) and a word
index (ranking by rare words, for "closest passage" when nothing matches).
The index only narrows the candidates: the real matcher confirms every hit,
so a stale or lossy index can cost a hit's speed, never its correctness.

The index lives in `.factcheck-cache/find.sqlite` beside config.yaml. Each
run compares every article file's size and mtime with what was indexed and
re-reads only those that differ; a changed file whose SHA-256 is unchanged
is not re-indexed. Deleting the file costs one rebuild, nothing else.
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..sqlitefile import discard, open_checked
from ..verify import normalize as normalize_module
from ..verify.corpus import split_front_matter
from ..verify.normalize import normalize
from ..verify.sources import SourceFile

FOLDER = ".factcheck-cache"
FILE = "find.sqlite"
_FORMAT = 1  # bump when the tables change
# A file modified this close to when it was read may change again within the
# same mtime tick without its size or mtime changing: re-hash it next time.
_RACY_NS = 2_000_000_000
# Trigrams ANDed per part: any subset still only narrows, and instr() below
# confirms the substring, so a long quote need not send all of its trigrams.
_MAX_TRIGRAMS = 24
_RANKED_TERMS = 8  # the rarest words of a text that pick candidates for "closest passage"
_WORD = re.compile(r"\w+")

_TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,      -- as diagnostics show it
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    checked_ns INTEGER NOT NULL,  -- when the file was last read
    sha256 TEXT NOT NULL,    -- of the file's bytes
    text TEXT NOT NULL       -- the normalized body; '' if the file cannot be read as an article
);
-- detail=none keeps the index small (no positions): instr() on docs.text
-- confirms substrings, and only document counts are needed for ranking.
CREATE VIRTUAL TABLE grams USING fts5(
    text, content='docs', content_rowid='rowid', tokenize='trigram case_sensitive 1', detail=none);
CREATE VIRTUAL TABLE words USING fts5(text, content='docs', content_rowid='rowid', detail=none);
"""


@dataclass(frozen=True)
class Refresh:
    """What one refresh did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class _Row:
    rowid: int
    path: str
    size: int
    mtime_ns: int
    checked_ns: int
    sha256: str


def fingerprint() -> str:
    """What the indexed text depends on besides the files: the normalization
    code and the Unicode version behind NFKC. Either changing means rebuild."""
    source = Path(normalize_module.__file__).read_bytes()
    return hashlib.sha256(source + f"|{unicodedata.unidata_version}|{_FORMAT}".encode()).hexdigest()


def fts5_trigram_available() -> bool:
    """FTS5 is a compile-time option of SQLite, and the trigram tokenizer
    needs SQLite 3.34: not every Python has them."""
    try:
        with sqlite3.connect(":memory:") as conn:
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.Error:
        return False


class FindIndex:
    """The index of one site's articles. `path` is None when it is kept in
    memory only (the cache folder cannot be written)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, root: Path) -> FindIndex | None:
        """The site's index, made if missing or out of date; None when this
        Python's SQLite has no FTS5 trigram tokenizer."""
        if not fts5_trigram_available():
            return None
        path = root / FOLDER / FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(_connect(path), path)
        except (OSError, sqlite3.Error):
            # Read-only checkout or a broken file: an index for this run only.
            return cls(_connect(None), None)

    def close(self) -> None:
        self.conn.close()

    def refresh(self, sources: Sequence[SourceFile]) -> Refresh:
        """Bring the index in line with the article files."""
        if not self._pending(sources):
            return Refresh(unchanged=len(sources))
        # Another `find` may be refreshing too: take the write lock, then
        # compare again, so that both never insert the same article.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            done = self._apply(sources)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return done

    def holding(self, parts: Sequence[str]) -> list[str]:
        """Ids of the articles whose normalized text holds every part (all
        normalized), in id order. Parts under three characters cannot use the
        trigrams: those are found by scanning the stored text."""
        grams = [g for part in parts for g in _trigrams(part)]
        sql = "SELECT id FROM docs WHERE " + " AND ".join("instr(text, ?) > 0" for _ in parts)
        params: list[str] = list(parts)
        if grams:
            sql += " AND rowid IN (SELECT rowid FROM grams WHERE grams MATCH ?)"
            params.append(" AND ".join(_fts_string(g) for g in dict.fromkeys(grams)))
        return [row[0] for row in self.conn.execute(sql + " ORDER BY id", params)]

    def similar(self, text: str, limit: int) -> list[str]:
        """Up to `limit` ids of the articles that share most of the text's
        rarest words, best first: where a near miss is likely to be. A word
        the corpus lacks (a typo?) is looked for by its trigrams instead.

        Scored here by inverse document frequency rather than by FTS5's bm25,
        which visits every article holding any term and is slow for common ones.
        """
        (total,) = self.conn.execute("SELECT count(*) FROM docs").fetchone()
        if total <= limit:
            return [row[0] for row in self.conn.execute("SELECT id FROM docs ORDER BY id")]
        terms: set[tuple[int, str, str]] = set()  # (articles holding it, table, term)
        for word in dict.fromkeys(_WORD.findall(text)):
            count = self._count("words", word.lower())
            if count:
                terms.add((count, "words", word.lower()))
                continue
            for gram in _trigrams(word):
                count = self._count("grams", gram)
                if count:
                    terms.add((count, "grams", gram))
        scores: Counter[int] = Counter()
        for count, table, term in sorted(terms)[:_RANKED_TERMS]:
            weight = math.log((total + 1) / count)
            for (rowid,) in self.conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", (_fts_string(term),)):
                scores[rowid] += weight
        best = sorted(scores, key=lambda rowid: (-scores[rowid], rowid))[:limit]
        ids = dict(self.conn.execute(f"SELECT rowid, id FROM docs WHERE rowid IN ({','.join('?' * len(best))})", best))
        return [ids[rowid] for rowid in best]

    def _count(self, table: str, term: str) -> int:
        """How many articles hold the term."""
        query = f"SELECT count(*) FROM {table} WHERE {table} MATCH ?"
        return self.conn.execute(query, (_fts_string(term),)).fetchone()[0]

    # --- keeping it up to date ------------------------------------------------

    def _rows(self) -> dict[str, _Row]:
        rows = self.conn.execute("SELECT id, rowid, path, size, mtime_ns, checked_ns, sha256 FROM docs")
        return {r[0]: _Row(*r[1:]) for r in rows}

    def _pending(self, sources: Sequence[SourceFile]) -> bool:
        rows = self._rows()
        if len(rows) != len(sources):
            return True
        return any(not _unchanged(rows.get(s.id), s) for s in sources)

    def _apply(self, sources: Sequence[SourceFile]) -> Refresh:
        rows = self._rows()
        kept = len(rows)
        added = updated = unchanged = 0
        fresh: list[int] = []  # rowids of the texts to add to the full-text tables
        for source in sources:
            row = rows.pop(source.id, None)
            if _unchanged(row, source):
                unchanged += 1
                continue
            checked_ns = time.time_ns()
            try:
                data = source.path.read_bytes()
                st = source.path.stat()
            except OSError:
                data, st = b"", None
            sha = hashlib.sha256(data).hexdigest()
            size, mtime_ns = (st.st_size, st.st_mtime_ns) if st else (-1, -1)
            if row is not None and row.sha256 == sha:
                # Touched, moved or racy, but the same bytes: nothing to re-index.
                self.conn.execute(
                    "UPDATE docs SET path = ?, size = ?, mtime_ns = ?, checked_ns = ? WHERE rowid = ?",
                    (source.shown, size, mtime_ns, checked_ns, row.rowid),
                )
                unchanged += 1
                continue
            if row is not None:
                self._unindex(row.rowid)
                updated += 1
            else:
                added += 1
            cursor = self.conn.execute(
                "INSERT INTO docs(id, path, size, mtime_ns, checked_ns, sha256, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (source.id, source.shown, size, mtime_ns, checked_ns, sha, indexed_text(data)),
            )
            fresh.append(cursor.lastrowid or 0)
        for row in rows.values():  # articles no longer in the corpus
            self._unindex(row.rowid)
        self._index(fresh, everything=len(fresh) > max(100, (kept - len(rows)) // 4))
        return Refresh(added, updated, len(rows), unchanged)

    def _index(self, rowids: Sequence[int], everything: bool) -> None:
        for table in ("grams", "words"):
            if everything:
                # Much faster than row by row when most of the corpus is new (the first run).
                self.conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
                continue
            for rowid in rowids:
                self.conn.execute(
                    f"INSERT INTO {table}(rowid, text) SELECT rowid, text FROM docs WHERE rowid = ?", (rowid,)
                )

    def _unindex(self, rowid: int) -> None:
        # External-content FTS5 tables forget a row only when told its old text.
        for table in ("grams", "words"):
            self.conn.execute(
                f"INSERT INTO {table}({table}, rowid, text) SELECT 'delete', rowid, text FROM docs WHERE rowid = ?",
                (rowid,),
            )
        self.conn.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))


def indexed_text(data: bytes) -> str:
    """The normalized body, read as the corpus loader reads it ('' when it
    would not load: such an article cannot be cited anyway)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return ""
    _front, body, _line, problem = split_front_matter(text)
    return "" if problem else normalize(body).text


def _unchanged(row: _Row | None, source: SourceFile) -> bool:
    if row is None or row.path != source.shown:
        return False
    try:
        st = source.path.stat()
    except OSError:
        return False
    return st.st_size == row.size and st.st_mtime_ns == row.mtime_ns and st.st_mtime_ns < row.checked_ns - _RACY_NS


def _connect(path: Path | None) -> sqlite3.Connection:
    """Open the index, rebuilding it when it is unreadable, not of our
    schema (it may have been planted: see sqlitefile) or out of date."""
    if path is None:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.executescript(_TABLES)
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
        return conn
    conn = open_checked(path, _TABLES)
    if conn is not None:
        try:
            current = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise  # in use by another run: never delete it from under that
            current = None
        if current is not None and current[0] == fingerprint():
            return conn
        if current is None and not conn.execute("SELECT 1 FROM docs LIMIT 1").fetchone():
            conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
            return conn  # new: made just now
        conn.close()
    discard(path)
    conn = open_checked(path, _TABLES)
    if conn is None:
        raise sqlite3.DatabaseError(f"cannot make {path}")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint(),))
    return conn


def _trigrams(part: str) -> Iterable[str]:
    grams = list(dict.fromkeys(part[i : i + 3] for i in range(len(part) - 2)))
    if len(grams) <= _MAX_TRIGRAMS:
        return grams
    step = len(grams) / _MAX_TRIGRAMS
    return [grams[int(i * step)] for i in range(_MAX_TRIGRAMS)]


def _fts_string(text: str) -> str:
    """An FTS5 string literal: the text taken as it is, operators and all."""
    return '"' + text.replace('"', '""') + '"'
