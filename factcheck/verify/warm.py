"""A cold `check` on two cores: a forked process reads and matches a share
of the desk, and puts what it made in the cache, where the load and the
matching that follow find it (factcheck/fork.py).

Loading a desk the cache does not know (a fresh clone in CI) is parsing
every article and entry, then finding every quote in its article; both
are most of a cold `check` and of a build from nothing, and each file and
each article stands alone. So before the usual load, the desk forks: the
child reads its share of the files (by a hash of the file's place, the same
in every run) while this process reads the others, and the child's parses
come back as cache rows as it goes. The usual load then runs unchanged and finds
every file in the cache; what it reports, and in which order, is what one
process would report, because it is that same code that reports it.

Matching is split by article, after the load: the child stays, and finds
the quotes of the articles it read, whose bodies it still holds (forking
another process to match would read half of the bodies again, and copy
pages of the parent's memory as both processes touch them). The parent
makes its articles' normalized texts (most of what matching costs) as it
reads them, the child its own while the parent puts the desk together. A
desk read in one process is still matched in two, by a process forked to
match.

This is a shortcut and nothing else: if the child fails, the work is
simply done again here. It is taken only when most of what it would make
is not in the cache yet.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from functools import partial

import msgspec

from .. import fork
from ..cache import Cache
from ..model import Article, Citation, Config
from .corpus import ARTICLES
from .corpus import _parsed as parsed_article
from .entries import ENTRIES, Entries, load_entry_file
from .resolve import FOUND, match, match_quote
from .sources import SourceFile, Walks, discover, load_source

_ROWS = 500  # cache rows a message
_FILES = 100  # files read between two looks at the other process's
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(list[tuple[str, str, bytes]]).decode
_decode_used = msgspec.msgpack.Decoder(dict[str, list[str]]).decode
# Below these, a fork costs more than it saves.
MIN_FILES = 200
MIN_QUOTES = 400
# Percent of the articles the child reads (and matches the quotes of), and
# of the entries it reads. The parent also makes its articles' normalized
# texts while it reads, and decodes what the child sends: at 10,000 checks
# the two are done reading together with 60 percent of the entries there.
CHILD_ARTICLES = 50
CHILD_ENTRIES = 60


def _share(name: str, percent: int = 50) -> int:
    """1 for the child's share, by a hash of the name (the same in every run)."""
    return int(zlib.crc32(name.encode("utf-8")) % 100 < percent)


def load(config: Config, cache: Cache, walks: Walks, meanwhile: Callable[[], None] = lambda: None) -> Reader | None:
    """Read the desk's articles and entries into the cache, half of them
    in a forked process. `meanwhile`: work of this process's own, done once,
    before its share (a build's compiling of the templates, 0.1 s).

    The child sends what it reads as it goes, and this process takes it
    (and decodes it, as the load that follows would) between two files of
    its own. Once it has read its share, the child stays to match the
    quotes of the articles it read (`resolve`): returned as a `Reader`,
    which the caller must `stop` if it does not get as far as `resolve`."""
    # Told from the walk, before its files are sorted out: a build after an
    # edit knows most of them, and need not sort them out twice.
    files = [len(walks.walk(f).files) if f.is_dir() else 0 for f in (config.checks_dir, config.articles_dir)]
    if 2 * cache.count(ENTRIES.name) > files[0] or sum(files) < MIN_FILES or not fork.available():
        meanwhile()
        return None  # mostly known, too few to be worth a fork, or no second core
    articles, _ = discover(config.articles_dir, config.root, (".txt",), "article", walks)
    entries, _ = discover(config.checks_dir, config.root, (".yaml", ".yml"), "check", walks)
    # Each process's articles and entries.
    shares: tuple[tuple[list[SourceFile], list[SourceFile]], ...] = (([], []), ([], []))
    for source in articles:
        shares[_share(source.shown, CHILD_ARTICLES)][0].append(source)
    for source in entries:
        shares[_share(source.shown, CHILD_ENTRIES)][1].append(source)
    read_here: dict[str, Article] = {}  # by id, the child's: their bodies are in its memory

    def read(share: int, between: Callable[[], None]) -> None:
        its_articles, its_entries = shares[share]
        for n, source in enumerate(its_articles):
            if n % _FILES == 0:
                between()
            article, _ = load_source(source, cache, ARTICLES, partial(parsed_article, source))
            if article is None or not source.registered:
                continue
            if share:
                article.text.locate(str(source.path))  # (one from the cache is read again to match)
                read_here[article.id] = article
            elif article.text.held:
                # Made now, while the child reads (which also sends what it read):
                # this process will put the desk together while the child makes its own.
                article.normalized  # noqa: B018 - made and kept (a cached property)
        for n, source in enumerate(its_entries):
            if n % _FILES == 0:
                between()
            load_entry_file(source, cache)

    spaces = (ARTICLES.name, ENTRIES.name, "stat")
    cache.preload((*spaces, FOUND.name))

    def child(emit: Callable[[str, bytes], None], inbox: fork.Inbox) -> object:
        cache.detach()
        # What it reads is sent as it goes (the parent takes it between two
        # files of its own), so that neither waits for the other at the end.
        read(1, lambda: _send_rows(emit, cache.take_changes(spaces)))
        _send_rows(emit, cache.take_changes(spaces))
        emit("read", _encode(cache.used_keys(spaces)))
        asked = _normalize_until_asked(read_here, inbox)
        for article_id, quote, prefix, suffix in asked:
            article = read_here.get(article_id)
            if article is not None:
                match_quote(article, quote, prefix, suffix, cache)
        rows, used = cache.changes((FOUND.name,))
        _send_rows(emit, rows)
        return used

    used: list[dict[str, list[str]]] = []  # once the child has read its share
    decoded = {ARTICLES.name: ARTICLES, ENTRIES.name: ENTRIES}

    def take(kind: str, data: bytes) -> None:
        if kind == "read":
            used.append(_decode_used(data))
            return
        rows = _decode(data)
        cache.merge(rows, {})
        for name, key, _ in rows:  # decoded now, as the loads that follow would
            space = decoded.get(name)
            if space is not None:
                cache.get(space, key)

    worker = fork.Worker.start(child, "the process reading and matching half of the desk", listens=True)
    try:
        meanwhile()
        read(0, lambda: worker.drain(take))
        worker.drain_until(take, lambda: bool(used))
        if not used:  # done without saying it had read: not this code's child
            worker.stop()
            return None
    except fork.WorkerError:
        return None  # the usual load does the rest of the child's share
    except BaseException:
        worker.stop()
        raise
    cache.merge((), used[0])
    return Reader(worker, {source.id for source in shares[1][0] if source.registered})


class Reader:
    """The forked process that read its share of the desk's files (`load`),
    still holding their bodies: it matches the quotes of the articles it
    read (no file is read again), and makes their normalized texts while
    this process puts the desk together."""

    def __init__(self, worker: fork.Worker, articles: set[str]):
        self._worker = worker
        self._articles = articles  # the ids of those it read

    def match(self, citations: list[Citation], articles: Mapping[str, Article], cache: Cache) -> None:
        """Find the quotes, those of the articles the child read there,
        the others here (whose bodies this process read)."""
        theirs, ours = [], []
        for citation in citations:
            (theirs if citation.article in self._articles else ours).append(citation)

        def ask_and_match_ours() -> None:
            self._worker.send([(c.article, c.quote, c.prefix, c.suffix) for c in theirs])
            for citation in ours:
                match(citation, articles[citation.article], cache)

        _merge_when_done(self._worker, cache, ask_and_match_ours)  # (what it misses, resolving finds)

    def dismiss(self) -> None:
        """Nothing to match: the child ends."""
        try:
            self._worker.send([])
            self._worker.drain(lambda *_: None, wait=True)
        except fork.WorkerError:
            pass
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill the child, unless it is done already."""
        self._worker.stop()


def _send_rows(emit: Callable[[str, bytes], None], rows: list[tuple[str, str, bytes]]) -> None:
    """(In the child) rows for the parent to merge."""
    # In parts, so that the parent never holds the whole as one message
    # as well as the rows it is made of (tens of megabytes at 10,000).
    for start in range(0, len(rows), _ROWS):
        emit("rows", _encode(rows[start : start + _ROWS]))


def _merge_when_done(worker: fork.Worker, cache: Cache, meanwhile: Callable[[], None]) -> None:
    """Do `meanwhile`, then wait for the child, and keep the rows it sent
    and the keys it used (what it returned). A child that fails leaves its
    share to the usual load or resolve, which do it here."""
    rows: list[tuple[str, str, bytes]] = []
    try:
        meanwhile()
        used = worker.drain(lambda _, data: rows.extend(_decode(data)), wait=True)
    except fork.WorkerError:
        return
    except BaseException:
        worker.stop()
        raise
    cache.merge(rows, used)  # type: ignore[arg-type]


def _normalize_until_asked(articles: Mapping[str, Article], inbox: fork.Inbox) -> list[tuple[str, str, str, str]]:
    """What the parent asks to be matched; meanwhile, while the parent puts
    the desk together (0.15 s at 10,000 checks), the articles' normalized
    texts, which matching needs and which are most of its cost."""
    for article in articles.values():
        if inbox.waiting():
            break
        article.normalized  # noqa: B018 - made and kept (a cached property)
    return inbox.take()


def resolve(entries: Entries, articles: Mapping[str, Article], cache: Cache, reader: Reader | None = None) -> None:
    """Find the entries' quotes, those of half the articles in a forked
    process (`reader`'s, or one forked now), and remember the matches in
    the cache."""
    citations = [c for cs in (*entries.citations.values(), *entries.unlisted) for c in cs if c.article in articles]
    try:
        if 2 * cache.count(FOUND.name) > len(citations) or len(citations) < MIN_QUOTES:
            if reader is not None:
                reader.dismiss()
        elif reader is not None:
            reader.match(citations, articles, cache)
        else:
            _in_two(cache, (FOUND.name,), partial(_find, citations, articles, cache), _MATCHING)
    finally:
        # The normalized texts, several times the size of their bodies, are
        # made to match: let go now, before a process to write the cache is
        # forked (Cache.write_ahead). After it, freeing them writes to pages
        # the two processes share, and each is copied: 0.1 s at 10,000.
        for article in articles.values():
            article.forget_normalized()


_MATCHING = "the process matching half of the quotes"


def _find(citations: list[Citation], articles: Mapping[str, Article], cache: Cache, share: int) -> None:
    for citation in citations:
        if _share(citation.article) == share:
            match(citation, articles[citation.article], cache)


def _in_two(cache: Cache, spaces: tuple[str, ...], work: Callable[[int], None], what: str) -> None:
    if not fork.available():
        return
    cache.preload(spaces)

    def child(emit: Callable[[str, bytes], None]) -> object:
        cache.detach()
        work(1)
        rows, used = cache.changes(spaces)
        _send_rows(emit, rows)
        return used

    _merge_when_done(fork.Worker.start(child, what), cache, partial(work, 0))
