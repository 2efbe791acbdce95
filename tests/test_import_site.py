"""What the built site shows of where an archived text came from.

An article page says when its text was captured (`archived`, a date or a
date-time), where from (`url`) and where an archived copy is
(`archive_url`); a document's article page marks where each of its pages
begins, and each quote from it on a check page says on which page(s) it
stands ("p. 4", "pp. 1–2"). The sources are imported as users import them: a
PDF made in tests/pdfs.py, a WARC capture written with warcio.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from factcheck.site.marks import Paragraph, Segment, with_pages

from . import test_import
from .conftest import Desk
from .pdfs import report
from .test_import import article_file, run
from .test_import_pdf import REPORT_ID
from .test_import_warc import HARBOUR_URL, RIVERSIDE_URL, write_capture

empty_desk = test_import.empty_desk  # the desk fixture of test_import.py

NBSP = "\u00a0"
WAYBACK = "https://web.archive.org/web/20231018091244/" + HARBOUR_URL


def in_language(desk: Desk, language: str) -> Desk:
    text = desk.config.read_text(encoding="utf-8")
    desk.config.write_text(re.sub(r"^language: .*$", f"language: {language}", text, flags=re.M), encoding="utf-8")
    return desk


def built(desk: Desk, path: str) -> BeautifulSoup:
    result = desk.run("build", "--strict")
    assert result.code == 0, result.out + result.err
    return BeautifulSoup((desk.root / "site" / path).read_text(encoding="utf-8"), "html.parser")


def page(desk: Desk, path: str) -> BeautifulSoup:
    return BeautifulSoup((desk.root / "site" / path).read_text(encoding="utf-8"), "html.parser")


def facts(doc: BeautifulSoup) -> dict[str, object]:
    """The article's facts at the top of its page: label -> the <dd> element."""
    return {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in doc.select("dl.facts dt")}


def page_marks(doc: BeautifulSoup) -> list[tuple[str, str]]:
    """Each "Page N" mark of the article's text, with the start of the paragraph that follows it."""
    return [
        (mark.get_text(strip=True), mark.find_next_sibling("p").get_text()[:30])
        for mark in doc.select(".body p.page-start")
    ]


def quote_pages(doc: BeautifulSoup) -> dict[str, str]:
    """Each quote of a check page (its marked words) -> what its source line says after the title."""
    found = {}
    for card in doc.select("li.quote-card"):
        quote = " ".join(m.get_text() for m in card.select("blockquote mark"))
        source = re.sub(r"[ \t\n]+", " ", card.select_one("p.source").get_text())  # a no-break space stays
        found[quote] = source.rsplit("·", 1)[-1].strip(" ")
    return found


PIER_CHECK = f"""claim: "The pier repairs will cost £1.2m, approved on Friday."
claimant: Harbour Authority
verdict: accurate
summary: The authority's report gives the figure and the meeting.
published: 2023-10-21
citations:
  - article: {REPORT_ID}
    quote: "are expected to cost about £1.2 million, the engineers said"
    stance: claim
  - article: {REPORT_ID}
    quote: "The harbour committee meets on Friday"
    stance: supports
  - article: {REPORT_ID}
    quote: "two timber piles sheared through"
    stance: context
"""


def _report_desk(desk: Desk, tmp_path: Path) -> Desk:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report())
    assert run(desk, pdf).code == 0
    desk.write_check("pier-cost.yaml", PIER_CHECK)
    return desk


@pytest.mark.parametrize(
    ("language", "labels", "marks", "pages_fact"),
    [
        ("en-GB", ("pp. 1–2", "p. 4", "p. 1"), ("Page 2", "Page 4"), ("Pages", "4")),
        ("fr", (f"p.{NBSP}1–2", f"p.{NBSP}4", f"p.{NBSP}1"), ("Page 2", "Page 4"), ("Pages", "4")),
        ("ar", ("ص 1–2", "ص 4", "ص 1"), ("الصفحة 2", "الصفحة 4"), ("الصفحات", "4")),
    ],
)
def test_a_document_and_each_quote_from_it_show_their_pages(
    empty_desk: Desk, tmp_path: Path, language: str, labels: tuple[str, ...], marks: tuple[str, ...], pages_fact: str
) -> None:
    desk = in_language(_report_desk(empty_desk, tmp_path), language)
    check = built(desk, "checks/pier-cost/index.html")
    assert quote_pages(check) == {
        "are expected to cost about £1.2 million, the engineers said": labels[0],  # over the page break
        "The harbour committee meets on Friday": labels[1],  # page 3 is blank
        "two timber piles sheared through": labels[2],
    }
    article = page(desk, f"articles/{REPORT_ID}/index.html")
    # Page 2 begins inside the sentence that flows over the break; page 3 has no text, so is not marked.
    assert page_marks(article) == [
        (marks[0], "Repairs to the pier will take "),
        (marks[1], "The harbour committee meets on"),
    ]
    label, count = pages_fact
    assert facts(article)[label].get_text() == count  # four pages, in the site's digits


def test_pages_of_an_article_without_them_are_not_shown(empty_desk: Desk) -> None:
    (empty_desk.articles / "plain.txt").write_text(
        article_file(['title: "A plain article"'], ["The committee meets on Friday."]), encoding="utf-8"
    )
    empty_desk.write_check(
        "plain.yaml",
        """claim: "The committee meets on Friday."
claimant: The council
verdict: accurate
summary: It says so.
published: 2023-10-21
citations:
  - article: plain
    quote: "The committee meets on Friday"
    stance: claim
""",
    )
    check = built(empty_desk, "checks/plain/index.html")
    assert "·" not in check.select_one("p.source").get_text()
    article = page(empty_desk, "articles/plain/index.html")
    assert article.select(".body p.page-start") == [] and "Pages" not in facts(article)


def _paragraphs(*texts: str) -> list[Paragraph]:
    out, at = [], 0
    for text in texts:
        out.append(Paragraph(at, (Segment(text),)))
        at += len(text) + 2
    return out


def test_blank_pages_are_not_marked_before_the_next_pages_text() -> None:
    found = _paragraphs("One.", "Two.", "Three.")  # starts 0, 6, 12; the text ends at 18
    marked = lambda pages: [p.page for p in with_pages(found, pages)]  # noqa: E731
    assert marked((0, 6, 12)) == [None, 2, 3]
    assert marked((0, 6, 6, 12)) == [None, 3, 4]  # page 2 is blank: "Two." is on page 3
    assert marked((0, 6, 18)) == [None, 2, None]  # page 3 is blank, at the end
    assert marked((0, 8)) == [None, 2, None]  # page 2 starts inside "Two.": marked before it
    assert marked((0,)) == [None, None, None] and marked(None) == [None, None, None]


# --- when and from where -------------------------------------------------------------


@pytest.mark.parametrize(
    ("archived", "language", "shown"),
    [
        ("2023-10-18T09:12:44Z", "en-GB", "18 October 2023, 09:12 UTC"),
        ("2023-10-18T10:12:44+01:00", "en-GB", "18 October 2023, 09:12 UTC"),  # in UTC, as captures give it
        ("2023-10-18", "en-GB", "18 October 2023"),
        ("2023-10-18T09:12:44Z", "fr", "18 octobre 2023 à 09:12 UTC"),
        ("2023-10-18", "fr", "18 octobre 2023"),
    ],
)
def test_an_article_page_says_when_and_from_where_its_text_was_archived(
    empty_desk: Desk, archived: str, language: str, shown: str
) -> None:
    (empty_desk.articles / "ferry.txt").write_text(
        article_file(
            [
                'title: "Ferry suspended"',
                f'url: "{HARBOUR_URL}"',
                f"archived: {archived}",
                f'archive_url: "{WAYBACK}"',
            ],
            ["The ferry between Kessock Point and the island was suspended on Tuesday."],
        ),
        encoding="utf-8",
    )
    doc = built(in_language(empty_desk, language), "articles/ferry/index.html")
    labels = {"en-GB": ("Original", "Archived", "Archived copy"), "fr": ("Original", "Archivé", "Copie archivée")}
    original, when, copy = (facts(doc)[label] for label in labels[language])
    assert original.a["href"] == original.a.get_text() == HARBOUR_URL
    assert when.time["datetime"] == archived and when.get_text() == shown
    assert copy.a["href"] == copy.a.get_text() == WAYBACK
    # Beside the original: the original, when it was captured, then the archived copy.
    assert list(facts(doc)).index(labels[language][2]) == list(facts(doc)).index(labels[language][0]) + 2


def test_an_article_without_a_capture_says_nothing_of_one(empty_desk: Desk) -> None:
    (empty_desk.articles / "plain.txt").write_text(
        article_file(['title: "A plain article"'], ["The committee meets on Friday."]), encoding="utf-8"
    )
    labels = set(facts(built(empty_desk, "articles/plain/index.html")))
    assert not labels & {"Original", "Archived", "Archived copy"}


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_an_article_imported_from_a_warc_capture_shows_its_capture(
    empty_desk: Desk, tmp_path: Path, compress: bool
) -> None:
    # Two article pages with their requests, styles, script, image, a 404 page and metadata records.
    capture = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    dates = write_capture(capture, compress=compress, pages=2)
    assert run(empty_desk, capture, "--url", HARBOUR_URL).code == 0
    doc = built(empty_desk, "articles/harbour-gazette-2023-10-18/index.html")
    shown = facts(doc)
    assert shown["Archived"].time["datetime"] == dates[HARBOUR_URL] == "2023-10-18T09:12:44Z"
    assert shown["Archived"].get_text() == "18 October 2023, 09:12 UTC"
    assert shown["Original"].a["href"] == HARBOUR_URL
    assert "Archived copy" not in shown  # none was given
    assert doc.select_one(".body p").get_text().startswith("The ferry between Kessock Point")
    # The other page of the capture was not archived, and nothing else of it.
    assert sorted(p.name for p in empty_desk.articles.iterdir()) == ["harbour-gazette-2023-10-18.txt"]
    assert RIVERSIDE_URL not in str(doc)
