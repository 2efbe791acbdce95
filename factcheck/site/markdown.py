"""The one place markdown-it-py is configured.

Entry text is untrusted: raw HTML is off, and links are validated by
markdown-it's own `validateLink` (no javascript:, vbscript:, file: or
non-image data: URLs).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def render_markdown(text: str) -> Markup:
    return Markup(_MD.render(text))


def render_markdown_at(text: str, root: str) -> Markup:
    """Markdown shown on every page (the desk's footer): a link to a path
    of the site (`contact/`) leads there from any page, `root` before it."""
    tokens = _MD.parse(text)
    for token in tokens:
        for child in token.children or ():
            if child.type in ("link_open", "image"):
                attribute = "href" if child.type == "link_open" else "src"
                target = child.attrGet(attribute)
                if isinstance(target, str) and not _ABSOLUTE.match(target):
                    child.attrSet(attribute, root + target)
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))
