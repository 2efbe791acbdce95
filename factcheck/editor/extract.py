"""The article's text in a web page, as the page showed it to its readers.

trafilatura finds the main text (it scores at the top of the Article
Extraction Benchmark, and a hand-written guess cannot keep up with the web).
We take its tree, not its text output, because that output adds characters the
page never showed ('- ' before list items, '| ' between table cells) and
runs together blocks it nests (a list item's heading and its text). Here every
block (paragraph, heading, list item, quotation, table row, line break) is a
paragraph of its own, its white space collapsed, and nothing else is changed.

Then the lines trafilatura keeps that are not the article: a kicker above
the headline, a byline, a reporter's contact line or a copyright line, a
"Read more: ..." promotion. Contact lines are dropped only at the edges of
the text, where they stand, and every such line only when it is short, so a
sentence of the story that mentions an e-mail address or a copyright is kept.
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree

from .htmlpage import clean

# Block elements of trafilatura's output tree: each starts a paragraph.
_BLOCKS = {"p", "head", "item", "quote", "list", "table", "row", "code", "div", "graphic", "body"}
# A line break: a space within a paragraph, as browsers wrap text; two in a row part paragraphs.
_BREAK = "\u2029"
_PARTS = re.compile(_BREAK + r"\s*" + _BREAK + r"[\s" + _BREAK + "]*")
# Cells stand side by side in a row: a space between them, one paragraph for the row.
_CELL = "cell"
# Class and id words of elements that are never the story; trafilatura knows
# most furniture, not these labels above the headline.
_KICKER_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' kicker ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' eyebrow ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' overline ')]"
)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Block elements' tags, opening and closing. A browser shows a block on a line
# of its own; trafilatura drops an empty block (a <div> used as a line
# break) and runs the text on either side together ("Wednesday.The"). A line
# break beside each block tag keeps the words apart, and only adds white space.
_BLOCK_TAG = re.compile(
    r"</?(?:address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|main|nav|"
    r"ol|p|section|table|tbody|td|tfoot|th|thead|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A contact line starts as one and says how: an address, a handle, a phone number, a network.
_CONTACT_START = re.compile(r"^(?:contact|reach|e-?mail|write to|follow|send (?:news )?tips)\b", re.IGNORECASE)
_CONTACT_HOW = re.compile(
    r"@\w|\d{3}[-. )]\d{3}|\b(?:twitter|facebook|instagram|linkedin|bluesky|mastodon|threads|signal|whatsapp|"
    r"telegram|x\.com|e-?mail)\b",
    re.IGNORECASE,
)
_REACHED = re.compile(r"\bcan be (?:reached|contacted)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by|words by|reporting by|story by|written by)\s+\S", re.IGNORECASE)
# A byline anywhere: "By" and names, each capitalised.
_NAMES_BYLINE = re.compile(r"^By\s+(?:[A-Z][\w'’.-]*(?:\s+|,\s*|\s+and\s+|\s*&\s*)?){1,8}$")
# Promotions and labels trafilatura keeps in the text; whole lines only.
_PROMO = re.compile(
    r"^(?:advertisement|advert|sponsored|continue reading|scroll to continue|share this(?: article| story)?|"
    r"(?:you (?:might|may) also like|more stories|most read|top stories|related (?:stories|articles))\s*:?|"
    r"(?:read more|related|see also|also read|recommended|more on this)\s*[:|\-–—].*)$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple('.!?…:;"\u201d\u00bb\u3002\uff01\uff1f\u300d\u300f')
# A line this short with no sentence's end is a label, not text.
_LABEL_WORDS = 4
_CHARS_PER_WORD = 8
# Furniture lines at the edges are short; a paragraph longer than this is the story's own.
_SHORT_WORDS = 30


def main_text(text: str, url: str | None = None) -> list[str]:
    """The article's paragraphs, in order; empty when the page holds none."""
    # trafilatura parses the text itself (its repairs of broken markup do
    # better than a tree given to it), but lxml refuses a str that declares
    # its encoding, and the text is decoded already.
    text = _BLOCK_TAG.sub(r"\n\g<0>\n", _XML_DECLARATION.sub("", text))
    document = trafilatura.bare_extraction(
        text,
        url=url,
        include_comments=False,  # readers' comments are not the article
        include_tables=True,
        include_images=False,
        with_metadata=False,
        prune_xpath=_KICKER_XPATH,
    )
    body = getattr(document, "body", None)
    if body is None:
        return []
    return paragraphs(body)


def paragraphs(body: etree._Element) -> list[str]:
    """Every block's text, in order, white space collapsed."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        for part in _PARTS.split("".join(run)):
            line = clean(part)
            if line:
                out.append(line)
        run.clear()

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _BLOCKS:
            flush()
        elif tag == _CELL:
            run.append(" ")
        elif tag == "lb":
            run.append(_BREAK)
        if el.text and tag:
            run.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            flush()
        elif tag == _CELL:
            run.append(" ")
        if el.tail:
            run.append(el.tail)

    walk(body)
    flush()
    return out


def has_article_text(lines: list[str]) -> bool:
    """Is any line more than a label? A page of menu words has no article."""
    return any(not _is_label(line) for line in lines)


def without_furniture(lines: list[str], headline: str | None) -> list[str]:
    """The paragraphs less the headline (the body starts with it anyway), the
    labels and bylines above the text, and contact and copyright lines below it."""
    lines = list(lines)
    key = _key(headline)
    at = next((i for i, line in enumerate(lines) if key and _key(line) == key), None)
    if at is not None:
        # Above the headline stand the kicker and breadcrumbs: short labels.
        before = [line for line in lines[:at] if not _is_label(line)]
        lines = before + lines[at + 1 :]
    while lines and (_is_byline(lines[0]) or _is_contact(lines[0])):
        lines.pop(0)
    while lines and (_is_copyright(lines[-1]) or _is_contact(lines[-1])):
        lines.pop()
    return [line for line in lines if not (_is_copyright(line) or _is_promo(line) or _NAMES_BYLINE.match(line))]


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _short(line: str, words: int = _SHORT_WORDS) -> bool:
    # Words of scripts written without spaces (Chinese, Japanese) are counted
    # as a Latin word's worth of characters.
    return len(line.split()) <= words and len(line) <= words * _CHARS_PER_WORD


def _is_label(line: str) -> bool:
    return _short(line, _LABEL_WORDS) and not line.endswith(_SENTENCE_END)


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) and _short(line, 12) and not line.endswith((".", "!", "?"))


def _is_contact(line: str) -> bool:
    if not _short(line):
        return False
    if _EMAIL.search(line) or _REACHED.search(line):
        return True
    return bool(_CONTACT_START.match(line) and _CONTACT_HOW.search(line))


def _is_promo(line: str) -> bool:
    return _short(line, 20) and bool(_PROMO.match(line))


def _is_copyright(line: str) -> bool:
    return _short(line) and bool(_COPYRIGHT.search(line))
