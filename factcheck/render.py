"""Rendering the desk to site files. Reads the content model, never changes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2

from .markdown import render_markdown
from .output import OutputError

if TYPE_CHECKING:
    from .pipeline import Desk


def environment(desk: Desk) -> jinja2.Environment:
    """The one Jinja2 environment: autoescape everywhere, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(desk.config.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = render_markdown
    return env


def render_site(desk: Desk) -> dict[str, bytes]:
    """Site-relative path -> bytes, for the whole site."""
    env = environment(desk)
    checks = sorted(desk.checks.values(), key=lambda c: (c.published, c.id), reverse=True)
    verdicts = {v.key: v for v in desk.config.verdicts}
    try:
        index = env.get_template("index.html").render(config=desk.config, checks=checks, verdicts=verdicts)
    except jinja2.TemplateError as exc:
        raise OutputError(f"template error: {exc}", hint=f"templates are in {desk.config.templates_dir}") from exc
    return {"index.html": index.encode("utf-8")}
