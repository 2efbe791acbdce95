"""Rendering the desk to site files. Reads the content model, never changes it.

Every page is rendered in memory to bytes; writing is output.py's job. Links
are relative to the page (or under base_url's path on the 404 page, which
is served at any depth), so the site works from any folder.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import jinja2

from . import feeds
from .diagnostics import Diagnostic, Location
from .fragments import text_fragment
from .ids import tag_slug
from .markdown import render_markdown
from .marks import excerpt, paragraphs
from .site import STANCE_LABELS, Site, article_url, check_url, claimant_url, tag_url, verdict_url

if TYPE_CHECKING:
    from .config import Config
    from .pipeline import Desk

STATIC = "static"  # templates/static/ is copied to the site as it is


class RenderError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def environment(config: Config) -> jinja2.Environment:
    """The one Jinja2 environment: autoescape everywhere, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["markdown"] = render_markdown
    env.filters["isodate"] = lambda d: d.isoformat() if d else ""
    env.filters["longdate"] = lambda d: f"{d.day} {d:%B %Y}" if d else ""
    return env


def check_templates(config: Config) -> list[Diagnostic]:
    """Compile every template, so that `check` fails where `build` would."""
    if not config.templates_dir.is_dir():
        return [Diagnostic("template", f"the templates folder does not exist: {config.templates_dir}")]
    env = environment(config)
    problems = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(".html") and not n.startswith(STATIC + "/")):
        try:
            env.get_template(name)
        except Exception as exc:  # noqa: BLE001 - every template problem becomes a diagnostic
            problems.append(_template_problem(config, exc, name))
    return problems


def render_site(desk: Desk) -> dict[str, bytes]:
    """Site-relative path -> bytes, for the whole site."""
    site = Site(desk)
    renderer = _Renderer(site, environment(desk.config))
    return renderer.all_files()


class _Renderer:
    def __init__(self, site: Site, env: jinja2.Environment):
        self.site = site
        self.env = env
        self.config = site.desk.config
        self.files: dict[str, bytes] = {}

    def all_files(self) -> dict[str, bytes]:
        site = self.site
        self.page("index.html", "index.html", title=self.config.title, checks=site.checks)
        for check in site.checks:
            self.check_page(check)
        for article in site.articles:
            self.article_page(article)
        self.page("verdicts/index.html", "verdicts.html", title="How we rate claims")
        for verdict in self.config.verdicts:
            self.page(
                verdict_url(verdict.key) + "index.html",
                "list.html",
                title=verdict.label,
                heading=f"Rated {verdict.label}",
                intro=verdict.description,
                checks=site.by_verdict(verdict.key),
                verdict=verdict,
            )
        self.page("tags/index.html", "names.html", title="Topics", names=site.tags, link=tag_url)
        for _slug, (name, checks) in site.tags.items():
            self.page(tag_url(name) + "index.html", "list.html", title=name, heading=f"Topic: {name}", checks=checks)
        self.page(
            "claimants/index.html", "names.html", title="Who made the claims", names=site.claimants, link=claimant_url
        )
        for _slug, (name, checks) in site.claimants.items():
            self.page(
                claimant_url(name) + "index.html", "list.html", title=name, heading=f"Claims by {name}", checks=checks
            )
        self.page("corrections/index.html", "corrections.html", title="Corrections", corrections=site.corrections)
        self.page("404.html", "404.html", title="Page not found", absolute_root=True)
        pages = sorted(p.removesuffix("index.html") for p in self.files if p.endswith(".html") and p != "404.html")
        self.text("feed.xml", feeds.atom(site))
        self.text("sitemap.xml", feeds.sitemap(site, pages))
        self.text("claims.json", feeds.claims_json(site))
        self.text("annotations.jsonld", feeds.annotations(site))
        self.static_files()
        return self.files

    def check_page(self, check) -> None:  # type: ignore[no-untyped-def]
        site = self.site
        evidence = []
        for stance, cited in site.evidence(check.id):
            items = []
            for r in cited:
                article = site.desk.articles[r.article]
                original = ""
                if article.url:
                    original = article.url + text_fragment(article.body, r.spans[0][0], r.spans[-1][1])
                items.append(
                    {
                        "resolved": r,
                        "article": article,
                        "excerpt": excerpt(article.body, r.spans),
                        "archived": article_url(article.id) + "#" + r.anchor,
                        "original": original,
                    }
                )
            evidence.append((stance, STANCE_LABELS[stance], items))
        self.page(
            check_url(check.id) + "index.html",
            "check.html",
            title=check.claim,
            check=check,
            verdict=site.verdicts[check.verdict],
            evidence=evidence,
            outlets=site.outlets(check.id),
            json_ld=feeds.json_ld(feeds.claim_review(site, check)),
            description=f"{site.verdicts[check.verdict].label}: {check.claimant} claimed “{check.claim}”",
        )

    def article_page(self, article) -> None:  # type: ignore[no-untyped-def]
        site = self.site
        cited = site.citations_by_article.get(article.id, ())
        self.page(
            article_url(article.id) + "index.html",
            "article.html",
            title=article.title,
            article=article,
            paragraphs=paragraphs(article.body, site.cites_on(article.id)),
            cited=cited,
            cited_by=site.cited_by(article.id),
        )

    def page(self, path: str, template: str, *, absolute_root: bool = False, **context: object) -> None:
        depth = path.count("/")
        root = urlsplit(self.config.base_url).path if absolute_root else "../" * depth
        canonical = self.config.base_url + path.removesuffix("index.html")
        try:
            html = self.env.get_template(template).render(
                site=self.site,
                config=self.config,
                root=root,
                path=path,
                canonical=canonical,
                url=self._url_function(root),
                verdict_colour=self.site.verdict_colour,
                stance_labels=STANCE_LABELS,
                tag_url=tag_url,
                claimant_url=claimant_url,
                **{"description": self.config.description, **context},
            )
        except Exception as exc:  # noqa: BLE001 - a template's runtime error is the desk's to fix
            raise RenderError(_template_problem(self.config, exc, template)) from exc
        self.files[path] = html.encode("utf-8")

    @staticmethod
    def _url_function(root: str) -> Callable[[str], str]:
        def url(target: str) -> str:
            """A link from this page to a site path such as `checks/x/`."""
            return root + target if target else root or "./"

        return url

    def text(self, path: str, content: str) -> None:
        self.files[path] = content.encode("utf-8")

    def static_files(self) -> None:
        folder = self.config.templates_dir / STATIC
        if not folder.is_dir():
            return
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                self.files[posixpath.join(STATIC, file.relative_to(folder).as_posix())] = file.read_bytes()


def _template_problem(config: Config, exc: Exception, name: str) -> Diagnostic:
    file = _relative(config, config.templates_dir / (getattr(exc, "name", None) or name))
    line = getattr(exc, "lineno", None)
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
