"""`factcheck import report.pdf`: a document's text, with the page each part is on."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from factcheck.verify.corpus import load_corpus
from factcheck.verify.match import Found, find_quote

from . import test_import
from .conftest import Desk
from .pdfs import REPORT_BODY, Page, make_pdf, report
from .test_import import files, run

empty_desk = test_import.empty_desk  # the desk fixture of test_import.py

REPORT_ID = "harbour-authority-2023-10-20"  # no publisher: the author stands in, with the date


def _write(tmp_path: Path, data: bytes, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_report_is_archived_in_reading_order_with_its_pages(empty_desk: Desk, tmp_path: Path) -> None:
    result = run(empty_desk, _write(tmp_path, report()))
    assert result.code == 0, result.err
    assert f"archived content/articles/{REPORT_ID}.txt: id {REPORT_ID}, " in result.out
    assert '"Pier inspection report", 6 paragraphs on 4 pages; ' in result.out
    text = (empty_desk.articles / f"{REPORT_ID}.txt").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    # Running header and page numbers are gone; the soft hyphen joined "inspection";
    # "well-known" keeps its hyphen; the sentence over the page break flows on.
    assert body == REPORT_BODY
    assert front.splitlines()[1:] == [
        'title: "Pier inspection report"',
        'author: "Harbour Authority"',
        "published: 2023-10-20",
        'language: "en-GB"',
        "pages: [0, 313, 456, 456]",  # page 3 is blank: it starts where page 4 does
        front.splitlines()[-1],
    ]
    assert front.splitlines()[-1].startswith("sha256: ")
    # A warning says what the document does not give.
    assert "the PDF does not give the article's publisher or address (url)" in result.err

    articles, diagnostics = load_corpus(empty_desk.articles, empty_desk.root)
    assert diagnostics == []
    article = articles[REPORT_ID]
    assert article.pages == (0, 313, 456, 456)
    assert article.page_of(0) == 1
    assert article.page_of(312) == 1
    assert article.page_of(313) == 2
    assert article.page_of(456) == 4
    assert article.page_of(len(article.body)) is None
    found = find_quote(article.normalized, "expected to cost about £1.2 million")
    assert isinstance(found, Found)
    assert article.pages_of(found.start, found.end) == (1, 2)
    found = find_quote(article.normalized, "The harbour committee meets on Friday")
    assert isinstance(found, Found) and article.pages_of(found.start, found.end) == (4, 4)


def test_a_quote_over_the_page_break_passes_check(empty_desk: Desk, tmp_path: Path) -> None:
    assert run(empty_desk, _write(tmp_path, report())).code == 0
    empty_desk.write_check(
        "pier-cost.yaml",
        f"""claim: "The pier repairs will cost £1.2m."
claimant: Harbour Authority
verdict: accurate
summary: The authority's report gives the figure.
published: 2023-10-21
citations:
  - article: {REPORT_ID}
    quote: "are expected to cost about £1.2 million, the engineers said"
    stance: claim
""",
    )
    check = empty_desk.run("check", "--strict")
    assert check.code == 0, check.out
    found = empty_desk.run("find", "take about six weeks and are expected to cost about")
    assert found.code == 0 and f"article: {REPORT_ID}" in found.out


def test_a_hyphen_at_a_line_end_is_not_taken_for_hyphenation() -> None:
    # Only the soft hyphen joins a word; a hard hyphen is the text's own (a compound, a range).
    assert "An inspection the next" in REPORT_BODY and "well-known" in REPORT_BODY


def test_a_line_on_only_some_pages_is_not_a_running_header(empty_desk: Desk, tmp_path: Path) -> None:
    pages = [Page() for _ in range(4)]
    for n, page in enumerate(pages, start=1):
        if n <= 2:
            page.lines.append((72, 800, "Summary of findings"))  # on 2 pages of 4: kept
        page.paragraph(740, f"Finding {n} is set out on this page.")
    result = run(empty_desk, _write(tmp_path, make_pdf(pages, info={"Title": "Findings"})))
    assert result.code == 0, result.err
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body.count("Summary of findings") == 2


def test_a_scan_without_a_text_layer_is_refused(empty_desk: Desk, tmp_path: Path) -> None:
    scan = _write(tmp_path, make_pdf([Page(scan=True), Page(scan=True)], info={"Title": "Scanned letter"}))
    result = run(empty_desk, scan)
    assert result.code == 1
    assert f"{scan}: error[import]: this PDF has no text layer (a scan?), so there is no text to archive" in result.err
    assert "help: run it through OCR first" in result.err
    assert files(empty_desk.articles) == {}


def test_scanned_pages_among_text_pages_are_a_warning(empty_desk: Desk, tmp_path: Path) -> None:
    text = Page()
    text.paragraph(740, "The covering letter is typed; the annex that follows is a scan.")
    pdf = _write(tmp_path, make_pdf([text, Page(scan=True)]))
    result = run(empty_desk, pdf)
    assert result.code == 0, result.err
    assert "warning[import]: page 2 shows images but no text (scans?): their text is not archived" in result.err
    assert "pages: [0, 63]" in (empty_desk.articles / "report.txt").read_text(encoding="utf-8")


def _encrypted(data: bytes, user: str, owner: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_locked_with_a_password_is_refused(empty_desk: Desk, tmp_path: Path) -> None:
    locked = _write(tmp_path, _encrypted(report(), user="secret", owner="owner"))
    result = run(empty_desk, locked)
    assert result.code == 2
    assert f"{locked}: error[import]: this PDF is encrypted with a password" in result.err
    assert files(empty_desk.articles) == {}


def test_a_pdf_encrypted_without_a_user_password_is_read(empty_desk: Desk, tmp_path: Path) -> None:
    # Many PDFs are encrypted only to restrict printing or editing: anyone may open them.
    result = run(empty_desk, _write(tmp_path, _encrypted(report(), user="", owner="owner")))
    assert result.code == 0, result.err
    assert (empty_desk.articles / f"{REPORT_ID}.txt").read_text(encoding="utf-8").endswith(REPORT_BODY)


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("Российская газета", "rossiyskaya-gazeta-2021-03-04"),
        ("Η Καθημερινή", "i-kathimerini-2021-03-04"),
        ("الجزيرة", "ljzyrh-2021-03-04"),
    ],
)
def test_ids_from_names_in_other_scripts_are_transliterated(
    empty_desk: Desk, tmp_path: Path, author: str, expected: str
) -> None:
    page = Page()
    page.paragraph(740, "A statement was issued on Thursday.")
    pdf = _write(tmp_path, make_pdf([page], info={"Author": author, "CreationDate": "D:20210304"}), "x.pdf")
    result = run(empty_desk, pdf)
    assert result.code == 0, result.err
    assert f"id {expected}," in result.out


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", report()[: len(report()) // 2]],
    ids=["just-a-header", "cut-in-half"],
)
def test_a_damaged_pdf_is_refused(empty_desk: Desk, tmp_path: Path, data: bytes) -> None:
    result = run(empty_desk, _write(tmp_path, data))
    assert result.code in (1, 2), result.err
    assert "error[import]: this PDF" in result.err
    assert files(empty_desk.articles) == {}


def test_a_hard_hyphen_at_a_line_end_goes_only_where_the_document_uses_the_word_whole(
    empty_desk: Desk, tmp_path: Path
) -> None:
    page = Page()
    y = page.paragraph(740, "The engineers inspected the pier and the struc-", "ture was found unsafe.")
    y = page.paragraph(y, "No structure on the island is older.", "The report is well-", "known locally.")
    page.paragraph(y, "The ferry runs again in Decem-", "ber, the operator said.")
    result = run(empty_desk, _write(tmp_path, make_pdf([page])))
    assert result.code == 0, result.err
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert "the structure was found unsafe." in body  # "structure" stands elsewhere, whole
    assert "The report is well-known locally." in body  # "wellknown" does not
    assert "in Decem-ber, the operator said." in body  # no evidence either way: as the page shows it


def test_the_hyphen_a_browser_prints_at_a_break_is_a_hard_hyphen(empty_desk: Desk, tmp_path: Path) -> None:
    page = Page()
    y = page.paragraph(740, "The survey found the struc\u2010", "ture sound, with an accompany\u2010", "ing note.")
    page.paragraph(y, "No structure on the island is older.")
    result = run(empty_desk, _write(tmp_path, make_pdf([page])))
    assert result.code == 0, result.err
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    # Joined as "-" is: dropped where the document uses the word whole, else kept.
    assert body.startswith("The survey found the structure sound, with an accompany\u2010ing note.\n")


def test_a_space_that_takes_no_room_is_not_archived(empty_desk: Desk, tmp_path: Path) -> None:
    # Chromium prints a soft hyphen where it did not break the word as a glyph the font maps
    # to a space, then moves back over it: the page shows no space there.
    page = Page()
    page.raw.append(b"BT /F1 11 Tf 72 740 Td [(The re) ( ) 278 (com) ( ) 278 (mend) ( ) 278 (ations follow.)] TJ ET")
    page.raw.append(b"BT /F1 11 Tf 72 700 Td [(A space set) ( ) 60 (tight is a space.)] TJ ET")
    result = run(empty_desk, _write(tmp_path, make_pdf([page])))
    assert result.code == 0, result.err
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body == "The recommendations follow.\n\nA space set tight is a space.\n"


def test_glyphs_the_pdf_does_not_map_to_characters_are_marked_and_reported(empty_desk: Desk, tmp_path: Path) -> None:
    page = Page()
    page.paragraph(740, "The symbol that follows has no character:")
    page.raw.append(b"BT /F2 11 Tf 300 740 Td <00410042> Tj ET")
    result = run(empty_desk, _write(tmp_path, make_pdf([page])))
    assert result.code == 0, result.err
    assert "warning[import]: 2 characters of the PDF could not be read (its fonts do not say which they are)" in (
        result.err
    )
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body == "The symbol that follows has no character:\n\n\ufffd\ufffd\n"  # never pdfminer's "(cid:65)"


def test_columns_are_read_one_after_the_other(empty_desk: Desk, tmp_path: Path) -> None:
    # Short columns whose paragraphs stand side by side, level with each other: pdfminer's own
    # order reads them across (a paragraph of the left column, then one of the right).
    page = Page()
    page.paragraph(790, "Harbour dues to rise from April, the authority says in its annual statement")
    y = page.paragraph(750, "Dues for the ferry rise by a", "tenth from the first of April.")
    y = page.paragraph(y, "Fishing boats pay the same as", "before, the statement says.")
    page.paragraph(y, "The rise is to cover the cost", "of the pier's")
    y = page.paragraph(750, "repairs, which the engineers", "put at about £1.2 million.", x=320)
    y = page.paragraph(y, "Yachts moored over winter", "pay a new charge.", x=320)
    page.paragraph(y, "The statement is signed by", "the harbour master.", x=320)
    page.paragraph(560, "Comments may be sent to the authority until the end of March, it says.")
    result = run(empty_desk, _write(tmp_path, make_pdf([page], info={"Title": "Annual statement"})))
    assert result.code == 0, result.err
    body = (empty_desk.articles / "report.txt").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert body.splitlines()[::2] == [
        "Harbour dues to rise from April, the authority says in its annual statement",
        "Dues for the ferry rise by a tenth from the first of April.",
        "Fishing boats pay the same as before, the statement says.",
        # The left column's last sentence runs on at the top of the right column.
        "The rise is to cover the cost of the pier's repairs, which the engineers put at about £1.2 million.",
        "Yachts moored over winter pay a new charge.",
        "The statement is signed by the harbour master.",
        "Comments may be sent to the authority until the end of March, it says.",
    ]
