"""The one place markdown-it-py is configured.

Entry text is untrusted: raw HTML is off, and links are validated by
markdown-it's own `validateLink` (no javascript:, vbscript:, file: or
non-image data: URLs).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str) -> Markup:
    return Markup(_MD.render(text))
