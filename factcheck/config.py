"""config.yaml: site settings and the desk's verdict scale."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import contrast
from .diagnostics import Diagnostic, Location
from .model import Config, Identity, Link, Publisher, Verdict
from .safefs import inside, real
from .verify.fields import URL_RE, Codes, FieldSpec, Record, read_record
from .verify.sources import decode, read_source_bytes
from .verify.yamlsource import parse

_CONFIG = Codes(schema="config", unknown="config")
_NOT_IN_URL = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f]')

VERDICT_FIELDS = (
    FieldSpec("key", "id", True, "the verdict's id, used in entries and URLs"),
    FieldSpec("label", "string", True, "the verdict as readers see it"),
    FieldSpec("description", "markdown", True, "what the verdict means, for the methodology page"),
    FieldSpec("rating", "number", True, "the ClaimReview ratingValue"),
    FieldSpec("colour", "colour", False, "its badge's colour, #rrggbb: white text must read on it (WCAG AA)"),
)
IDENTITY_FIELDS = (
    FieldSpec("accent", "colour", False, "the colour of links and focus, #rrggbb, on the light page"),
    FieldSpec("accent_dark", "colour", False, "the same in dark mode"),
    FieldSpec("favicon", "string", False, "an image file of the desk (.svg, .png or .ico) for the browser's tab"),
    FieldSpec("footer", "markdown", False, "the footer's text (Markdown)"),
    FieldSpec(
        "links",
        "maps",
        False,
        "links in the footer",
        fields=(
            FieldSpec("label", "string", True, "what the link says"),
            FieldSpec("url", "string", True, "where it leads: an absolute URL, or a path of the site such as about/"),
        ),
    ),
)
CONFIG_FIELDS = (
    FieldSpec("title", "string", True, "the site's name"),
    FieldSpec("description", "string", False, "one or two sentences about the site"),
    FieldSpec("base_url", "url", True, "absolute URL of the published site, ending in '/'"),
    FieldSpec("language", "language", False, "the site's language, a BCP 47 tag such as 'en'"),
    FieldSpec(
        "publisher",
        "map",
        True,
        "the fact-checking organisation",
        fields=(
            FieldSpec("name", "string", True, "the organisation's name"),
            FieldSpec("url", "url", False, "its home page"),
            FieldSpec("logo", "url", False, "absolute URL of its logo"),
        ),
    ),
    FieldSpec(
        "paths",
        "map",
        False,
        "where content, templates and output live, relative to config.yaml",
        fields=tuple(
            FieldSpec(name, "string", False, f"the {name} folder")
            for name in ("articles", "checks", "pages", "templates", "output")
        ),
    ),
    FieldSpec("date_format", "string", False, "how dates are shown: short, medium, long (default), full, or a pattern"),
    FieldSpec("identity", "map", False, "the desk's look: colours, favicon, footer", fields=IDENTITY_FIELDS),
    FieldSpec("messages", "messages", False, "the desk's own wording of the interface, by the English messages"),
    FieldSpec("verdicts", "maps", True, "the verdict scale, best first", fields=VERDICT_FIELDS, min_items=1),
)
DEFAULT_PATHS = {
    "articles": "content/articles",
    "checks": "content/checks",
    "pages": "content/pages",
    "templates": "templates",
    "output": "site",
}


def config_file(path: Path) -> Path:
    """--config may name the file or the site's folder."""
    return path / "config.yaml" if path.is_dir() else path


def load_config(path: Path, base_url_override: str | None = None) -> tuple[Config | None, list[Diagnostic]]:
    """Read and check config.yaml. Any problem here is a `config` error.

    `base_url_override` (from `--base-url`, for a staging build) replaces the one in
    config.yaml for this run: every page's key follows it (`Config.digest`)."""
    shown = path.name
    if not path.is_file():
        return None, [
            Diagnostic(
                "config", f"config file not found: {path}", hint="run from the site's folder or pass --config PATH"
            )
        ]
    data, diagnostics = read_source_bytes(path, shown, real(path.parent))
    text = None
    if data is not None:
        text, diagnostics = decode(data, shown)
    if text is None:
        return None, [_as_config(d) for d in diagnostics]
    node, diagnostics = parse(text, shown)
    diagnostics = [_as_config(d) for d in diagnostics]
    if node is None:
        if not diagnostics:
            diagnostics.append(Diagnostic.at(Location(shown, 1, 1), "config", "config.yaml is empty"))
        return None, diagnostics
    record = read_record(node, CONFIG_FIELDS, diagnostics, _CONFIG, what="config.yaml")
    if record is None or diagnostics:
        return None, diagnostics

    verdicts = []
    seen: dict[str, Location | None] = {}
    for item in record.values["verdicts"]:
        key = item.values["key"]
        if key in seen:
            diagnostics.append(Diagnostic.at(item.locs["key"], "config", f"verdict '{key}' is defined twice"))
            continue
        seen[key] = item.locs["key"]
        colour = item.values.get("colour")
        if colour is not None and contrast.ratio(colour, contrast.WHITE) < contrast.AA:
            problem = _contrast_problem(item.locs["colour"], f"verdict '{key}' colour", colour, contrast.WHITE)
            diagnostics.append(problem)
        verdicts.append(Verdict(key, item.values["label"], item.values["description"], item.values["rating"], colour))
    base_url = record.values["base_url"]
    unsafe = sorted(set(_NOT_IN_URL.findall(base_url)))
    if unsafe:
        diagnostics.append(
            Diagnostic.at(
                record.locs["base_url"],
                "config",
                f"base_url holds {', '.join(repr(c) for c in unsafe)}, which a URL cannot hold as it is",
                hint="percent-encode it (a space is %20, a quotation mark %22)",
            )
        )
    elif "//" in base_url.split("://", 1)[1]:
        diagnostics.append(
            Diagnostic.at(record.locs["base_url"], "config", "base_url has an empty folder ('//') in its path")
        )
    elif not base_url.endswith("/"):
        diagnostics.append(
            Diagnostic.at(
                record.locs["base_url"], "config", "base_url must end with '/'", hint=f"base_url: {base_url}/"
            )
        )
    if diagnostics:
        return None, diagnostics

    identity = _identity(record, root_of(path), diagnostics)
    date_format = record.get("date_format", "long")
    if not _date_format_ok(date_format):
        diagnostics.append(
            Diagnostic.at(
                record.locs["date_format"],
                "config",
                f"date_format {date_format!r} is not a date format",
                hint='short, medium, long or full, or a CLDR pattern such as "d MMMM y" (day, month, year)',
            )
        )
    if diagnostics:
        return None, diagnostics
    if base_url_override is not None:
        problem = _base_url_problem(base_url_override)
        if problem:
            return None, [Diagnostic("config", f"--base-url {base_url_override!r} {problem}", hint=_BASE_URL_HINT)]
        base_url = base_url_override if base_url_override.endswith("/") else base_url_override + "/"
        data += b"\0--base-url=" + base_url.encode("utf-8")
    paths = DEFAULT_PATHS | (record.values["paths"].values if "paths" in record.values else {})
    publisher = record.values["publisher"].values
    root = path.parent
    top = real(root)
    for name in ("articles", "checks", "pages", "templates"):
        folder = real(root / paths[name])
        if not inside(top, folder):
            loc = record.values["paths"].locs.get(name) if "paths" in record.values else None
            diagnostics.append(
                Diagnostic.at(
                    loc or Location(shown, 1, 1),
                    "config",
                    f"paths.{name} ({folder}) lies outside the desk folder",
                    hint="a desk's content and templates are folders inside it (the folder of config.yaml); "
                    "link a folder in if it must live elsewhere, and keep the link inside the desk",
                )
            )
    if diagnostics:
        return None, diagnostics
    config = Config(
        path=path,
        title=record.values["title"],
        description=record.get("description", ""),
        base_url=base_url,
        language=record.get("language", "en"),
        publisher=Publisher(publisher["name"], publisher.get("url"), publisher.get("logo")),
        verdicts=tuple(verdicts),
        articles_dir=root / paths["articles"],
        checks_dir=root / paths["checks"],
        templates_dir=root / paths["templates"],
        output_dir=root / paths["output"],
        digest=hashlib.sha256(data).hexdigest(),
        pages_dir=root / paths["pages"],
        date_format=date_format,
        identity=identity,
        messages=record.get("messages", {}),
    )
    return config, []


def root_of(path: Path) -> Path:
    return path.parent


def _identity(record: Record, root: Path, diagnostics: list[Diagnostic]) -> Identity:
    if "identity" not in record.values:
        return Identity()
    given = record.values["identity"]
    values, locs = given.values, given.locs
    for name, ground in (("accent", contrast.PAPER), ("accent_dark", contrast.PAPER_DARK)):
        colour = values.get(name)
        if colour is not None and contrast.ratio(colour, ground) < contrast.AA:
            diagnostics.append(_contrast_problem(locs[name], f"identity.{name}", colour, ground))
    favicon = None
    if "favicon" in values:
        favicon = root / values["favicon"]
        if favicon.suffix.lower() not in (".svg", ".png", ".ico") or not favicon.is_file():
            diagnostics.append(
                Diagnostic.at(
                    locs["favicon"],
                    "config",
                    f"identity.favicon {values['favicon']!r} is not an .svg, .png or .ico file of the desk",
                    hint="give the path of the image, relative to config.yaml, such as images/favicon.svg",
                )
            )
    links = tuple(Link(link.values["label"], link.values["url"]) for link in values.get("links", ()) if link)
    return Identity(values.get("accent"), values.get("accent_dark"), favicon, values.get("footer"), links)


def _contrast_problem(loc: Location, what: str, colour: str, ground: str) -> Diagnostic:
    text = "white text on it" if ground == contrast.WHITE else "it as text on the page"
    return Diagnostic.at(
        loc,
        "config",
        f"{what} {colour} gives {text} a contrast of {contrast.ratio(colour, ground):.1f}:1; "
        f"readers need at least {contrast.AA}:1 (WCAG AA)",
        hint=f"a colour that passes, near it: {contrast.nearest_passing(colour, ground)}",
    )


def _date_format_ok(pattern: str) -> bool:
    import datetime as dt

    from babel.dates import format_date

    try:
        format_date(dt.date(2016, 12, 5), format=pattern, locale="en")
    except (ValueError, KeyError, AttributeError, TypeError):
        return False
    return True


_BASE_URL_HINT = "give the absolute URL the site is served at, such as https://staging.example.org/checks/"


def _base_url_problem(url: str) -> str | None:
    if not URL_RE.match(url):
        return "is not an absolute http(s) URL"
    if _NOT_IN_URL.search(url):
        return "holds a character a URL cannot hold as it is (percent-encode it)"
    if "//" in url.split("://", 1)[1]:
        return "has an empty folder ('//') in its path"
    return None


def _as_config(d: Diagnostic) -> Diagnostic:
    from dataclasses import replace

    return replace(d, code="config")
