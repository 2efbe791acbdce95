"""The interface's messages, gathered from the theme's templates and the
package's code with Babel, and the catalogues kept in step with them.

    python -m factcheck.site.messages          # rewrite locale/factcheck.pot, update every .po

Updating keeps every translation; a new message gets an empty one (the
tests then fail until it is translated), and one no longer used is dropped.
"""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LOCALES, SHIPPED

PACKAGE = Path(__file__).resolve().parent.parent
METHODS = [("theme/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"theme/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
# The catalogues' dates stay put, so that gathering the messages again changes nothing else.
STAMP = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
# Calls whose first argument is a message: the Python code's own ways in.
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None, "plural_forms": (1, 2)}


def _catalog(**more: object) -> Catalog:
    return Catalog(
        domain=DOMAIN,
        project="factcheck",
        copyright_holder="the factcheck authors",
        msgid_bugs_address="",
        charset="utf-8",
        creation_date=STAMP,
        revision_date=STAMP,
        **more,  # type: ignore[arg-type]
    )


def extract() -> Catalog:
    """Every message of the theme and the code, as a template catalogue."""
    catalog = _catalog()
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[(pattern, method) for pattern, method in METHODS],
        options_map=OPTIONS,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        if "locale/" in filename or filename.endswith("messages.py"):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalogue(code: str) -> Catalog:
    with (LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return read_po(f, locale=code, domain=DOMAIN)


def main() -> None:
    template = extract()
    LOCALES.mkdir(exist_ok=True)
    _write(LOCALES / f"{DOMAIN}.pot", template)
    for code in SHIPPED:
        path = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            current = catalogue(code)
            current.update(template, no_fuzzy_matching=True)
            current.obsolete.clear()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            current = _catalog(locale=code)
            current.update(template, no_fuzzy_matching=True)
        if code == "en":  # the messages are English: each is its own translation
            for message in current:
                if message.id and not _translated(message):
                    message.string = message.id
        current.creation_date = current.revision_date = STAMP
        _write(path, current)
        missing = sum(1 for m in current if m.id and not _translated(m))
        sys.stdout.write(f"{path.relative_to(PACKAGE)}: {len(current)} messages, {missing} to translate\n")


def _translated(message) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def _write(path: Path, catalog: Catalog) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, include_previous=False)
    path.write_bytes(out.getvalue())


if __name__ == "__main__":
    main()
