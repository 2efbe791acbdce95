"""Rendering the desk to site files. Reads the content model, never changes it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from .diagnostics import Diagnostic, Location
from .markdown import render_markdown

if TYPE_CHECKING:
    from .config import Config
    from .pipeline import Desk


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
    )
    env.filters["markdown"] = render_markdown
    return env


def check_templates(config: Config) -> list[Diagnostic]:
    """Compile every template, so that `check` fails where `build` would."""
    if not config.templates_dir.is_dir():
        return [Diagnostic("template", f"the templates folder does not exist: {config.templates_dir}")]
    env = environment(config)
    problems = []
    for name in env.list_templates():
        try:
            env.get_template(name)
        except Exception as exc:  # noqa: BLE001 - every template problem becomes a diagnostic
            problems.append(_template_problem(config, exc, name))
    return problems


def render_site(desk: Desk) -> dict[str, bytes]:
    """Site-relative path -> bytes, for the whole site."""
    env = environment(desk.config)
    checks = sorted(desk.checks.values(), key=lambda c: (c.published, c.id), reverse=True)
    verdicts = {v.key: v for v in desk.config.verdicts}
    try:
        index = env.get_template("index.html").render(config=desk.config, checks=checks, verdicts=verdicts)
    except Exception as exc:  # noqa: BLE001 - a template's runtime error is the desk's to fix
        raise RenderError(_template_problem(desk.config, exc, "index.html")) from exc
    return {"index.html": index.encode("utf-8")}


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
