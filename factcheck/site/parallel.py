"""Rendering on two cores: a forked process renders a share of the pages.

A build from nothing renders every page, and rendering is most of its time.
After the desk is loaded, checked and worked into a `Site`, the build forks
once (before any thread is started: the search indexer's come after).
Both processes walk the same pages in the same order and work out every
page's key; each renders only the pages of its share (`share`, by a hash of
the path, so the split is the same on every run and in every checkout) and
the parent renders the site-wide files (feeds, sitemap, exports, static
files). The child sends each page it renders through a pipe; the parent
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

import zlib

# The child's share of the pages, in hundredths. The parent also writes
# every file and makes the search documents, so the child takes more than
# half: at 10,000 checks, with 60 the child finished rendering 4.6 s before
# the parent, with 68 1.6 s (and the build 1.2 s sooner), with 71 the child
# was the later by 1.3 s. Once the child scanned its own pages' links (the
# parent had scanned every page), 68 left the child 6.9 s behind, and 64
# 1.8 s ahead. Once the pipe held 1 MB (fork.py) and the exports read each
# text once, 64 left the parent 3.7 s behind, 70 the child 1.7 s, and 67
# ended them within 1 s of each other (twice).
CHILD_SHARE = 67
# The cache's tables that rendering reads and adds to.
SPACES = ("markdown", "fragment")


def share(path: str) -> int:
    """Which process renders the page at `path`: 1, the child, or 0. The
    site-wide files are the parent's."""
    if not path.endswith("index.html"):
        return 0
    return 1 if zlib.crc32(path.encode("utf-8")) % 100 < CHILD_SHARE else 0
