"""A cold `check` on two cores: a forked process reads and matches half
of the desk, and puts what it made in the cache, where the load and the
matching that follow find it (factcheck/fork.py).

Loading a desk the cache does not know (a fresh clone in CI) is parsing
every article and entry, then finding every quote in its article; both
are most of a cold `check` and of a build from nothing, and each file and
each article stands alone. So before the usual load, the desk forks: the
child reads its share of the files (by a hash of the file's place, the same
in every run) while this process reads the others, and the child's parses
come back as cache rows. The usual load then runs unchanged and finds
every file in the cache; what it reports, and in which order, is what one
process would report, because it is that same code that reports it.
Matching is split the same way, by article (each article's text is
normalized in one process only), after the load.

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
from ..model import Article, Config
from .corpus import ARTICLES
from .corpus import _parsed as parsed_article
from .entries import ENTRIES, Entries, load_entry_file
from .resolve import FOUND, match
from .sources import Walks, discover, load_source

_ROWS = 500  # cache rows a message
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(list[tuple[str, str, bytes]]).decode
# Below these, a fork costs more than it saves.
MIN_FILES = 200
MIN_QUOTES = 400


def _share(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) & 1


def load(config: Config, cache: Cache, walks: Walks, meanwhile: Callable[[], None] = lambda: None) -> None:
    """Read the desk's articles and entries into the cache, half of them
    in a forked process. `meanwhile`: work of this process's own, done once,
    before its half (the child, which has no such work, is the later to be
    done: it sends what it read when it is): the build's or the check's
    compiling of the templates, 0.1 s."""
    # Told from the walk, before its files are sorted out: a build after an
    # edit knows most of them, and need not sort them out twice.
    files = [len(walks.walk(f).files) if f.is_dir() else 0 for f in (config.checks_dir, config.articles_dir)]
    if 2 * cache.count(ENTRIES.name) > files[0] or sum(files) < MIN_FILES:
        meanwhile()
        return  # mostly known, or too few to be worth a fork
    articles, _ = discover(config.articles_dir, config.root, (".txt",), "article", walks)
    entries, _ = discover(config.checks_dir, config.root, (".yaml", ".yml"), "check", walks)

    def read(share: int) -> None:
        for source in articles:
            if _share(source.shown) == share:
                load_source(source, cache, ARTICLES, partial(parsed_article, source))
        for source in entries:
            if _share(source.shown) == share:
                load_entry_file(source, cache)

    _in_two(cache, (ARTICLES.name, ENTRIES.name, "stat"), read, "the process reading half of the desk", meanwhile)


def resolve(entries: Entries, articles: Mapping[str, Article], cache: Cache) -> None:
    """Find the entries' quotes, those of half the articles in a forked
    process, and remember the matches in the cache."""
    citations = [c for cs in (*entries.citations.values(), *entries.unlisted) for c in cs if c.article in articles]
    if 2 * cache.count(FOUND.name) > len(citations) or len(citations) < MIN_QUOTES:
        return

    def find(share: int) -> None:
        for citation in citations:
            if _share(citation.article) == share:
                match(citation, articles[citation.article], cache)

    _in_two(cache, (FOUND.name,), find, "the process matching half of the quotes")


def _in_two(
    cache: Cache,
    spaces: tuple[str, ...],
    work: Callable[[int], None],
    what: str,
    meanwhile: Callable[[], None] = lambda: None,
) -> None:
    if not fork.available():
        meanwhile()
        return
    cache.preload(spaces)

    def child(emit: Callable[[str, bytes], None]) -> object:
        cache.detach()
        work(1)
        rows, used = cache.changes(spaces)
        # In parts, so that the parent never holds the whole as one message
        # as well as the rows it is made of (tens of megabytes at 10,000).
        for start in range(0, len(rows), _ROWS):
            emit("rows", _encode(rows[start : start + _ROWS]))
        return used

    rows: list[tuple[str, str, bytes]] = []
    worker = fork.Worker.start(child, what)
    try:
        meanwhile()
        work(0)
        used = worker.drain(lambda _, data: rows.extend(_decode(data)), wait=True)
    except fork.WorkerError:
        return  # the usual load does the child's share too
    except BaseException:
        worker.stop()
        raise
    cache.merge(rows, used)  # type: ignore[arg-type]
