"""The desk's own pages, written in Markdown: `content/pages/about.md` is
the page `/about/`, listed in the site's navigation.

A page may open with front matter (`title`, and `order` for its place in
the navigation); without a `title` it is the first `# heading`, else the
file's name. Names the site uses for its own pages are refused.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..diagnostics import Diagnostic, Location
from ..model import Page
from .corpus import split_front_matter
from .fields import FieldSpec, read_record
from .sources import Walks, decode, discover, read_source_bytes
from .yamlsource import parse

PAGE_FIELDS = (
    FieldSpec("title", "string", False, "the page's title; defaults to its first # heading"),
    FieldSpec("order", "number", False, "its place in the navigation (smaller first); pages without one follow"),
)
# The site's own folders and files: a page cannot take their names.
RESERVED = frozenset(
    "checks articles archive verdicts tags claimants corrections pagefind static "
    "feed sitemap sitemaps claims annotations 404 index".split()
)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def load_pages(folder: Path | None, root: Path, walks: Walks | None = None) -> tuple[dict[str, Page], list[Diagnostic]]:
    if folder is None or not folder.is_dir():
        return {}, []  # pages are optional
    sources, diagnostics = discover(folder, root, (".md",), "page", walks)
    pages: dict[str, Page] = {}
    for source in sources:
        data, problems = read_source_bytes(source.path, source.shown, None)
        diagnostics.extend(problems)
        text = None
        if data is not None:
            text, problems = decode(data, source.shown)
            diagnostics.extend(problems)
        if text is None or not source.registered:
            continue
        if source.id in RESERVED:
            diagnostics.append(
                Diagnostic.at(
                    Location(source.shown, 1, 1),
                    "invalid-id",
                    f"a page cannot be named '{source.id}': the site uses that name itself",
                    hint="rename the file, such as about.md or contact.md",
                )
            )
            continue
        page = _page(source.id, source.shown, text, diagnostics, hashlib.sha256(data or b"").hexdigest())
        if page is not None:
            pages[page.id] = page
    return pages, diagnostics


def _page(page_id: str, shown: str, text: str, diagnostics: list[Diagnostic], digest: str) -> Page | None:
    front, body, _line, problem = split_front_matter(text)
    if problem:
        diagnostics.append(Diagnostic.at(Location(shown, 1, 1), "yaml-syntax", problem))
        return None
    meta: dict = {}
    if front is not None and front.strip():
        node, problems = parse(front, shown, line_offset=1)
        diagnostics.extend(problems)
        if node is not None:
            record = read_record(node, PAGE_FIELDS, diagnostics, what="page front matter")
            if record is not None:
                meta = record.values
    title = meta.get("title")
    if not title:
        heading = _HEADING.search(body)
        title = heading.group(1) if heading else page_id.replace("-", " ").capitalize()
    order = meta.get("order")
    return Page(page_id, shown, title, body, int(order) if order is not None else None, digest)
