"""Text fragment links (`#:~:text=`) into the original article.

Browsers scroll to and highlight the quoted words. The fragment is written
in the article's own characters; `-`, `&` and `,` are percent-encoded since
they are the directive's own syntax.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_WORDS = re.compile(r"\S+")
_LONG = 80  # characters: longer quotes use the textStart,textEnd form
_EDGE_WORDS = 4
_CONTEXT_WORDS = 3


def text_fragment(body: str, start: int, end: int) -> str:
    """The `#:~:text=` fragment for `body[start:end]`."""
    words = _WORDS.findall(body[start:end])
    if not words:
        return ""
    exact = " ".join(words)
    if len(exact) > _LONG and len(words) > 2 * _EDGE_WORDS:
        text_start = " ".join(words[:_EDGE_WORDS])
        text_end = " ".join(words[-_EDGE_WORDS:])
    else:
        text_start, text_end = exact, ""
    flat = " ".join(_WORDS.findall(body))
    parts = []
    if flat.count(text_start) > 1:
        before = " ".join(_WORDS.findall(body[max(0, start - 200) : start])[-_CONTEXT_WORDS:])
        if before:
            parts.append(_encode(before) + "-")
    parts.append(_encode(text_start))
    if text_end:
        parts.append(_encode(text_end))
    if flat.count(text_start) > 1:
        after = " ".join(_WORDS.findall(body[end : end + 200])[:_CONTEXT_WORDS])
        if after:
            parts.append("-" + _encode(after))
    return "#:~:text=" + ",".join(parts)


def _encode(text: str) -> str:
    return quote(text, safe="").replace("-", "%2D")
