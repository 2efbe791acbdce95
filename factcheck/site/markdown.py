"""The one place Markdown is configured.

Entry text is untrusted: raw HTML is off, and links are validated by
markdown-it's own `validateLink` (no javascript:, vbscript:, file: or
non-image data: URLs).

markdown-it-py is the renderer, and what it gives is the site's HTML. Most
texts of a desk are plain prose with emphasis, links and lists, and for
those markdown-it-pyrs (the Rust port, by markdown-it-py's maintainer)
gives the same HTML some 15 times faster; a build of 10,000 checks renders
50,000 of them. It is used only for texts inside what it was tested to
render identically (`fast_path`, and tests/test_markdown.py, which renders
every entry of the sample and synthetic desks and generated texts with
both), and it is not used at all where it is not installed.
"""

from __future__ import annotations

import re

import regex
from markdown_it import MarkdownIt
from markupsafe import Markup

try:
    import markdown_it_pyrs
except ImportError:  # a platform without its wheel: markdown-it-py renders everything
    markdown_it_pyrs = None

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")

# CommonMark's rules less raw HTML, as _MD has them.
_COMMONMARK = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference"]
_COMMONMARK += ["autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline"]
_FAST = markdown_it_pyrs.MarkdownIt("zero").enable_many(_COMMONMARK) if markdown_it_pyrs is not None else None

# Where markdown-it-pyrs 0.4.0 was seen to differ from markdown-it-py, or
# to fail, on the CommonMark examples, markdown-it-py's fixtures and
# generated texts: what is matched here goes to markdown-it-py.
# - code spans (it panics on some), raw `<` (autolinks), `>` (block quotes;
#   100,000 nested crash the process), `~` (fences), `|`, `\` (escapes in
#   links' destinations), entities (`&nbsp;` in a destination; a bare `&`,
#   as in AT&T, is the same in both);
# - images, whose alt text it makes otherwise (entities, escapes and line
#   breaks in it);
# - tabs, carriage returns, control characters, and any space but ' ':
#   it keeps a non-breaking space that markdown-it-py trims;
# - a line indented 4 spaces (code blocks, deep nesting);
# - a line opening three lists at once (nesting: 50,000 crash the process);
# - link reference definitions (`]:`), whose titles it reads otherwise;
# - links but to plain addresses: it percent-encodes a host outside ASCII
#   where markdown-it-py writes its punycode, keeps `title=""`, and parses
#   `https://@host`, `[::1]` or `x:[y]` otherwise: a link is given to it
#   only where its destination is a path or an http(s) or mailto address of
#   ASCII letters, digits and `-` names, and no title follows;
# - `*` and `_` in one text (`**e_3*a**.*3*4`: a `_` inside a word and a
#   `*` left open change how it pairs the `*` after them), runs of three
#   (`***`), and punctuation outside ASCII beside one (`”*`): delimiters
#   it pairs otherwise;
# - symbols outside ASCII (£, €): beside `*` or `_` it takes them for
#   punctuation, as CommonMark 0.31 does and markdown-it-py does not.
_UNLIKE_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f`<>~|\\]")
_ENTITY = re.compile(r"&#?\w+;")
_UNLIKE_LINES = re.compile(r"^(?: {4}| *(?:(?:[-+*]|\d+[.)]) +){3})", re.MULTILINE)
_UNLIKE_DELIMITERS = re.compile(r"[*_]{3}")
_PLAIN_DESTINATION = re.compile(
    r"(?:https?://(?=[A-Za-z0-9.-]{1,253}[:/?#)])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?=[/?#)])"
    r"|mailto:[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?=\))"
    r"|(?![A-Za-z][A-Za-z0-9+.-]*:|//))"  # a path: no scheme, no host
    r"[A-Za-z0-9/._~%!$&'*+,;=:@?#-]{0,500}\)"
)
_UNLIKE_BESIDE = regex.compile(r"(?V1)[\p{P}--\p{ASCII}][*_]|[*_][\p{P}--\p{ASCII}]")
# Beyond ASCII, letters, marks, numbers and punctuation only: no symbols,
# no spaces or format characters of other kinds.
_UNLIKE_BEYOND_ASCII = regex.compile(r"[^\x00-\x7f\p{L}\p{M}\p{N}\p{P}]")
# Longer texts go to markdown-it-py too: nested emphasis costs markdown-it-pyrs
# quadratic time (30,000 levels: 8 s, against 0.4 s).
_FAST_UP_TO = 8000


def fast_path(text: str) -> bool:
    """Whether markdown-it-pyrs renders `text` as markdown-it-py does, as far
    as the tests tell: letters, digits and punctuation of any script,
    printable ASCII and single spaces, less the markup listed above. (Asked
    of every text a build renders: each test is a scan in C.)"""
    return not (
        len(text) > _FAST_UP_TO
        or _UNLIKE_CHARACTERS.search(text)
        or "]:" in text
        or "![" in text
        or ("&" in text and _ENTITY.search(text))
        or _UNLIKE_LINES.search(text)
        or ("*" in text and "_" in text)
        or _UNLIKE_DELIMITERS.search(text)
        or ("](" in text and not _plain_links(text))
        or (not text.isascii() and (_UNLIKE_BEYOND_ASCII.search(text) or _UNLIKE_BESIDE.search(text)))
    )


def _plain_links(text: str) -> bool:
    """Whether every `](` opens a link to a plain address (see above)."""
    at = text.find("](")
    while at != -1:
        if not _PLAIN_DESTINATION.match(text, at + 2):
            return False
        at = text.find("](", at + 2)
    return True


def render_markdown(text: str) -> Markup:
    if _FAST is not None and fast_path(text):
        try:
            return Markup(_FAST.render(text))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - a panic in the port (pyo3's PanicException): markdown-it-py decides
            pass
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
