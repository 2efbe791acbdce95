"""Rendering the desk to site files. Reads the content model, never changes it.

Every page is rendered in memory to bytes; writing is output.py's job. Links
are relative to the page (or under base_url's path on the 404 page, which
is served at any depth), so the site works from any folder.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import jinja2
import jinja2.meta
from markupsafe import Markup

from .. import __version__
from ..cache import Cache, Space, code_fingerprint, digest
from ..diagnostics import Diagnostic, Location
from ..model import ChangedFile
from ..verify.ids import tag_slug
from . import feeds
from .builtin import BUILTIN
from .escaping import Environment
from .fragments import Words, text_fragment
from .i18n import ConstantMessages, Interface, template_gettext
from .i18n import direction as direction_of
from .lists import Listing, NameIndex
from .loader import (
    BUILTIN_SHOWN,
    PREFIX,
    STATIC,
    RefusedTemplate,
    SignedBytecodeCache,
    ThemeLoader,
    read_static,
    signing_key,
    static_files,
    template_files,
    theme_problems,
)
from .markdown import render_markdown, render_markdown_at
from .marks import Excerpt, excerpt, paragraphs, with_pages
from .output import Layout
from .views import (
    STANCE_LABELS,
    Site,
    article_url,
    check_url,
    claimant_url,
    href,
    tag_url,
)

if TYPE_CHECKING:
    from ..model import Article, Check, Config, Resolved

_T = TypeVar("_T")
MARKDOWN = Space[str]("markdown", str, by_row=True)  # rendered Markdown, by the digest of its source
# List items, by what they show.
FRAGMENTS = Space[str]("fragment", str, by_row=True)
RUN = 64  # checks in a run of an export's parts, on average (_Renderer.runs)
# Citations whose excerpts check pages are made ready at once (_prepare_quotes):
# about 1 KB each, some 50 MB at most (at 10,000 checks, each process's share
# of the check pages is one window).
QUOTES_AT_ONCE = 50_000


# Control characters (an archived text may hold one) are not allowed in HTML
# or XML: pages show them as their Unicode pictures (␛), C1 ones as �.
_SHOWN_CONTROLS = (
    {i: 0x2400 + i for i in range(32) if i not in (9, 10, 12, 13)}
    | {127: 0x2421}
    | dict.fromkeys(range(0x80, 0xA0), 0xFFFD)
)


# Every byte but those of a control in UTF-8: C0 ones and DEL are bytes of
# their own, and C1 ones (U+0080-U+009F) begin with 0xC2, as do U+00A0-U+00BF.
_NOT_CONTROL = bytes(sorted(set(range(256)) - {*range(32), 127, 0xC2} | {9, 10, 12, 13}))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _encoded(text: str) -> bytes:
    """The text in UTF-8, its controls shown (`_SHOWN_CONTROLS`). Every
    page is looked at, in its bytes: a regular expression took 25 us to
    rule out a page's controls (a class, tried at every character), this 7
    us (every other byte deleted, and 0xC2 looked at where it is left)."""
    data = text.encode("utf-8")
    left = data.translate(None, _NOT_CONTROL)
    if left and (left.strip(b"\xc2") or _C1.search(data)):
        return text.translate(_SHOWN_CONTROLS).encode("utf-8")
    return data


# A list item rendered once for every depth (`_Renderer._item_function`):
# where its links' root goes, replaced on each page. Raw markup that no
# escaped text can hold.
_ROOT = "<!--factcheck:root-->"
_ROOT_OR_HERE = "<!--factcheck:root-or-here-->"


def _url_at_any_depth(target: str) -> Markup:
    return Markup(_ROOT) + target if target else Markup(_ROOT_OR_HERE)


def _isolated(text: str | None) -> Markup:
    """A name inside a sentence of the interface, isolated from its direction
    (an English claimant in an Arabic sentence, or the other way round)."""
    return Markup("<bdi>{}</bdi>").format(text or "")


_NO_ATTRIBUTES = Markup("")  # (made once: some 16 a check page)


class RenderError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def markdown_with(cache: Cache) -> Callable[[str], Markup]:
    """Markdown as pages show it, each distinct text rendered once (it
    dominates a build) and kept in the cache."""

    def markdown(text: str) -> Markup:
        return Markup(cache.memo(MARKDOWN, digest(text), lambda: str(render_markdown(text))))

    return markdown


def environment(config: Config, cache: Cache | None = None) -> jinja2.Environment:
    """The one Jinja2 environment: autoescape everywhere, strict undefined."""
    cache = cache or Cache.disabled()
    markdown = markdown_with(cache)

    # Templates are compiled once per run, and kept between runs only signed
    # with a key from outside the desk (where a pull request cannot reach).
    # The messages are folded into them (ConstantMessages): kept under the
    # language, the desk's own messages and the catalogues (in the code).
    compiled, key = cache.folder("templates"), signing_key(config.root)

    def salt() -> str:
        folding = env.extensions[ConstantMessages.identifier]
        messages = json.dumps(config.messages, sort_keys=True)
        return digest(code_fingerprint(), config.language, messages, str(folding.held_back()))  # type: ignore[attr-defined]

    env = Environment(
        loader=ThemeLoader(config.templates_dir, config.root),
        bytecode_cache=SignedBytecodeCache(compiled, key, salt) if compiled and key else None,
        extensions=["jinja2.ext.i18n", ConstantMessages],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    interface = Interface(config.language, config.messages)
    # Every message of the theme comes from the desk's language's catalogue.
    env.install_gettext_translations(interface.translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(template_gettext(interface.translations))  # the same, each message made once
    env.extensions[ConstantMessages.identifier].translate = interface.translations.gettext  # type: ignore[attr-defined]
    env.filters["markdown"] = markdown
    env.filters["markdown_at"] = render_markdown_at  # links to site paths, from any page
    env.filters["slug"] = tag_slug  # the name of a tag's or claimant's page
    env.filters["longdate"] = lambda d: interface.date(d, config.date_format)
    env.filters["number"] = interface.number
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    return env


def check_templates(config: Config, env: jinja2.Environment) -> list[Diagnostic]:
    """Compile every template (never render one), and find every template
    they extend, include or import by name, so that `check` fails where
    `build` would."""
    problems = theme_problems(config.templates_dir, config.root)
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html") and not n.startswith(STATIC + "/")):
        try:
            env.get_template(name)
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            for used in jinja2.meta.find_referenced_templates(env.parse(source)):
                if used is not None:
                    env.get_template(used, parent=name)
        except jinja2.TemplateNotFound as exc:
            problem = _template_problem(config, exc, name)
            message = f"template error: '{name}' asks for '{exc.name}', which is neither the desk's nor built in"
            problems.append(replace(problem, file=_shown_template(config, name), message=message))
        except Exception as exc:  # noqa: BLE001 - every template problem becomes a diagnostic
            problems.append(_template_problem(config, exc, name))
    return problems


@dataclass(frozen=True)
class Only:
    """What the preview's quick rebuild renders (editor/quick.py): the pages
    of these checks and articles, the lists these verdicts, topics and
    claimants (slugs) head, and the home page, indexes and scale that count
    them. The feeds, sitemap and exports wait for the next full build, as
    search does."""

    checks: frozenset[str]
    articles: frozenset[str]
    verdicts: frozenset[str]
    tags: frozenset[str]
    claimants: frozenset[str]
    corrections: bool
    # A rebuild from the last build's state (rebuild.py) makes the files of
    # the whole site too (the feeds, sitemaps and exports, which it keeps up
    # to date, and those that depend on no entry, found as they were);
    # `standing` are the pages it does not look at, for the sitemap.
    whole: bool = False
    standing: frozenset[str] = frozenset()
    # Years whose checks (or corrections) changed: archive pages of other
    # years show what they did (but the first after a changed year, whose
    # link to older checks may change), and are not looked at. None: all.
    years: frozenset[int] | None = None
    correction_years: frozenset[int] | None = None


@dataclass(frozen=True)
class Rendered:
    """`kept` are the pages whose key matches the last build's, so the bytes
    already written stand; `keys` holds every page's key, for the next build
    to compare with."""

    kept: frozenset[str]
    keys: dict[str, str]
    layouts: dict[str, Layout]  # of the exports made, by kind (claims, annotations)
    # Pages not looked at, known to show what they did (`Only.years`): their keys are the last build's.
    unseen: frozenset[str] = frozenset()


def search_documents(site: Site, markdown: Callable[[str], Markup]) -> Callable[[Check, str, bool], str]:
    """`document(check, part, text)`: the page Pagefind indexes for a check
    (search.py); `markdown` as pages render it (markdown_with)."""
    from . import search

    config = site.desk.config
    t = Interface(config.language, config.messages)

    def document(check: Check, part: str, text: bool) -> str:
        if check.claim_date:
            claimed = t.gettext(
                "Claimed by %(claimant)s, %(date)s",
                claimant=check.claimant,
                date=t.date(check.claim_date, config.date_format),
            )
        else:
            claimed = t.gettext("Claimed by %(claimant)s", claimant=check.claimant)
        shown = search.Shown(
            verdict_label=site.verdicts[check.verdict].label,
            summary_html=str(markdown(check.summary)) if text else "",
            claimed=claimed,
            day=t.date(check.published, config.date_format),
            claimant=site.claimant_name(check.claimant),
            tags=tuple(dict.fromkeys(site.tag_name(tag) for tag in check.tags)),
        )
        return search.document(check, shown, config.language, part, text)

    return document


def search_salt(site: Site) -> str:
    """What the search documents show beyond each check's own file: the
    desk's config (labels, messages, dates) and the names of topics and
    claimants as their pages write them."""
    names = [f"{slug}={name}" for slug, (name, _) in site.tags.items()]
    names += [f"{slug}={name}" for slug, (name, _) in site.claimants.items()]
    return digest(site.desk.config.digest, *names)


def render_site(
    site: Site,
    env: jinja2.Environment,
    emit: Callable[..., None],
    cache: Cache | None = None,
    previous: Callable[[str], str | None] = lambda path: None,
    search_bundles: Sequence[str] = (),
    only: Only | None = None,
    mine: Callable[[str], bool] | None = None,
    before: Mapping[str, tuple[Layout, Callable[[], bytes | None]]] | None = None,
) -> Rendered:
    """Render every page whose key differs from `previous(path)`, the key of
    the page the last build wrote (None if there is none), handing each to
    `emit(site path, bytes[, key])` as it is made (the key where it stands for
    the bytes in the manifest: SiteWriter.put); with `only`, of those pages alone;
    with `mine`, only the pages it says this process renders (parallel.py:
    the keys are still those of every page). `before`: the exports the last
    build wrote, by kind, where and how to read them."""
    cache = cache or Cache.disabled()
    renderer = _Renderer(site, env, emit, cache, previous, tuple(search_bundles), mine, before or {})
    try:
        renderer.all_files(only)
    except ChangedFile as exc:
        raise RenderError(_changed(site.desk.config.relative(Path(str(exc))))) from exc
    return Rendered(frozenset(renderer.kept), renderer.keys, renderer.layouts, frozenset(renderer.unseen))


class _Renderer:
    """A page's key is a digest of everything it shows: the code, config and
    templates (`self.base`), and the digests of the checks and articles it is
    given. Templates reach content only through what their page is given."""

    def __init__(
        self,
        site: Site,
        env: jinja2.Environment,
        emit: Callable[..., None],
        cache: Cache,
        previous: Callable[[str], str | None],
        search_bundles: tuple[str, ...],
        mine: Callable[[str], bool] | None = None,
        before: Mapping[str, tuple[Layout, Callable[[], bytes | None]]] | None = None,
    ):
        self.site = site
        self.before = before or {}
        self._run_cache: list[tuple[list[Check], str]] | None = None
        self.unseen: set[str] = set()
        self.layouts: dict[str, Layout] = {}
        self._runs: dict[str, list[tuple[str, int]]] = {}
        self.mine = mine
        self.env = env
        self.emit = emit
        self.cache = cache
        self.previous = previous
        self.search_bundles = search_bundles
        self.config = site.desk.config
        self.t = Interface(self.config.language, self.config.messages)
        self.kept: set[str] = set()
        self.keys: dict[str, str] = {}
        self.only: Only | None = None
        self._words: OrderedDict[str, Words] = OrderedDict()
        self._bodies: OrderedDict[str, str] = OrderedDict()
        self._quoted: dict[tuple[str, int], feeds.Quoted] = {}
        self._quotes: dict[tuple[str, int], tuple[Excerpt, str]] = {}  # for check pages (_prepare_quotes)
        self._item_template = env.from_string(
            '{% from "_macros.html" import check_item with context %}{{ check_item(check) }}'
        )
        macros = env.loader.get_source(env, "_macros.html")[1] if env.loader is not None else None
        self._item_builtin = macros == str(BUILTIN / "_macros.html")
        self._item_macro: Callable[[Check], str] | None = None  # the built-in one, made once (_item_function)
        # config.yaml's bytes, not the Config (whose absolute paths differ
        # between checkouts of one desk, which must build the same site).
        self.base = digest(code_fingerprint(), self.config.digest, templates_digest(self.config))

    def fresh(self, path: str, *deps: str) -> bool:
        """Record the page's key; True if the page must be rendered."""
        key = digest(self.base, path, *deps)
        self.keys[path] = key
        if self.previous(path) == key:
            self.kept.add(path)
            return False
        return self.mine is None or self.mine(path)

    def citing(self, article_id: str) -> list[str]:
        """What an article's page shows of the checks that cite it: each
        one's claim, and where its citations are and what they do (not the
        rest of the check: editing a summary leaves the page as it is)."""
        # From the article's own citations (every article's page key needs
        # this: grouping them here costs a tenth of going through each check's),
        # one string a citation, in the order of check and citation.
        checks = self.site.desk.checks
        return sorted(
            f"{r.check}\x1f{r.citation.index:08}\x1f{checks[r.check].claim}\x1f"
            f"{r.citation.stance},{r.start},{r.end},{r.parts}"
            for r in self.site.citations_by_article.get(article_id, ())
        )

    def check_deps(self, checks: Iterable[Check]) -> list[str]:
        return [c.digest for c in checks]

    def with_evidence(self, check: Check) -> str:
        return self.site.evidence_key(check)

    def all_files(self, only: Only | None = None) -> None:
        site, t = self.site, self.t
        self.only = only
        self.listing(
            site.home,
            "index.html",
            title=self.config.title,
            heading=t.gettext("Fact-checks"),
            extra=self.search_bundles,
            script_messages=self.script_messages(),
        )
        checks = site.checks if only is None else [site.desk.checks[i] for i in sorted(only.checks)]
        made = [check for check in checks if self.fresh(check_url(check.id) + "index.html", self.with_evidence(check))]
        for window in self._windows(made):
            self._prepare_quotes(window)
            for check in window:
                self.check_page(check)
        articles = site.articles if only is None else [site.desk.articles[i] for i in sorted(only.articles)]
        for article in articles:
            if self.fresh(article_url(article.id) + "index.html", article.digest, *self.citing(article.id)):
                self.article_page(article)
        if only is None or only.whole:
            self.exports()
        counts = [f"{v.key}={len(site.by_verdict(v.key))}" for v in self.config.verdicts]
        if self.fresh("verdicts/index.html", *counts):
            self.page("verdicts/index.html", "verdicts.html", title=t.gettext("How we rate claims"))
        for verdict in self.config.verdicts:
            if only is not None and verdict.key not in only.verdicts:
                continue
            self.listing(
                site.verdict_listing(verdict.key),
                "list.html",
                title=verdict.label,
                heading=t.gettext("Rated %(verdict)s", verdict=verdict.label),
                intro=verdict.description,
                verdict=verdict,
            )
        self.names(site.tag_index, t.gettext("Topics"))
        for slug, (name, _) in site.tags.items():
            if only is not None and slug not in only.tags:
                continue
            self.listing(
                site.tag_listing(slug), "list.html", title=name, heading=t.gettext("Topic: %(name)s", name=name)
            )
        self.names(site.claimant_index, t.gettext("Who made the claims"))
        for slug, (name, _) in site.claimants.items():
            if only is not None and slug not in only.claimants:
                continue
            scorecard = site.scorecard(slug)
            self.listing(
                site.claimant_listing(slug),
                "list.html",
                title=name,
                heading=t.gettext("Claims by %(name)s", name=name),
                extra=[f"{v.key}={n}" for v, n in scorecard],
                scorecard=scorecard,
                claimant=name,
            )
        if only is None or only.corrections:
            self.listing(
                site.corrections_listing,
                "corrections.html",
                title=t.gettext("Corrections"),
                heading=t.gettext("Corrections"),
                item_deps=lambda pair: f"{pair[0].digest}:{pair[0].corrections.index(pair[1])}",
                items="corrections",
            )
        if only is not None and not only.whole:
            return
        if self.fresh("404.html"):
            self.page("404.html", "404.html", title=t.gettext("Page not found"), absolute_root=True)
        for desk_page in site.pages:
            if self.fresh(desk_page.id + "/index.html", desk_page.digest):
                self.page(desk_page.id + "/index.html", "page.html", title=desk_page.title, page=desk_page)
        if self.fresh("feed.xml", *self.check_deps(site.checks[:50])):
            self.text("feed.xml", feeds.atom(site, self.t))
        # The sitemaps list every page: a rebuild that made no page the site
        # did not have leaves them as they are (it makes none go: rebuild.py).
        if only is None or any(p.endswith(".html") and p not in only.standing for p in self.keys):
            shown = self.keys.keys() | (only.standing if only is not None else frozenset())
            pages = sorted(p.removesuffix("index.html") for p in shown if p.endswith(".html") and p != "404.html")
            sitemaps = feeds.sitemap_files(pages)
            for name, listed in sitemaps.items():
                if self.fresh(name, *listed):
                    self.text(name, feeds.sitemap(site, listed))
            if "sitemap.xml" not in sitemaps and self.fresh("sitemap.xml", *sitemaps):
                self.text("sitemap.xml", feeds.sitemap_index(site, list(sitemaps)))
        self.static_files()

    def listing(
        self,
        listing: Listing[Any],
        template: str,
        *,
        title: str,
        heading: str,
        extra: Sequence[str] = (),
        item_deps: Callable[[Any], str] | None = None,
        items: str = "checks",
        **context: object,
    ) -> None:
        """A list's landing page (its newest items, its years) and its
        archive pages (lists.py). A page's key holds only what it shows, so
        an item appended to the newest page changes that page and the
        landing page alone."""
        deps = item_deps or (lambda check: check.digest)
        landing = listing.folder + "index.html"
        years = [f"{y.year}={y.count}={y.folder}" for y in listing.years]
        if self.fresh(landing, *map(deps, listing.newest), *years, listing.more or "", *extra):
            self.page(
                landing,
                template,
                title=title,
                heading=heading,
                total=len(listing.items),
                years=listing.years,
                more=listing.more,
                archive=None,
                landing=listing.folder,
                **{items: listing.newest},
                **context,
            )
        # A quick rebuild leaves the archive pages a list carried over as they
        # were (lists.py), and their keys as the last build recorded them; a
        # rebuild from the state, those of the years the change is not in.
        carried = listing.reused if self.only is not None else frozenset()
        years = None
        if self.only is not None:
            years = self.only.correction_years if template == "corrections.html" else self.only.years
        before: int | None = None
        for page in listing.pages:
            after, before = before, page.year
            if page.folder in carried:
                continue
            path = page.folder + "index.html"
            if years is not None and page.year not in years and not (page.number == 1 and after in years):
                self.unseen.add(path)
                continue
            if self.fresh(path, *map(deps, page.items), page.older or ""):
                span = self.t.gettext(
                    "%(first)s – %(last)s",
                    first=self.t.date(page.first, self.config.date_format),
                    last=self.t.date(page.last, self.config.date_format),
                )
                self.page(
                    path,
                    "archive.html" if template != "corrections.html" else template,
                    title=self.t.gettext("%(list)s: %(dates)s", list=title, dates=span),
                    heading=heading,
                    archive=page,
                    dates=span,
                    landing=listing.folder,
                    **{items: page.items},
                    **{k: v for k, v in context.items() if k in ("verdict", "claimant")},
                )

    def names(self, index: NameIndex, title: str) -> None:
        """An index of names (topics, claimants): one page, or a landing page
        with the most used and a page per initial when there are many."""
        landing = index.folder + "index.html"
        if index.whole:
            shown = [f"{n.slug}={n.count}={n.name}" for n in index.names]
            if self.fresh(landing, *shown):
                self.page(
                    landing, "names.html", title=title, names=index.names, initials=(), top=(), initial=None, chunks=()
                )
            return
        initials = [i.key for i in index.initials]  # letters only: a new name changes its own letter's page
        top = [f"{n.slug}={n.count}={n.name}" for n in index.top]
        if self.fresh(landing, *initials, *top):
            self.page(
                landing,
                "names.html",
                title=title,
                names=(),
                initials=index.initials,
                top=index.top,
                initial=None,
                chunks=(),
            )
        for group in index.initials:
            chunks = index.pages(group)
            folders = [folder for folder, _ in chunks]
            for folder, names in chunks:
                path = folder + "index.html"
                if self.fresh(path, *initials, *folders, *(f"{n.slug}={n.count}={n.name}" for n in names)):
                    self.page(
                        path,
                        "names.html",
                        title=self.t.gettext("%(index)s: %(letter)s", index=title, letter=group.label),
                        names=names,
                        initials=index.initials,
                        top=(),
                        initial=group,
                        chunks=folders if len(folders) > 1 else (),
                        index_title=title,
                        index_folder=index.folder,
                    )

    def fragment(self, kind: str, check: Check, make: Callable[[], str]) -> str:
        """A piece of a large page or file made for one check, remembered
        for as long as the check, the articles it cites and the code stay."""
        return self.cache.memo(FRAGMENTS, (self.base, kind, self.with_evidence(check)), make)

    def runs(self, kind: str, make: Callable[[Check], str]) -> Iterator[bytes | memoryview]:
        """The parts of a file holding every check (claims.json and the
        like), one a check, in the site's order, joined by ",\\n" in runs,
        empty parts left out, control characters shown as pages show them.
        A run that shows what it did in the file the last build wrote is
        taken from that file (`before`): an edit makes its run again, a few
        dozen parts, not every check's. A run ends after a check whose id
        hashes to a multiple of RUN, so a new check changes its own run
        alone, not every run after it."""
        layout = self._runs[kind] = []  # what each run shows and its length, as they are made
        spliced = self._spliced(kind)
        for run, shows in self._run_list():
            made = spliced.get(shows)
            if made is None:
                made = _encoded(feeds.SEPARATOR.join(p for p in map(make, run) if p))
            if made:
                layout.append((shows, len(made)))
                yield made

    def _run_list(self) -> list[tuple[list[Check], str]]:
        """The checks in runs (`runs`), each run with the digest of what it
        shows: the evidence keys of its checks."""
        if self._run_cache is None:
            found: list[tuple[list[Check], str]] = []
            run: list[Check] = []
            checks = self.site.checks
            last = len(checks) - 1
            for i, check in enumerate(checks):
                run.append(check)
                if zlib.crc32(check.id.encode("utf-8")) % RUN == 0 or i == last:
                    found.append((run, digest(*(self.with_evidence(c) for c in run))))
                    run = []
            self._run_cache = found
        return self._run_cache

    def _spliced(self, kind: str) -> dict[str, memoryview]:
        """The runs of the export the last build wrote, by what each shows,
        as parts of its file (when the file is there, as that build left it)."""
        found = self.before.get(kind)
        if found is None:
            return {}
        layout, read = found
        if layout.base != self.base:
            return {}  # made by other code, config or templates: other bytes for the same checks
        data = read()
        if data is None or len(data) != layout.size:
            return {}
        whole = memoryview(data)
        runs, at, step = {}, layout.head, len(feeds.SEPARATOR)
        for shows, length in layout.runs:
            runs[shows] = whole[at : at + length]
            at += length + step
        return runs

    def words(self, article: Article) -> Words:
        """An article's words, indexed once for the fragments of every
        citation of it (the last 64 are kept: each is some 100 KB)."""
        return _kept(self._words, article.id, lambda: Words(self.body(article)))

    def body(self, article: Article) -> str:
        """An article's text: a build lets the bodies go once the quotes are
        found (Text.release), and the pages and exports that show one read it
        again; the last few read are kept, for the checks that cite them."""
        return _kept(self._bodies, article.id, article.text.read)

    def quoted(self, r: Resolved) -> feeds.Quoted:
        """What the exports show of a citation: made once for both. The
        exports go check by check, in no order an article's text could be
        kept for (40,000 citations of 10,000 articles at 10,000 checks), so
        the text read for one citation gives what every citation of that
        article shows, not only this one's."""
        key = (r.check, r.citation.index)
        found = self._quoted.get(key)
        if found is None:
            body = self.body(self.site.desk.articles[r.article])
            for other in self.site.citations_by_article.get(r.article, ()):
                self._quoted.setdefault((other.check, other.citation.index), feeds.quoted(body, other))
            found = self._quoted.get(key) or self._quoted.setdefault(key, feeds.quoted(body, r))
        return found

    def _windows(self, checks: list[Check]) -> Iterator[list[Check]]:
        """The checks in windows of some QUOTES_AT_ONCE citations (_prepare_quotes)."""
        window: list[Check] = []
        quotes = 0
        for check in checks:
            window.append(check)
            quotes += len(self.site.citations_by_check.get(check.id, ()))
            if quotes >= QUOTES_AT_ONCE:
                yield window
                window, quotes = [], 0
        if window:
            yield window

    def _prepare_quotes(self, checks: list[Check]) -> None:
        """What the check pages show of each citation of these checks (the
        excerpt, and the link into the original), made article by article:
        each article's text is read, and its words joined, once for all its
        citations in the window, where page by page they were read once a
        citation (the last few kept), some 3 of every 4 at 10,000 checks."""
        by_article: dict[str, list[Resolved]] = {}
        for check in checks:
            for r in self.site.citations_by_check.get(check.id, ()):
                by_article.setdefault(r.article, []).append(r)
        for article_id, cited in by_article.items():
            article = self.site.desk.articles[article_id]
            body = self.body(article)
            words = Words(body) if article.url else None
            for r in cited:
                self._quotes[(r.check, r.citation.index)] = self._quote(article, r, body, words)

    @staticmethod
    def _quote(article: Article, r: Resolved, body: str, words: Words | None) -> tuple[Excerpt, str]:
        original = ""
        if article.url and words is not None:
            original = article.url + text_fragment(words, r.spans[0][0], r.spans[-1][1])
        return excerpt(body, r.spans), original

    def check_page(self, check) -> None:  # type: ignore[no-untyped-def]
        site = self.site
        evidence = []
        for stance, cited in site.evidence(check.id):
            items = []
            for r in cited:
                article = site.desk.articles[r.article]
                quote = self._quotes.pop((r.check, r.citation.index), None)
                if quote is None:  # a page made alone
                    words = self.words(article) if article.url else None
                    quote = self._quote(article, r, self.body(article), words)
                shown, original = quote
                items.append(
                    {
                        "resolved": r,
                        "article": article,
                        "excerpt": shown,
                        "archived": article_url(article.id) + "#" + r.anchor,
                        "original": original,
                        "pages": self.pages_label(article.pages_of(r.start, r.end)),
                    }
                )
            evidence.append((stance, self.t.gettext(STANCE_LABELS[stance]), items))
        self.page(
            check_url(check.id) + "index.html",
            "check.html",
            title=check.claim,
            check=check,
            verdict=site.verdicts[check.verdict],
            evidence=evidence,
            outlets=site.outlets(check.id),
            json_ld=feeds.json_ld(feeds.claim_review(site, check)),
            description=self.t.gettext(
                "%(verdict)s: %(claimant)s claimed “%(claim)s”",
                verdict=site.verdicts[check.verdict].label,
                claimant=check.claimant,
                claim=check.claim,
            ),
        )

    def article_page(self, article) -> None:  # type: ignore[no-untyped-def]
        site = self.site
        cited = site.citations_by_article.get(article.id, ())
        self.page(
            article_url(article.id) + "index.html",
            "article.html",
            title=article.title,
            article=article,
            paragraphs=with_pages(paragraphs(self.body(article), site.cites_on(article.id)), article.pages),
            cited=cited,
            cited_by=site.cited_by(article.id),
            archived=self.archived_label(article),
        )

    def pages_label(self, pages: tuple[int, int] | None) -> str:
        """Where in a document a quote stands: "p. 4", "pp. 4–5"."""
        if pages is None:
            return ""
        first, last = (self.t.number(n) for n in pages)
        if first == last:
            return self.t.gettext("p. %(page)s", page=first)
        return self.t.gettext("pp. %(first)s–%(last)s", first=first, last=last)

    def archived_label(self, article: Article) -> str:
        """When the article's text was captured (`archived`), in the site's language."""
        when = article.archived_at()
        if when is None:
            return ""
        if isinstance(when, dt.datetime):
            day = self.t.date(when.date(), self.config.date_format)
            return self.t.gettext("%(date)s, %(time)s UTC", date=day, time=when.astimezone(dt.UTC).strftime("%H:%M"))
        return self.t.date(when, self.config.date_format)

    def script_messages(self) -> dict[str, object]:
        """What the home page's script says, in the site's language."""
        t = self.t
        return {
            "searching": t.gettext("Searching…"),
            "found": t.plural_forms("%(num)s check found", "%(num)s checks found"),
            "none": t.gettext("No check matches. Try fewer words or filters."),
            "verdict": t.gettext("Verdict:"),
            "verdicts": {
                v.key: {"label": v.label, "colour": self.site.verdict_colour(v.key)} for v in self.config.verdicts
            },
        }

    def page(self, path: str, template: str, *, absolute_root: bool = False, **context: object) -> None:
        depth = path.count("/")
        root = urlsplit(self.config.base_url).path if absolute_root else "../" * depth
        canonical = self.config.base_url + href(path.removesuffix("index.html"))
        url = self._url_function(root)
        common = {
            "version": __version__,
            "site": self.site,
            "config": self.config,
            "root": root,
            "url": url,
            "dir": self.t.dir,
            "og_locale": str(self.t.locale),
            "verdict_colour": self.site.verdict_colour,
            "stance_label": lambda stance: self.t.gettext(STANCE_LABELS[stance]),
            "lang_attrs": self.lang_attrs,
            "isolated": _isolated,
            "tag_url": tag_url,
            "claimant_url": claimant_url,
            "nav_pages": self.site.pages,
            "footer_links": self.footer_links(url),
            "favicon": self.favicon,
            "identity_css": self.identity_css,
            "desk_css": self.desk_css,
        }
        try:
            html = self.env.get_template(template).render(
                **common,
                path=path,
                canonical=canonical,
                search_bundles=self.search_bundles,
                check_item=self._item_function(common),
                **{"description": self.config.description, **context},
            )
        except ChangedFile:
            raise  # not the template's doing (render_site says what)
        except Exception as exc:  # noqa: BLE001 - a template's runtime error is the desk's to fix
            raise RenderError(_template_problem(self.config, exc, template)) from exc
        self.emit(path, _encoded(html))

    def _item_function(self, common: Mapping[str, object]) -> Callable[[Check], Markup]:
        """`check_item(check)` for list templates: the `_macros.html` macro,
        rendered once per check and then reused on every list. The built-in
        macro links only through `url`, so it is rendered once for every
        depth of the site, its links' root a marker put in its place on each
        page (the marker is not escaped, and any text of the check is: none
        can hold it); a desk's own macro is rendered once per depth.

        The built-in macro is taken from `_macros.html` made once with the
        names a page gives it (but for its root): what the template below
        does for every item (`import ... with context` makes the file's every
        macro again), in two thirds of an item's time. A desk's own file may
        do anything at its top, with any of the names, `check` too: it goes
        through the template."""
        template = self._item_template
        root = str(common["root"])

        if self._item_builtin:
            macro = self._item_macro
            if macro is None:
                names = {**common, "root": _ROOT, "url": _url_at_any_depth}
                macro = self._item_macro = self.env.get_template("_macros.html").make_module(names).check_item

            def item(check: Check) -> Markup:
                made = self.fragment("item", check, lambda: str(macro(check)))
                return Markup(made.replace(_ROOT_OR_HERE, root or "./").replace(_ROOT, root))

            return item

        def item_at(check: Check) -> Markup:
            return Markup(self.fragment(f"item:{root}", check, lambda: template.render(**common, check=check)))

        return item_at

    def lang_attrs(self, article: Article, block: bool = False) -> Markup:
        """` lang="ar" dir="rtl"` for what an article says, where its
        language is not the page's: screen readers change voice, and an
        Arabic quote in a French page runs right to left. (Inline, inside
        <bdi>, the direction follows the text itself unless it is set.)"""
        language = article.language or self.config.language
        if language.lower().split("-")[0] == self.config.language.lower().split("-")[0]:
            return _NO_ATTRIBUTES  # the page's language, or a variety of it (en in an en-GB desk)
        direction = direction_of(language)
        if not block and direction == "ltr" and self.t.dir == "ltr":
            return Markup(' lang="{}"').format(language)
        return Markup(' lang="{}" dir="{}"').format(language, direction)

    def footer_links(self, url: Callable[[str], str]) -> list[tuple[str, str]]:
        t = self.t
        own = [(link.label, link.url if "://" in link.url else url(link.url)) for link in self.config.identity.links]
        return [
            *own,
            (t.gettext("Atom feed"), url("feed.xml")),
            (t.gettext("The data (claims.json)"), url("claims.json")),
            (t.gettext("Web annotations"), url("annotations.jsonld")),
            (t.gettext("Claimants"), url("claimants/")),
        ]

    @cached_property
    def favicon(self) -> dict[str, str]:
        icon = self.config.identity.favicon
        if icon is None:
            return {"path": "static/favicon.svg", "type": "image/svg+xml"}
        suffix = icon.suffix.lower()
        kinds = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}
        return {"path": f"static/favicon{suffix}", "type": kinds[suffix]}

    @cached_property
    def desk_css(self) -> str:
        """A desk's templates/static/desk.css adds to the theme's style sheet
        (where a style.css there would replace it): its path, or ""."""
        return f"{STATIC}/desk.css" if (self.config.templates_dir / STATIC / "desk.css").is_file() else ""

    @cached_property
    def identity_css(self) -> Markup:
        """The desk's accent colours (checked as #rrggbb when config.yaml is read)."""
        identity = self.config.identity
        css = []
        if identity.accent:
            css.append(f":root {{ --accent: {identity.accent}; }}")
        if identity.accent_dark:
            css.append(f"@media (prefers-color-scheme: dark) {{ :root {{ --accent: {identity.accent_dark}; }} }}")
        return Markup(" ".join(css))

    @staticmethod
    def _url_function(root: str) -> Callable[[str], str]:
        def url(target: str) -> str:
            """A link from this page to a site path such as `checks/x/`."""
            return root + target if target else root or "./"

        return url

    def text(self, path: str, content: str) -> None:
        self.emit(path, _encoded(content))

    def exports(self) -> None:
        """Every check and the articles it cites (what each run's digest
        holds). Made before the lists: in a build on two processes, whichever
        is done with its other pages first takes more of the lists
        (parallel.Shares), which the exports, the parent's alone, would
        leave behind them."""
        shown_all = [shows for _, shows in self._run_list()]
        if self.fresh("claims.json", *shown_all):
            self.export("claims.json", "claims", feeds.claims_json(self.site, self.runs, self.quoted))
        if self.fresh("annotations.jsonld", *shown_all):
            self.export(
                "annotations.jsonld", "annotations", feeds.annotations(self.site, self.runs, self.t, self.quoted)
            )
        self._quoted.clear()

    def export(self, path: str, kind: str, export: feeds.Export) -> None:
        # The runs were made fit for the page as they were made (`runs`):
        # looking for control characters in the whole file again took 0.2 s
        # at 10,000 checks (40 MB of text) on every build that changed it.
        head, runs, tail = export
        first = _encoded(head)
        written = [0]

        def parts() -> Iterator[bytes | memoryview]:
            # The runs one at a time, as they are made (the file is never
            # held whole: 40 MB at 10,000 checks), joined by the separator.
            last = _encoded(tail) + b"\n"
            for part in itertools.chain((first,), _between(runs, feeds.SEPARATOR.encode("ascii")), (last,)):
                written[0] += len(part)
                yield part

        self.emit(path, parts(), self.keys[path])  # not hashed: its key stands for it
        self.layouts[kind] = Layout(len(first), written[0], tuple(self._runs[kind]), self.base)

    def static_files(self) -> None:
        for path, file, desk in static_files(self.config.templates_dir, self.config.root):
            data = read_static(file, self.config.root, desk)
            if self.fresh(path, digest(data)):
                self.emit(path, data)
        icon = self.config.identity.favicon
        if icon is not None:
            data = read_static(icon, self.config.root)
            if self.fresh(self.favicon["path"], digest(data)):
                self.emit(self.favicon["path"], data)


def _kept(store: OrderedDict[str, _T], key: str, make: Callable[[], _T], keep: int = 64) -> _T:
    """What `make` gives for `key`, the last `keep` made held in `store`."""
    found = store.get(key)
    if found is None:
        found = store[key] = make()
        if len(store) > keep:
            store.popitem(last=False)
    return found


def _between(parts: Iterable[bytes | memoryview], separator: bytes) -> Iterator[bytes | memoryview]:
    """The parts with the separator between each and the next."""
    for n, part in enumerate(parts):
        if n:
            yield separator
        yield part


def templates_digest(config: Config) -> str:
    """Every template file's name and bytes."""
    return digest(*(part for name, data in template_files(config.templates_dir, config.root) for part in (name, data)))


def template_sources(config: Config, env: jinja2.Environment) -> list[tuple[str, str, str]]:
    """(name, source, as reports show the file) of every template in use."""
    found = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html") and not n.startswith(STATIC + "/")):
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - check_templates reports it
            continue
        found.append((name, source, _shown_template(config, name)))
    return found


def _shown_template(config: Config, name: str) -> str:
    if name.startswith(PREFIX) or not (config.templates_dir / name).is_file():
        return f"{BUILTIN_SHOWN}{name.removeprefix(PREFIX)}"  # a file of the built-in theme
    return _relative(config, config.templates_dir / name)


def _changed(path: str) -> Diagnostic:
    return Diagnostic(
        "changed-during-build",
        "the file changed while the site was being built, after its text was checked; nothing was written",
        file=path,
        hint="build again once the file is saved as it should be",
    )


def _template_problem(config: Config, exc: Exception, name: str) -> Diagnostic:
    file = _shown_template(config, getattr(exc, "name", None) or name)
    line = getattr(exc, "lineno", None)
    if isinstance(exc, RefusedTemplate):
        return Diagnostic.at(Location(file), "unsafe-file", str(exc), hint=exc.hint)
    if isinstance(exc, UnicodeDecodeError):
        message = "template is not valid UTF-8"
    else:
        message = f"template error: {getattr(exc, 'message', None) or exc}"
    return Diagnostic.at(Location(file, line, 1 if line else None), "template", message)


def _relative(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["RenderError", "check_templates", "environment", "render_site", "tag_slug"]
