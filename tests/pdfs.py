"""PDFs made for the tests, by hand: a few objects, a content stream a page.

Written out here rather than with a PDF library so that every byte that
matters is visible: where each line stands, the soft hyphen (byte 0xAD,
named /sfthyphen in the font's encoding so that it reads back as U+00AD), the
Info dictionary, the catalog's /Lang, a page that is only an image (a scan).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Helvetica, WinAnsi, with 0xAD the soft hyphen (WinAnsi itself calls it "hyphen"), and
# 0x7F (unused in WinAnsi) U+2010, the hyphen a browser prints where it breaks a word.
_FONT = (
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding "
    b"<< /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [127 /hyphentwo 173 /sfthyphen] >> >>"
)
SIZE = 11
LEADING = 14  # between the lines of a paragraph
GAP = 30  # between paragraphs


@dataclass
class Page:
    lines: list[tuple[float, float, str]] = field(default_factory=list)  # x, y (from the bottom), text
    scan: bool = False  # an image filling the page, and no text
    raw: list[bytes] = field(default_factory=list)  # more of the content stream, e.g. text in font F2

    def paragraph(self, y: float, *lines: str, x: float = 72) -> float:
        """Lines of one paragraph from `y` down; returns where the next paragraph starts."""
        for i, line in enumerate(lines):
            self.lines.append((x, y - i * LEADING, line))
        return y - (len(lines) - 1) * LEADING - GAP


def _string(text: str) -> bytes:
    raw = text.replace("\u2010", "\x7f").encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf_text(text: str) -> bytes:
    """A text string of the Info dictionary, UTF-16BE with its BOM (any script)."""
    return b"<" + ("\ufeff" + text).encode("utf-16-be").hex().encode() + b">"


def make_pdf(pages: list[Page], info: dict[str, str] | None = None, lang: str | None = None) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the pages' numbers are known
    tree = add(b"")
    font = add(_FONT)
    # F2: a CID font with no ToUnicode map: its glyphs' characters are unknown to any reader.
    cid = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unmapped /DW 600 "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"
    )
    unmapped = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Unmapped /Encoding /Identity-H /DescendantFonts [%d 0 R] >>" % cid
    )
    image = add(
        b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream"
    )
    kids = []
    for page in pages:
        if page.scan:
            content = b"q 451 0 0 698 72 72 cm /Im1 Do Q"
        else:
            content = b"\n".join(
                [b"BT /F1 %d Tf %.1f %.1f Td %s Tj ET" % (SIZE, x, y, _string(text)) for x, y, text in page.lines]
                + page.raw
            )
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                % (tree, stream, font, unmapped, image)
            )
        )
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (
        tree,
        b" /Lang " + _pdf_text(lang) if lang else b"",
    )
    info_ref = None
    if info:
        info_ref = add(b"<< " + b" ".join(b"/%s %s" % (k.encode(), _pdf_text(v)) for k, v in info.items()) + b" >>")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R%s >>" % (
        len(objects) + 1,
        catalog,
        b" /Info %d 0 R" % info_ref if info_ref else b"",
    )
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def report(header: bool = True) -> bytes:
    """A four-page report: a running header, page numbers, a word hyphenated
    at a line's end (soft hyphen), a compound broken at its own hyphen, a
    sentence that flows over a page break, a blank third page."""
    pages = [Page(), Page(), Page(), Page()]
    for number, page in enumerate(pages, start=1):
        if number == 3:
            continue
        if header:
            page.lines.append((72, 800, "Harbour Authority \u2013 Pier Inspection Report 2023"))
        page.lines.append((290, 40, str(number)))
    y = pages[0].paragraph(740, "Pier inspection after Storm Agnes")
    y = pages[0].paragraph(
        y,
        "The pier at Kessock Point was closed on 17 October 2023. An inspec\u00ad",
        "tion the next morning found two timber piles sheared through.",
    )
    y = pages[0].paragraph(
        y,
        "The damage is well-",
        "known to the ferry's crews, who first reported it in May.",
    )
    pages[0].paragraph(
        y,
        "Repairs to the pier will take about six weeks and are",
        "expected to cost",
    )
    y = pages[1].paragraph(
        740,
        "about \u00a31.2 million, the engineers said. The ferry will not",
        "run while the work goes on.",
    )
    pages[1].paragraph(y, "A minibus will take islanders to Dunmore twice a day.")
    pages[3].paragraph(740, "The harbour committee meets on Friday to approve the cost.")
    return make_pdf(
        pages,
        info={
            "Title": "Pier inspection report",
            "Author": "Harbour Authority",
            "CreationDate": "D:20231020093000+01'00'",
        },
        lang="en-GB",
    )


REPORT_BODY = (
    "Pier inspection after Storm Agnes\n\n"
    "The pier at Kessock Point was closed on 17 October 2023. An inspection the next morning found two timber "
    "piles sheared through.\n\n"
    "The damage is well-known to the ferry's crews, who first reported it in May.\n\n"
    "Repairs to the pier will take about six weeks and are expected to cost about \u00a31.2 million, the engineers "
    "said. The ferry will not run while the work goes on.\n\n"
    "A minibus will take islanders to Dunmore twice a day.\n\n"
    "The harbour committee meets on Friday to approve the cost.\n"
)
