"""The text of a PDF document, in reading order, with the page each part is on.

pdfminer.six lays each page out (characters into lines, lines into text
boxes, boxes in reading order, columns included) and we take its boxes as
paragraphs. Lines of a box are joined with a space; a word broken at a line's
end is joined only where the PDF marks the break as hyphenation, with a soft
hyphen (U+00AD), which is then dropped: a hard hyphen at a line's end may be
a compound's ("well-\\nknown" gives "well-known", the hyphen kept). A box
that does not end a sentence and is followed by one starting in lower case
continues it, also across a page break, so a sentence that flows over a page
keeps flowing in the body.

Running headers and footers: a line at the top or bottom edge of a page is
dropped when it is a page number ("12", "Page 3 of 9", "- 4 -"), or when the
same line (digits aside) stands at that edge on at least half of the pages,
three at least. Anything else stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTFigure, LTImage, LTPage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser, PDFSyntaxError
from pdfminer.pdftypes import PDFException, resolve1
from pdfminer.psparser import PSException
from pdfminer.utils import decode_text

from .htmlpage import clean, language_tag

SOFT_HYPHEN = "\u00ad"
UNREADABLE = "\ufffd"  # a glyph whose character the PDF does not say
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|seite|página|pagina)\s*)?[-–—]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—]?"
    r"(?:\s*(?:of|/|de|von|sur)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple('.!?…:;"\u201d\u00bb\u3002\uff01\uff1f)')
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
# What a word processor writes as the title when the author gave none.
_NO_TITLE = re.compile(r"^(?:microsoft (?:word|powerpoint) - |untitled\b)|\.(?:docx?|odt|rtf|pptx?)$", re.IGNORECASE)
_EDGE_LINES = 2  # how many lines from each edge of a page can be a header or footer
_REPEATS = 3  # how many pages a running header or footer must stand on
_UNMAPPED = re.compile(r"\(cid:\d+\)")  # pdfminer's name for a glyph its font maps to no character
_WORD = re.compile(r"\w+(?:-\w+)*")
_BROKEN_HEAD = re.compile(r"([^\W\d_]+)-$")  # letters, then the hyphen that ends a line
_BROKEN_TAIL = re.compile(r"[^\W\d_]+")


class PdfError(Exception):
    def __init__(self, message: str, hint: str | None = None, usage: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.usage = usage  # the file is wrong (exit 2); else the document has nothing to archive (exit 1)


@dataclass(frozen=True)
class PdfText:
    paragraphs: tuple[str, ...]
    pages: tuple[int, ...]  # body offsets at which pages 1, 2, ... start
    title: str | None
    author: str | None
    published: dt.date | None
    language: str | None
    scanned_pages: tuple[int, ...]  # pages with images and no text: not archived
    unreadable: int  # glyphs whose character the PDF does not say, archived as U+FFFD
    dropped_lines: int  # running headers, footers and page numbers left out


@dataclass
class _Line:
    text: str
    top: float
    bottom: float


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


def read_pdf(path: Path) -> PdfText:
    with _quiet_pdfminer(), path.open("rb") as fp:
        try:
            parser = PDFParser(fp)
            document = PDFDocument(parser)
            boxes, scanned = _pages(document)
            info = _info(document)
            language = language_tag(_text(document.catalog.get("Lang")))
        except PDFPasswordIncorrect:
            raise PdfError(
                "this PDF is encrypted with a password",
                "open it with its password and save an unencrypted copy (or: qpdf --decrypt --password=... "
                "in.pdf out.pdf), then import that",
            ) from None
        except PDFEncryptionError as exc:
            raise PdfError(f"this PDF's encryption is not supported: {exc}", "save an unencrypted copy") from None
        except (PDFSyntaxError, PDFException, PSException, ValueError, KeyError, TypeError, EOFError) as exc:
            raise PdfError(
                f"this PDF cannot be read: {exc or type(exc).__name__}", "is it damaged or cut short?"
            ) from None
    dropped = _drop_running_lines(boxes)
    paragraphs, starts = _assemble(boxes)
    if not paragraphs:
        raise PdfError(
            "this PDF has no text layer (a scan?), so there is no text to archive",
            "run it through OCR first (for example: ocrmypdf in.pdf out.pdf), read the result against the "
            "scan, and import that",
            usage=False,
        )
    title = clean(_text(info.get("Title")))
    return PdfText(
        paragraphs=tuple(paragraphs),
        pages=tuple(starts),
        title=None if not title or _NO_TITLE.search(title) else title,
        author=clean(_text(info.get("Author"))) or None,
        published=_date(_text(info.get("CreationDate"))),
        language=language,
        scanned_pages=tuple(scanned),
        unreadable=sum(p.count(UNREADABLE) for p in paragraphs),
        dropped_lines=dropped,
    )


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs every oddity of a PDF (a missing CropBox, ...); they
    would reach the terminal unformatted, and are not the user's concern."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _pages(document: PDFDocument) -> tuple[list[list[list[_Line]]], list[int]]:
    """Each page's text boxes in reading order, each box its lines; and the
    pages that show images but no text."""
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages: list[list[list[_Line]]] = []
    scanned: list[int] = []
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        interpreter.process_page(page)
        layout: LTPage = device.get_result()
        boxes = []
        for item in layout:
            if isinstance(item, LTTextBox):
                lines = [
                    _Line(_UNMAPPED.sub(UNREADABLE, line.get_text().rstrip("\n")), line.y1, line.y0)
                    for line in item
                    if isinstance(line, LTTextLine) and line.get_text().strip()
                ]
                if lines:
                    boxes.append(lines)
        if not boxes and any(isinstance(item, (LTFigure, LTImage)) for item in layout):
            scanned.append(number)
        pages.append(boxes)
    return pages, scanned


def _drop_running_lines(pages: list[list[list[_Line]]]) -> int:
    """Drop page numbers and running headers and footers (see the module's note)."""

    def signature(line: _Line) -> str:
        return re.sub(r"\d+", "#", " ".join(line.text.split())).casefold()

    def edges(boxes: list[list[_Line]]) -> tuple[list[_Line], list[_Line]]:
        lines = sorted((line for box in boxes for line in box), key=lambda x: -x.top)
        return lines[:_EDGE_LINES], lines[::-1][:_EDGE_LINES]

    counts: Counter[tuple[str, str]] = Counter()
    for boxes in pages:
        top, bottom = edges(boxes)
        for edge, lines in (("top", top), ("bottom", bottom)):
            counts.update({(edge, signature(line)) for line in lines})
    enough = _REPEATS
    dropped = 0
    for boxes in pages:
        top, bottom = edges(boxes)
        doomed: list[_Line] = []
        for edge, lines in (("top", top), ("bottom", bottom)):
            for line in lines:  # from the edge inwards, while they are furniture
                text = " ".join(line.text.split())
                if _PAGE_NUMBER.match(text) or counts[(edge, signature(line))] >= enough:
                    doomed.append(line)
                else:
                    break
        for box in boxes:
            box[:] = [line for line in box if not any(line is d for d in doomed)]
        boxes[:] = [box for box in boxes if box]
        dropped += len({id(d) for d in doomed})
    return dropped


class _Words:
    """The document's own words: what tells a word hyphenated at a line's end
    ("manip-" "ulation") from a compound broken at its hyphen ("well-" "known")."""

    def __init__(self, pages: list[list[list[_Line]]]) -> None:
        self.plain: set[str] = set()
        self.hyphenated: set[str] = set()
        for boxes in pages:
            for box in boxes:
                for line in box:
                    text = line.text.strip()
                    if text.endswith("-"):  # its last word is broken: not evidence
                        text = text[: -len(text.split()[-1])] if text.split() else ""
                    for word in _WORD.findall(text.casefold()):
                        (self.hyphenated if "-" in word else self.plain).add(word)

    def joined(self, before: str, after: str) -> str:
        """Two lines (or a page's end and the next page's start) as one text.
        A soft hyphen at the break is hyphenation: the word is joined, the
        hyphen dropped. A hard hyphen is dropped only when the document uses
        the joined word elsewhere and never the hyphenated one; otherwise it
        is kept and the parts joined ("well-known"), as the page shows them."""
        if before.endswith(SOFT_HYPHEN):
            return before[:-1] + after
        head, tail = _BROKEN_HEAD.search(before), _BROKEN_TAIL.match(after)
        if head and tail:
            start, end = head.group(1).casefold(), tail.group(0).casefold()
            if start + end in self.plain and f"{start}-{end}" not in self.hyphenated:
                return before[:-1] + after
            return before + after
        return before + " " + after

    def box_text(self, lines: list[_Line]) -> str:
        """A box's lines as one paragraph."""
        out = ""
        for line in lines:
            text = line.text.strip()
            out = self.joined(out, text) if out else text
        return out


def _continues(before: str, after: str) -> bool:
    """Does a box carry on the sentence of the one before it (a paragraph split by a page break)?"""
    if before.endswith((SOFT_HYPHEN, "-")):
        return after[:1].isalpha()
    return not before.endswith(_SENTENCE_END) and after[:1].islower()


def _assemble(pages: list[list[list[_Line]]]) -> tuple[list[str], list[int]]:
    """The body's paragraphs, and the body offset where each page starts."""
    words = _Words(pages)
    paragraphs: list[str] = []
    marks: list[tuple[int, int]] = []  # where each page's text starts: (paragraph, position in it)
    waiting = 0  # pages whose start is the next text written (pages with no text start where the next one does)
    for boxes in pages:
        waiting += 1
        for lines in boxes:
            raw = words.box_text(lines)
            # clean() drops soft hyphens, which are invisible; one ending the box still marks a break.
            text = clean(raw) + (SOFT_HYPHEN if raw.endswith(SOFT_HYPHEN) else "")
            if not text.strip(SOFT_HYPHEN):
                continue
            if paragraphs and _continues(paragraphs[-1], text):
                paragraphs[-1] = words.joined(paragraphs[-1], text)
                mark = (len(paragraphs) - 1, len(paragraphs[-1]) - len(text))
            else:
                paragraphs.append(text)
                mark = (len(paragraphs) - 1, 0)
            marks.extend([mark] * waiting)
            waiting = 0
    # A soft hyphen left at a paragraph's end marks nothing.
    paragraphs = [p.rstrip(SOFT_HYPHEN) for p in paragraphs]
    before = [0]
    for p in paragraphs:
        before.append(before[-1] + len(p) + 2)  # the paragraph and the blank line after it
    starts = [before[i] + at for i, at in marks]
    end = before[-1] - 2 if paragraphs else 0
    return paragraphs, starts + [end] * waiting


def _info(document: PDFDocument) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for info in document.info:  # one per update of the file; the last says most
        info = resolve1(info)
        if isinstance(info, dict):
            merged.update(info)
    return merged


def _text(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, bytes):
        return decode_text(value)
    if isinstance(value, str):
        return value
    name = getattr(value, "name", None)  # a PDF name, as /Lang is sometimes written
    return name if isinstance(name, str) else ""


def _date(value: str) -> dt.date | None:
    """The day of a PDF date (D:YYYYMMDDHHmmSS+HH'mm'), as written."""
    m = _PDF_DATE.match(value.strip())
    if not m or not m.group(2) or not m.group(3):
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
