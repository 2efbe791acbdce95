"""Every local link of the built site must lead to a file of the site.

Pages are scanned as they are rendered (`href`, `src`, `srcset` and the like
in HTML, `url()` in CSS and in style attributes); once everything is
rendered, a link to a file the site does not have is a `broken-link` error
and the build writes nothing. This is what catches a template that asks for
a file the theme no longer has (a copied template that asks for
`pagefind/pagefind-ui.js` when the search bundle lives in `pagefind/0/`).

A problem points at the entry whose Markdown holds the link, or else at the
template line that holds it, or else at the page.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic, Location
from ..model import Config, Desk
from ..verify.hints import did_you_mean
from .builtin import BUILTIN, BUILTIN_SHOWN, builtin_files
from .loader import desk_files

# The theme writes every attribute in double quotes (Jinja2's autoescape
# makes a quote in a value &#34;), so a scan of the text finds them all.
_ATTRIBUTE = re.compile(r'\s(href|src|srcset|poster|action|data-bundles)="([^"]*)"')
_NAMES = ("href", "src", "srcset", "poster", "action", "data-bundles")


def attributes(text: str) -> list[tuple[str, str]]:
    """What `_ATTRIBUTE.findall(text)` gives, found with str.find: the
    regular expression tries a match at every white space character of the
    page (90 us for a page of 10 KB, of a whole scan's 140 us, and every
    page of a build is scanned). Each place where it would match is found,
    then kept as it would keep them: the first, then the next that starts
    after it ends (text that is not HTML could make two overlap)."""
    found: list[tuple[int, int, str, str]] = []
    for name in _NAMES:
        needle = name + '="'
        at = text.find(needle)
        while at > -1:
            start = at + len(needle)
            end = text.find('"', start)
            if end == -1:
                break  # no closing quote, so none for a later match of this name either
            if at > 0 and text[at - 1].isspace():
                found.append((at - 1, end + 1, name, text[start:end]))
            at = text.find(needle, at + 1)
    found.sort()
    kept: list[tuple[str, str]] = []
    reached = 0
    for begin, end, name, value in found:
        if begin >= reached:
            kept.append((name, value))
            reached = end
    return kept


_UNSEEN: Any = object()  # a link not seen yet (None is a link out of the site)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    page: str  # the site path of the page (or style sheet) that holds it
    ref: str  # as written there
    target: str  # the site path it leads to


class LinkScanner:
    """Collects the local links of every page as it is rendered, then says
    which lead nowhere."""

    def __init__(self, base_path: str):
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        # each target -> the first page (by path: pages may come in any order) that links
        # to it, and the link as written there (tuples: 50,000 targets at 10,000 checks)
        self._first: dict[str, tuple[str, str]] = {}
        # For each depth of a page's folder, link without its #fragment -> target, for
        # links that climb to the site's root first (as the theme writes them): where
        # they lead does not depend on the page. And each such link as written (a page
        # holds the same few dozen as every other page at its depth).
        self._from_root: dict[int, dict[str, str | None]] = {}
        self._as_written: dict[int, dict[str, str | None]] = {}

    def scan(self, path: str, data: bytes) -> None:
        if path.endswith(".html"):
            text = data.decode("utf-8", "replace")
            refs = [ref for name, value in attributes(text) for ref in _refs(name, value)]
            refs += [m.group(2) for m in _CSS_URL.finditer(text)]
        elif path.endswith(".css"):
            refs = [m.group(2) for m in _CSS_URL.finditer(data.decode("utf-8", "replace"))]
        else:
            return
        first = self._first
        folder = posixpath.dirname(path)
        depth = folder.count("/") + 1 if folder else 0
        up = "../" * depth
        from_root = self._from_root.setdefault(depth, {})
        as_written = self._as_written.setdefault(depth, {})
        for ref in refs:
            if ref.startswith(up):
                target = as_written.get(ref, _UNSEEN)
                if target is _UNSEEN:
                    key = ref.partition("#")[0]  # the fragment does not change where it leads
                    target = from_root.get(key, _UNSEEN)
                    if target is _UNSEEN:
                        target = from_root[key] = self.resolve(path, ref)
                    as_written[ref] = target
            else:
                target = self.resolve(path, ref)
            if target is not None:
                known = first.get(target)
                if known is None or path < known[0]:
                    first[target] = (path, ref)

    def resolve(self, page: str, ref: str) -> str | None:
        """The site path a link leads to; None for a link out of the site
        (another scheme or host) or within its own page."""
        ref = ref.strip()
        if not ref or ref.startswith(("#", "//")) or _SCHEME.match(ref):
            return None
        path = unquote(_path_of(ref))
        if not path:
            return None  # "?q=x": the page itself
        if path.startswith("/"):
            if not path.startswith(self.base_path):
                return "/" + path.lstrip("/")  # a path of the host, outside the site: never one of its files
            joined = path[len(self.base_path) :]
        else:
            joined = posixpath.join(posixpath.dirname(page), path)
        if path.endswith("/") or joined == "":
            joined = joined.rstrip("/") + "/index.html" if joined.rstrip("/") else "index.html"
        normal = posixpath.normpath(joined)
        return "/" + normal if normal.startswith("..") else normal

    def found(self) -> list[tuple[str, str, str]]:
        """What the scan kept (each target, with the first page that links
        to it and the link as written there), for another scanner to `merge`."""
        return [(target, page, ref) for target, (page, ref) in self._first.items()]

    def merge(self, found: Iterable[Sequence[str]]) -> None:
        """Take in what another scanner found on pages this one did not
        scan (the process rendering the other share of the pages): the
        same as if this one had scanned them too, as the first page by
        path is kept whatever the order the pages came in."""
        first = self._first
        for target, page, ref in found:
            if target not in first or page < first[target][0]:
                first[target] = (page, ref)

    def broken(self, files: Collection[str]) -> list[Link]:
        """The links whose target the site does not have (a folder's link
        is fine when the folder has an index.html)."""
        found = []
        for target, (page, ref) in sorted(self._first.items()):
            if target in files or f"{target}/index.html" in files:
                continue
            found.append(Link(page, ref, target))
        return found


def _path_of(ref: str) -> str:
    """`urlsplit(ref).path` of a link with no scheme that does not begin
    with "//": what comes before its query and fragment. urlsplit took half
    of a link's resolving (every page's links are, 50,000 at 10,000
    checks); it also takes tabs and line ends out, and controls and spaces
    at the start, so it reads any link holding one."""
    if "\t" in ref or "\n" in ref or "\r" in ref or ref[:1] <= " ":
        return urlsplit(ref).path  # (which also strips what begins with a control or a space)
    return ref.partition("#")[0].partition("?")[0]


def _refs(name: str, value: str) -> Iterable[str]:
    value = value.replace("&amp;", "&")
    if name == "srcset":
        return [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
    if name == "data-bundles":  # the search bundles the page asks for, one folder each
        return [b + "pagefind-entry.json" for b in value.split()]
    return [value]


def diagnose(
    links: Iterable[Link],
    files: Collection[str],
    where: Callable[[Link], Location | None],
) -> list[Diagnostic]:
    """One `broken-link` error per link; `where` finds the entry or template
    line that wrote it."""
    by_name: dict[str, list[str]] = {}
    for path in files:
        by_name.setdefault(posixpath.basename(path), []).append(path)
    pages = sorted(p.removesuffix("index.html") for p in files if p.endswith("index.html"))
    problems = []
    for link in links:
        name = posixpath.basename(link.target.rstrip("/")) or "index.html"
        if name == "index.html":  # a link to a page: the page meant, by its folder
            folder = link.target.removesuffix("index.html")
            parent = posixpath.dirname(folder.rstrip("/"))
            siblings = {
                posixpath.basename(p.rstrip("/")): p for p in pages if posixpath.dirname(p.rstrip("/")) == parent
            }
            name_meant = did_you_mean(posixpath.basename(folder.rstrip("/")), siblings) if siblings else None
            close = siblings[name_meant] if name_meant else None
            hint = f"did you mean {close}?" if close else "link to a page the site has, or remove the link"
        else:
            alike = sorted(by_name.get(name, ()))
            if alike:
                more = f" (and {len(alike) - 1} more of that name)" if len(alike) > 1 else ""
                hint = f"the site has {alike[0]}{more}"
            elif link.target.startswith("pagefind/"):
                hint = (
                    "the search index is in parts (pagefind/<year>-<n>/) with no ready-made interface;"
                    " the theme's static/search.js loads them: include that script instead"
                )
            else:
                hint = "link to a file the site has, or remove the link"
        message = f"{link.page} links to '{link.ref}', which is not a file of the site"
        problems.append(Diagnostic.at(where(link), "broken-link", message, hint=hint))
    return problems


def line_holding(path: Path, text: str, shown: str) -> Location | None:
    """Where `text` first stands in a file (an entry or a template)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, start=1):
        column = line.find(text)
        if column != -1:
            return Location(shown, number, column + 1)
    return None


def locate(link: Link, desk: Desk) -> Location | None:
    """The entry or template line that wrote a link, as far as it can be
    told: the Markdown of the check whose page holds it, else the first of
    the desk's templates (then the theme's) that holds its text."""
    config = desk.config
    page = link.page
    if page.startswith("checks/") and page.count("/") == 2:
        check = desk.checks.get(page.split("/")[1])
        if check is not None:
            found = line_holding(config.root / check.path, link.ref, check.path)
            if found:
                return found
    tail = re.sub(r"^(?:\.\.?/)+", "", link.ref)
    for text in dict.fromkeys([tail, posixpath.basename(tail.rstrip("/"))]):
        if not text:
            continue
        for name in desk_files(config.templates_dir, config.root):
            found = line_holding(config.templates_dir / name, text, _shown(config, config.templates_dir / name))
            if found:
                return found
        for name in builtin_files():
            found = line_holding(BUILTIN / name, text, BUILTIN_SHOWN + name)
            if found:
                return found
    return Location(f"site/{page}")


def _shown(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


# --- what `check` can tell without rendering ------------------------------------

# A link a template writes with a fixed path: href="{{ root }}static/x.css", src="{{ url('feed.xml') }}".
_LITERAL = re.compile(
    r"""(?:href|src)="(?:\{\{-?\s*root\s*-?\}\}([^"{]*)|\{\{-?\s*url\(\s*['"]([^'"{]*)['"]\s*\)\s*-?\}\})\""""
)


def _fixed_files(desk: Desk, buckets: Collection[str]) -> set[str]:
    """The files a build of this desk makes, as far as they are known before
    rendering and without cutting the lists into pages (`_listed_files`; a
    search bundle's own files are Pagefind's, taken on trust)."""
    from .loader import static_files
    from .views import article_url, check_url, verdict_url

    config = desk.config
    pages = {"index.html", "verdicts/index.html", "tags/index.html", "claimants/index.html", "corrections/index.html"}
    pages |= {check_url(c) + "index.html" for c in desk.checks}
    pages |= {article_url(a) + "index.html" for a in desk.articles}
    pages |= {verdict_url(v.key) + "index.html" for v in config.verdicts}
    pages |= {p.id + "/index.html" for p in desk.pages}
    files = {"404.html", "feed.xml", "sitemap.xml", "claims.json", "annotations.jsonld"}
    files |= {path for path, _file, _desk in static_files(config.templates_dir, config.root)}
    if config.identity.favicon is not None:
        files.add("static/favicon" + config.identity.favicon.suffix.lower())
    return pages | files | set(buckets)


def _listed_files(desk: Desk) -> set[str]:
    """The rest of the files a build makes: the pages of the tags and
    claimants, and of every list."""
    from .views import Site, claimant_path, tag_path

    site = Site(desk)
    config = desk.config
    pages = {tag_path(name) + "index.html" for name, _ in site.tags.values()}
    pages |= {claimant_path(name) + "index.html" for name, _ in site.claimants.values()}
    listings = [site.home, site.corrections_listing, *(site.verdict_listing(v.key) for v in config.verdicts)]
    listings += [site.tag_listing(slug) for slug in site.tags] + [site.claimant_listing(s) for s in site.claimants]
    pages |= {page.folder + "index.html" for listing in listings for page in listing.pages}
    for index in (site.tag_index, site.claimant_index):
        pages |= {folder + "index.html" for group in index.initials for folder, _ in index.pages(group)}
    return pages


def static_problems(desk: Desk, buckets: Collection[str], sources: Iterable[tuple[str, str, str]]) -> list[Diagnostic]:
    """`check`'s broken links: those in entries' and pages' Markdown, and the
    fixed paths templates link to. (`build` checks every link of every page
    it renders; a link a template makes from a variable is only seen there.)
    `sources`: (name, text, shown) of every template."""
    from .markdown import render_markdown
    from .views import check_url

    files = _fixed_files(desk, buckets)
    listed: list[set[str]] = []  # the lists' pages, cut only once a link is not found among the rest (0.05 s)

    def among(target: str, made: set[str]) -> bool:
        return target in made or f"{target}/index.html" in made

    def known(target: str) -> bool:
        if among(target, files) or any(target.startswith(folder) for folder in buckets):
            return True
        if not listed:
            listed.append(_listed_files(desk))
        return among(target, listed[0])

    scanner = LinkScanner(urlsplit(desk.config.base_url).path)
    problems: list[Diagnostic] = []

    def report(link: Link, location: Location | None) -> None:
        problems.extend(diagnose([link], files, lambda _link: location))

    for check in desk.checks.values():
        page = check_url(check.id) + "index.html"
        texts = [check.summary, *(c.note for c in check.citations if c.note), *(c.note for c in check.corrections)]
        for text in texts:
            if not _may_link(text):
                continue
            html = str(render_markdown(text))
            for link in _links_of(scanner, page, html):
                if not known(link.target):
                    report(link, line_holding(desk.config.root / check.path, link.ref, check.path))
    for desk_page in desk.pages.values():
        page = desk_page.id + "/index.html"
        links = _links_of(scanner, page, str(render_markdown(desk_page.body))) if _may_link(desk_page.body) else []
        for link in links:
            if not known(link.target):
                report(link, line_holding(desk.config.root / desk_page.path, link.ref, desk_page.path))
    for name, text, shown in sources:
        for number, line in enumerate(text.splitlines(), start=1):
            for m in _LITERAL.finditer(line):
                path = m.group(1) if m.group(1) is not None else m.group(2)
                if not path or _SCHEME.match(path):
                    continue
                target = scanner.resolve("index.html", path)
                if target is not None and not known(target):
                    report(Link(f"a page made with {name}", path, target), Location(shown, number, m.start() + 1))
    return problems


# Where a link's target is written: after `](` (inline links and images)
# or `]:` (a reference's definition), maybe in <angle brackets>.
_TARGET = re.compile(r"\]\(\s*<?|\]:\s*<?")
_SCHEME_AT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")


def _may_link(text: str) -> bool:
    """Whether Markdown may hold a link to a file of the site: a target
    that does not begin with a scheme (`https:`) after `](` or `]:`. An
    autolink (`<https://…>`) always has one. Most texts hold none, or only
    links out of the site, and rendering every summary of a large desk only
    to find that out would cost a fifth of a `check`."""
    if "]" not in text:  # (most notes)
        return False
    return any(not _SCHEME_AT.match(text, m.end()) for m in _TARGET.finditer(text))


def _links_of(scanner: LinkScanner, page: str, html: str) -> list[Link]:
    found = []
    for name, value in attributes(html):
        for ref in _refs(name, value):
            target = scanner.resolve(page, ref)
            if target is not None:
                found.append(Link(page, ref, target))
    return found
