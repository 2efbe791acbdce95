"""config.yaml: site settings and the desk's verdict scale."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .diagnostics import Diagnostic, Location
from .model import Config, Publisher, Verdict
from .safefs import inside, real
from .verify.fields import URL_RE, Codes, FieldSpec, read_record
from .verify.sources import decode, read_source_bytes
from .verify.yamlsource import parse

_CONFIG = Codes(schema="config", unknown="config")
_NOT_IN_URL = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f]')

VERDICT_FIELDS = (
    FieldSpec("key", "id", True, "the verdict's id, used in entries and URLs"),
    FieldSpec("label", "string", True, "the verdict as readers see it"),
    FieldSpec("description", "markdown", True, "what the verdict means, for the methodology page"),
    FieldSpec("rating", "number", True, "the ClaimReview ratingValue"),
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
            for name in ("articles", "checks", "templates", "output")
        ),
    ),
    FieldSpec("verdicts", "maps", True, "the verdict scale, best first", fields=VERDICT_FIELDS, min_items=1),
)
DEFAULT_PATHS = {
    "articles": "content/articles",
    "checks": "content/checks",
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
        verdicts.append(Verdict(key, item.values["label"], item.values["description"], item.values["rating"]))
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
    elif not base_url.endswith("/"):
        diagnostics.append(
            Diagnostic.at(
                record.locs["base_url"], "config", "base_url must end with '/'", hint=f"base_url: {base_url}/"
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
    for name in ("articles", "checks", "templates"):
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
    )
    return config, []


_BASE_URL_HINT = "give the absolute URL the site is served at, such as https://staging.example.org/checks/"


def _base_url_problem(url: str) -> str | None:
    if not URL_RE.match(url):
        return "is not an absolute http(s) URL"
    if _NOT_IN_URL.search(url):
        return "holds a character a URL cannot hold as it is (percent-encode it)"
    return None


def _as_config(d: Diagnostic) -> Diagnostic:
    from dataclasses import replace

    return replace(d, code="config")
