"""The templates and static files a site is rendered with, read safely.

Templates are read through `safefs` like every other desk file: a template
or static file that is a link out of the desk, or not a regular file, is
refused and named, never read. Templates are compiled in memory; nothing
compiled is kept on disk.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from .diagnostics import Diagnostic
from .safefs import Refused, read_regular, real
from .sources import walk_files

STATIC = "static"  # templates/static/ is copied to the site as it is


class RefusedTemplate(jinja2.TemplateError):
    """A template file the tool will not read (a link out of the desk, a pipe)."""

    def __init__(self, name: str, refused: Refused):
        super().__init__(f"'{name}' is not read: {refused.reason}")
        self.name = name
        self.hint = refused.hint


class DeskLoader(jinja2.BaseLoader):
    """Jinja2's loader for a desk's templates folder, reading through safefs."""

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root
        self._top = real(root)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            read = read_regular(path, self._top)
        except FileNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        except Refused as exc:
            raise RefusedTemplate(template, exc) from None
        return read.data.decode("utf-8"), str(path), lambda: True

    def list_templates(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return ["/".join(parts) for parts in walk_files(self.folder, self.root).files]


def theme_problems(folder: Path, root: Path) -> list[Diagnostic]:
    """Links out of the desk and special files in the templates folder."""
    if not folder.is_dir():
        return []
    return list(walk_files(folder, root).problems)


def static_files(folder: Path, root: Path) -> list[tuple[str, Path]]:
    """(site path, file) for everything in the templates' static/ folder,
    copied as it is; hidden files and folders are not published."""
    static = folder / STATIC
    if not static.is_dir():
        return []
    return [(posixpath.join(STATIC, *parts), static.joinpath(*parts)) for parts in walk_files(static, root).files]


def read_static(path: Path, root: Path) -> bytes:
    return read_regular(path, real(root)).data


def template_files(folder: Path, root: Path) -> list[tuple[str, bytes]]:
    """Every template file's name and bytes, for the pages' keys."""
    if not folder.is_dir():
        return []
    top = real(root)
    found = []
    for parts in walk_files(folder, root).files:
        try:
            data = read_regular(folder.joinpath(*parts), top, walked=True).data
        except (OSError, Refused):
            data = b""
        found.append(("/".join(parts), data))
    return found
