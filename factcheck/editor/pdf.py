"""The text of a PDF document, in reading order, with the page each part is on.

pdfminer.six lays each page out (characters into lines, lines into text
boxes) and we take its boxes as paragraphs. Its order of the boxes reads
short columns across, a paragraph of one column then one of the other, so
we order them ourselves, a column after the other (see _reading_order).
Lines of a box are joined with a space; a word broken at a line's end is
joined where the PDF marks the break as hyphenation, with a soft hyphen
(U+00AD), which is then dropped. A hard hyphen at a line's end may be a
compound's ("well-\\nknown" gives "well-known", the hyphen kept): it is
dropped only where the document uses the joined word elsewhere and never
the hyphenated one (see _Words.joined). A box that does not end a sentence
and is followed by one starting in lower case continues it, also across a
page break, so a sentence that flows over a page keeps flowing in the body.

Running headers and footers: a line at the top or bottom edge of a page is
dropped when it is a page number ("12", "Page 3 of 9", "- 4 -"), or when the
same line (digits aside) stands at that edge on at least half of the pages,
three at least. Anything else stays.
"""

from __future__ import annotations

import bisect
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
from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTPage, LTTextBox, LTTextLine
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
_COLUMN_SHARE = 0.2  # the least width of a column, as a share of the text's
_UNMAPPED = re.compile(r"\(cid:\d+\)")  # pdfminer's name for a glyph its font maps to no character
HYPHENS = ("-", "\u2010")  # hyphen-minus, and the hyphen browsers print where they break a word
_WORD = re.compile(r"\w+(?:[-\u2010]\w+)*")
_BROKEN_HEAD = re.compile(r"([^\W\d_]+)[-\u2010]$")  # letters, then the hyphen that ends a line
_NO_ROOM = 0.05  # of the font size: a space glyph followed by one this close to it takes no room
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


@dataclass(frozen=True)
class _Box:
    """A text box of a page: where it stands (PDF units, y upwards) and its lines."""

    x0: float
    y0: float
    x1: float
    y1: float
    lines: list[_Line]


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
                    _Line(_UNMAPPED.sub(UNREADABLE, text.rstrip("\n")), line.y1, line.y0)
                    for line in item
                    if isinstance(line, LTTextLine) and (text := _line_text(line)).strip()
                ]
                if lines:
                    boxes.append(_Box(item.x0, item.y0, item.x1, item.y1, lines))
        if not boxes and any(isinstance(item, (LTFigure, LTImage)) for item in layout):
            scanned.append(number)
        pages.append([box.lines for box in _reading_order(boxes)])
    return pages, scanned


def _line_text(line: LTTextLine) -> str:
    """A line's text, less the spaces that take no room on the page: a
    browser prints a soft hyphen where it did not break the word as a glyph
    of no width that its font maps to a space ("re com mend ations")."""
    chars = list(line)
    out = []
    for char, after in zip(chars, [*chars[1:], None], strict=True):
        if (
            isinstance(char, LTChar)
            and isinstance(after, LTChar)
            and char.get_text() == " "
            and abs(after.x0 - char.x0) < _NO_ROOM * char.size
        ):
            continue
        out.append(char.get_text())
    return "".join(out)


def _reading_order(boxes: list[_Box]) -> list[_Box]:
    """A page's boxes as a reader takes them: the page is cut into bands at
    every gap across its width, top to bottom; bands that leave the same
    gutter free (the paragraphs of columns, side by side) are taken
    together and cut into columns at it, left to right, each column read
    the same way. A full-width heading or paragraph is a band of its own.
    Boxes with no gap between them either way keep pdfminer's order."""
    if len(boxes) < 2:
        return boxes
    bands = _cut(boxes, across=True)
    if len(bands) == 1:
        columns = _cut(boxes, across=False)
        return boxes if len(columns) == 1 else [b for column in columns for b in _reading_order(column)]
    groups: list[tuple[list[_Box], list[tuple[float, float]]]] = []
    for band in bands:
        gutters = _gutters(band)
        shared = _overlaps(groups[-1][1], gutters) if groups else []
        if shared:
            groups[-1] = (groups[-1][0] + band, shared)
        else:
            groups.append((band, gutters))
    ordered = []
    for group, _ in groups:
        if len(group) == len(boxes):  # bands joined over a gutter: the columns, one after the other
            ordered += [b for column in _cut(group, across=False) for b in _reading_order(column)]
        else:
            ordered += _reading_order(group)
    return ordered


def _gutters(band: list[_Box]) -> list[tuple[float, float]]:
    """The gaps down a band between columns: with text at least a fifth of
    the band's width on either side (not a list's numbers beside its items)."""
    left, right = min(b.x0 for b in band), max(b.x1 for b in band)
    least = (right - left) * _COLUMN_SHARE
    return [(lo, hi) for lo, hi in _gaps([(b.x0, b.x1) for b in band]) if lo - left >= least and right - hi >= least]


def _cut(boxes: list[_Box], across: bool) -> list[list[_Box]]:
    """The boxes cut at every gap between them: across the page into bands,
    top first; or down it into columns, left first."""
    spans = [(b.y0, b.y1) if across else (b.x0, b.x1) for b in boxes]
    cuts = [(lo + hi) / 2 for lo, hi in _gaps(spans)]
    parts: list[list[_Box]] = [[] for _ in range(len(cuts) + 1)]
    for box, (lo, _) in zip(boxes, spans, strict=True):
        at = bisect.bisect(cuts, lo)
        parts[len(cuts) - at if across else at].append(box)
    return parts


def _gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The free stretches between intervals, in order."""
    gaps = []
    ordered = sorted(spans)
    reach = ordered[0][1]
    for lo, hi in ordered[1:]:
        if lo > reach:
            gaps.append((reach, lo))
        reach = max(reach, hi)
    return gaps


def _overlaps(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(max(x[0], y[0]), min(x[1], y[1])) for x in a for y in b if max(x[0], y[0]) < min(x[1], y[1])]


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
                    if text.endswith(HYPHENS):  # its last word is broken: not evidence
                        text = text[: -len(text.split()[-1])] if text.split() else ""
                    for word in _WORD.findall(text.casefold()):
                        word = word.replace("\u2010", "-")
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
    if before.endswith((SOFT_HYPHEN, *HYPHENS)):
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
