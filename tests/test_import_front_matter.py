"""The front matter `import` writes: author, archived, archive_url, warc_digest, pages.

Each is read and checked by the corpus loader like any other key; a bad
value is a `schema` error at its line. `Article.page_of` and `pages_of` turn
body offsets into the pages of a document.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from factcheck.model import Article
from factcheck.verify.corpus import parse_article
from factcheck.verify.sources import SourceFile

BODY = "Page one ends here and the sentence\n\nflows on to page two.\n"  # page 2 starts at 37


def _load(front: str, body: str = BODY) -> tuple[Article | None, list[tuple[str, int | None, str]]]:
    article, diagnostics = parse_article(SourceFile("doc", Path("doc.txt"), "doc.txt"), f"---\n{front}\n---\n{body}")
    return article, [(d.code, d.line, d.message) for d in diagnostics if d.code != "article-unpinned"]


def test_every_key_import_writes_loads() -> None:
    article, problems = _load(
        "\n".join(
            [
                'author: "Harbour Authority"',
                "archived: 2023-10-18T09:12:44Z",
                'archive_url: "https://web.archive.org/web/20231018091244/https://harbour.example/report"',
                'warc_digest: "sha1:RUBG3KUG7XWQTHQXE36YC5JEVC5C5S2Q"',
                "pages: [0, 37]",
            ]
        )
    )
    assert problems == []
    assert article is not None
    assert article.author == "Harbour Authority"
    assert article.archived == "2023-10-18T09:12:44Z"
    assert article.archived_at() == dt.datetime(2023, 10, 18, 9, 12, 44, tzinfo=dt.UTC)
    assert article.archive_url == "https://web.archive.org/web/20231018091244/https://harbour.example/report"
    assert article.warc_digest == "sha1:RUBG3KUG7XWQTHQXE36YC5JEVC5C5S2Q"
    assert article.pages == (0, 37)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-18", dt.date(2023, 10, 18)),
        (
            "2023-10-18T09:12:44.5+01:00",
            dt.datetime(2023, 10, 18, 9, 12, 44, 500000, dt.timezone(dt.timedelta(hours=1))),
        ),
    ],
)
def test_archived_is_a_date_or_a_date_time_with_its_zone(value: str, expected: dt.date) -> None:
    article, problems = _load(f"archived: {value}")
    assert problems == [] and article is not None and article.archived_at() == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("archived: 2023-10-18T09:12", "'archived' is not a valid date or date-time: '2023-10-18T09:12'"),
        ("archived: 2023-10-18T09:12:44", "'archived' is not a valid date or date-time: '2023-10-18T09:12:44'"),
        ("archived: 2023-02-30", "'archived' is not a valid date or date-time: '2023-02-30'"),
        (
            "archive_url: web.archive.org/web/2023",
            "'archive_url' is not an absolute http(s) URL: 'web.archive.org/web/2023'",
        ),
        ('warc_digest: "2Q4NSU"', "'warc_digest' is not a WARC digest: '2Q4NSU'"),
        ("pages: 0", "'pages' must be a list of body offsets, not a number"),
        ("pages: []", "'pages' is empty"),
        ("pages: [3, 37]", "'pages' must start at 0 (page 1 starts the body), not 3"),
        ("pages: [0, 40, 37]", "page 3 of 'pages' starts at 37, before page 2 (40)"),
        ("pages: [0, 999]", "page 2 of 'pages' starts at 999, past the end of the body (59)"),
        ('pages: [0, "37"]', "page 2 of 'pages' must be a body offset (a whole number), not a string"),
        ("pages: [0, -1]", "page 2 of 'pages' must be a body offset (0 or more), not -1"),
    ],
)
def test_a_bad_value_is_a_schema_error_at_its_line(line: str, message: str) -> None:
    article, problems = _load(f'title: "A report"\n{line}')
    assert problems == [("schema", 3, message)]
    assert article is not None  # the rest of the article still loads
    assert article.title == "A report"


def test_a_misspelt_key_is_told_the_right_one() -> None:
    _, problems = _load("page: [0, 37]")
    assert problems == [("unknown-field", 2, "unknown field 'page' in article front matter")]


def test_page_of_and_pages_of() -> None:
    article, _ = _load("pages: [0, 37, 37, 58]")  # page 3 is blank; page 4 holds only the final line break
    assert article is not None
    assert [article.page_of(o) for o in (0, 36, 37, 57, 58)] == [1, 1, 3, 3, 4]
    assert article.page_of(59) is None and article.page_of(-1) is None
    start = BODY.index("the sentence")
    end = BODY.index("page two") + len("page two")
    assert article.pages_of(start, end) == (1, 3)
    assert article.pages_of(0, 4) == (1, 1)
    assert article.pages_of(5, 5) is None
    assert article.pages_of(0, 100) is None
    plain, _ = _load('title: "No pages"')
    assert plain is not None and plain.page_of(0) is None and plain.pages_of(0, 4) is None
