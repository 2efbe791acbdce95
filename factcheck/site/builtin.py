"""Where the built-in theme is: the templates and static files in the
package (`factcheck/theme/`), which a desk's templates folder overrides
file by file. (No Jinja2 here: a build that finds nothing changed only
needs to know the theme's files.)"""

from __future__ import annotations

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent.parent / "theme"
PREFIX = "theme/"  # names a built-in template from a desk's template that replaces it
BUILTIN_SHOWN = "(built-in theme) "  # how reports name a file of the built-in theme


def builtin_files(folder: Path = BUILTIN) -> list[str]:
    """The files of the built-in theme (or of a folder of it), as paths."""
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
