"""Rendering on two cores: a forked process renders a share of the pages.

A build from nothing renders every page, and rendering is most of its time.
After the desk is loaded, checked and worked into a `Site`, the build forks
once (before any thread is started: the search indexer's come after).
Both processes walk the same pages in the same order and work out every
page's key; each renders only the pages of its share (`Shares`: the checks'
and articles' pages by a hash of the path, the lists as each process comes
to them, so that both end together) and the parent renders the site-wide
files (feeds, sitemap, exports, static files). The child sends each page it renders through a pipe; the parent
hands it to the writer, as its own pages, between two of its own. So
writing, link checking and the manifest stay in one process, and a page's
bytes do not depend on which process made it (the golden files are made
both ways).

A failure in the child is the build's failure: a template's error comes
back as the same diagnostic a single process gives; a child that dies
(killed, out of memory) is a `render-worker` error. Either way the build
writes nothing, as for any other error. What the child added to the cache
(Markdown, fragments) comes back with its last message, so the next build
finds it.

Only a build from nothing forks (`build` in a fresh checkout, which is what
CI runs; `build --jobs 1` never does): a rebuild renders the few pages that
changed, and the preview never forks (its watcher's threads are running).
"""

from __future__ import annotations

import os
import struct
import zlib

# The child's share of the pages, in hundredths. The parent also writes
# every file and makes the search documents, so the child takes more than
# half: at 10,000 checks, with 60 the child finished rendering 4.6 s before
# the parent, with 68 1.6 s (and the build 1.2 s sooner), with 71 the child
# was the later by 1.3 s. Once the child scanned its own pages' links (the
# parent had scanned every page), 68 left the child 6.9 s behind, and 64
# 1.8 s ahead. Once the pipe held 1 MB (fork.py) and the exports read each
# text once, 64 left the parent 3.7 s behind, 70 the child 1.7 s, and 67
# ended them within 1 s of each other (twice); in other runs of the same
# code, the child ended 1.8 s before or 2.3 s after the parent. Since the
# lists go to whichever process is first at them (`Shares`), this is the
# share of the checks' and articles' pages alone, and is set so that the
# child is done with them a little before the parent: 67 left the parent
# 5.4 s behind even so (it took 193 of 5,863 list pages), 75 and 80 ended
# them together (the child took 54% and 27% of the lists); 75 leaves some
# of the lists to the parent whichever of the two is slower that day.
CHILD_SHARE = 75
# The cache's tables that rendering reads and adds to.
SPACES = ("markdown", "fragment")


def share(path: str) -> int:
    """Which process renders the page at `path`: 1, the child, or 0. The
    site-wide files are the parent's."""
    if not path.endswith("index.html"):
        return 0
    return 1 if zlib.crc32(path.encode("utf-8")) % 100 < CHILD_SHARE else 0


# The pages that are not a check's or an article's (the lists, which come
# last) go by runs of CHUNK, each to whichever process asks for it first.
CHUNK = 4
_ID = struct.Struct("<I")
_IDS = 16_000  # runs handed out this way at most (64,000 bytes); any after go by `share`
_PAGE = 1024  # numbers written at once: 4,096 bytes, what a pipe takes whole or not at all (PIPE_BUF)
_FIXED = ("checks/", "articles/")


class Shares:
    """Which process renders each page: those of checks and articles by
    `share` (fixed, so that each process reads each article it quotes
    once, for all its citations), the rest, the lists, as each process
    comes to them. How long each process takes for its fixed share differs
    from run to run (the parent also writes every file; the machine
    varies), by seconds at 10,000 checks: the one that is done first takes
    more of the lists, and the two end together.

    Made before the fork; each process then asks `mine(path, me)` of every
    page it would render, in the same order in both. The runs' numbers wait
    in a pipe, in order, and each process reads the next number when it
    comes to a run it holds no number for: the kernel hands each number to
    one reader. A process that reads a number beyond the run it is at
    leaves the runs in between to the other (which read their numbers),
    and renders its own when it comes to it. Nothing is written to the
    pipe after the fork: when the numbers run out, every run has a process."""

    def __init__(self) -> None:
        self._numbers, write = os.pipe()
        # As many numbers as the pipe holds (64 KB on Linux, less where a
        # user's pipes are many, 16 KB elsewhere), a page of them at a time
        # (a write of a page or less to a pipe is whole or refused): nothing
        # reads it before the fork, and a full pipe would block for good.
        self._ids = 0
        try:
            os.set_blocking(write, False)
            while self._ids < _IDS:
                page = b"".join(_ID.pack(n) for n in range(self._ids, min(self._ids + _PAGE, _IDS)))
                try:
                    os.write(write, page)
                except BlockingIOError:
                    break
                self._ids += len(page) // _ID.size
        except BaseException:
            os.close(self._numbers)
            raise
        finally:
            os.close(write)
        self._seen = 0  # pages of the lists asked about so far
        self._held = -1  # the number of the run this process read last

    def mine(self, path: str, me: int) -> bool:
        """Does process `me` (1, the child, or 0) render the page at `path`?"""
        if not path.endswith("index.html") or path.startswith(_FIXED):
            return share(path) == me  # the site-wide files (the parent's), and the fixed share
        run = self._seen // CHUNK
        self._seen += 1
        if run >= self._ids:
            return share(path) == me
        while self._held < run:
            number = os.read(self._numbers, _ID.size)
            self._held = _ID.unpack(number)[0] if number else self._ids
        return self._held == run

    def close(self) -> None:
        os.close(self._numbers)
