"""`factcheck import capture.warc`: the article page out of a WARC capture.

The captures are written here with warcio from the saved pages in
fixtures/import/, with what a browser's capture also holds: the request,
styles, a script, an image, metadata, a 404 page, a revisit.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from factcheck.verify.corpus import load_corpus

from . import test_import
from .conftest import Desk
from .test_import import PAGES, files, run

empty_desk = test_import.empty_desk  # the desk fixture of test_import.py

HARBOUR_URL = "https://www.harbourgazette.example/news/2023/oct/18/kessock-ferry-suspended"
RIVERSIDE_URL = "https://riverside-echo.example/local/hosepipe-ban-lifted-lower-tamsin"
COURRIER_URL = "https://www.courrier-vallee.example/sallanches/crue-arve-evacuation"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    content_type: str,
    date: str,
    status: str = "200 OK",
    extra: list[tuple[str, str]] | None = None,
) -> None:
    headers = [("Content-Type", content_type), *(extra or [])]
    if not any(k == "Transfer-Encoding" for k, _ in headers):
        headers.append(("Content-Length", str(len(body))))
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def _request(writer: WARCWriter, url: str, date: str) -> None:
    http = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", url.split("/")[2])], is_http_request=True)
    record = writer.create_warc_record(
        url, "request", payload=io.BytesIO(b""), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)


def _chunked(data: bytes, size: int = 700) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def write_capture(path: Path, compress: bool, pages: int = 2) -> dict[str, str]:
    """A capture of `pages` article pages with all that comes with them; the WARC-Date of each."""
    dates = {
        HARBOUR_URL: "2023-10-18T09:12:44Z",
        RIVERSIDE_URL: "2022-09-02T17:03:10Z",
        COURRIER_URL: "2018-04-12T06:30:00Z",
    }
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=compress)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests", "format": "WARC/1.1"}))
        date = dates[HARBOUR_URL]
        _request(writer, HARBOUR_URL, date)
        _response(writer, HARBOUR_URL, (PAGES / "harbour-gazette-ferry.html").read_bytes(), "text/html", date)
        _response(writer, "https://www.harbourgazette.example/static/site.css", b"body{color:#222}", "text/css", date)
        _response(
            writer, "https://www.harbourgazette.example/static/app.js", b"window.x=1;", "application/javascript", date
        )
        _response(writer, "https://www.harbourgazette.example/img/pier.jpg", PNG, "image/png", date)
        _response(
            writer,
            "https://www.harbourgazette.example/favicon.html",
            b"<html><body><p>Not found</p></body></html>",
            "text/html",
            date,
            status="404 Not Found",
        )
        metadata = writer.create_warc_record(
            HARBOUR_URL,
            "metadata",
            payload=io.BytesIO(b"outlink: https://www.harbourgazette.example/static/site.css\n"),
            warc_content_type="application/warc-fields",
        )
        writer.write_record(metadata)
        if pages >= 2:
            # Sent gzipped and chunked, its charset given by the HTTP header only.
            html = (PAGES / "riverside-echo-hosepipe.html").read_bytes()
            encoded = _chunked(gzip.compress(html))
            _request(writer, RIVERSIDE_URL, dates[RIVERSIDE_URL])
            _response(
                writer,
                RIVERSIDE_URL,
                encoded,
                "text/html; charset=utf-8",
                dates[RIVERSIDE_URL],
                extra=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")],
            )
    return dates


def _imported(desk: Desk, article_id: str) -> tuple[str, str]:
    text = (desk.articles / f"{article_id}.txt").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    return front, body


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_one_article_page_is_imported_with_its_capture(empty_desk: Desk, tmp_path: Path, compress: bool) -> None:
    capture = tmp_path / ("capture.warc.gz" if compress else "capture.warc")
    write_capture(capture, compress, pages=1)
    result = run(empty_desk, capture)
    assert result.code == 0, result.err
    assert result.err == ""
    front, body = _imported(empty_desk, "harbour-gazette-2023-10-18")
    assert f'url: "{HARBOUR_URL}"' in front
    assert "archived: 2023-10-18T09:12:44Z" in front
    assert 'warc_digest: "sha1:' in front
    assert 'language: "en-GB"' in front
    assert body.startswith("The ferry between Kessock Point")
    assert "body{color" not in body and "window.x" not in body and "Not found" not in body
    articles, diagnostics = load_corpus(empty_desk.articles, empty_desk.root)
    assert diagnostics == []
    article = articles["harbour-gazette-2023-10-18"]
    assert article.archived == "2023-10-18T09:12:44Z"
    assert article.archived_at() == dt.datetime(2023, 10, 18, 9, 12, 44, tzinfo=dt.UTC)
    assert article.warc_digest and article.warc_digest.startswith("sha1:")
    assert empty_desk.run("check", "--strict").code == 0


def test_the_same_page_saved_and_captured_gives_the_same_text(empty_desk: Desk, tmp_path: Path) -> None:
    capture = tmp_path / "capture.warc.gz"
    write_capture(capture, True, pages=1)
    assert run(empty_desk, capture, "--id", "from-warc").code == 0
    again = run(empty_desk, PAGES / "harbour-gazette-ferry.html")
    assert again.code == 1 and "this text is already archived as article 'from-warc'" in again.err


def test_several_pages_are_listed_and_url_picks_one(empty_desk: Desk, tmp_path: Path) -> None:
    capture = tmp_path / "crawl.warc.gz"
    write_capture(capture, True, pages=2)
    result = run(empty_desk, capture)
    assert result.code == 2
    assert "this WARC file holds 2 HTML pages; say which is the article with --url" in result.err
    assert HARBOUR_URL in result.err and RIVERSIDE_URL in result.err
    assert "static/site.css" not in result.err and "favicon.html" not in result.err  # not pages, or not 200
    assert files(empty_desk.articles) == {}

    picked = run(empty_desk, capture, "--url", RIVERSIDE_URL + "/")  # a final '/' makes no difference
    assert picked.code == 0, picked.err
    front, body = _imported(empty_desk, "riverside-echo-2022-09-02")
    assert "archived: 2022-09-02T17:03:10Z" in front
    assert body.startswith("Tamsin Water says reservoir levels")  # gzip and chunked undone

    missing = run(empty_desk, capture, "--url", "https://riverside-echo.example/other")
    assert missing.code == 2
    assert "no HTML page of this WARC file was captured from https://riverside-echo.example/other" in missing.err


def test_charset_from_the_http_header_wins(empty_desk: Desk, tmp_path: Path) -> None:
    # The page says UTF-8 but the server said ISO-8859-1 (read as Windows-1252, as browsers do).
    page = "<html><head><meta charset='utf-8'><title>Caf\u00e9 closes</title></head><body><article>" + "".join(
        f"<p>The caf\u00e9 on the square \u2013 open since 19{n}0 \u2013 closed its doors this week.</p>"
        for n in range(5)
    )
    capture = tmp_path / "cafe.warc"
    with capture.open("wb") as f:
        writer = WARCWriter(f, gzip=False)
        _response(
            writer,
            "https://news.example/cafe-closes",
            (page + "</article></body></html>").encode("windows-1252"),
            "text/html; charset=ISO-8859-1",
            "2020-01-02T03:04:05Z",
        )
    result = run(empty_desk, capture)
    assert result.code == 0, result.err
    body = (empty_desk.articles / "cafe-closes.txt").read_text(encoding="utf-8")  # named from the URL
    assert "The caf\u00e9 on the square \u2013 open since 1900 \u2013 closed its doors this week." in body


def test_revisit_record_takes_the_payload_it_refers_to(empty_desk: Desk, tmp_path: Path) -> None:
    capture = tmp_path / "revisit.warc.gz"
    html = (PAGES / "Council_Vote_Report.html").read_bytes()
    url = "https://northfield.example/news/library-hours"
    with capture.open("wb") as f:
        _response(WARCWriter(f, gzip=True), url, html, "text/html", "2019-03-07T10:00:00Z")
    with capture.open("rb") as f:  # the digest warcio gave the first capture, for the revisit to refer to
        original = next(iter(ArchiveIterator(f))).rec_headers.get_header("WARC-Payload-Digest")
    with capture.open("ab") as f:
        writer = WARCWriter(f, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        revisit = writer.create_revisit_record(
            url, original, url, "2019-03-07T10:00:00Z", http_headers=http, warc_headers_dict={}
        )
        revisit.rec_headers.replace_header("WARC-Date", "2019-03-09T12:00:00Z")
        writer.write_record(revisit)
    result = run(empty_desk, capture)
    assert result.code == 0, result.err
    front, body = _imported(empty_desk, "library-hours")
    assert "archived: 2019-03-09T12:00:00Z" in front  # the latest capture: unchanged since the first
    assert body.startswith("Northfield's two public libraries")


def test_a_capture_without_an_html_page_is_refused(empty_desk: Desk, tmp_path: Path) -> None:
    capture = tmp_path / "styles.warc.gz"
    with capture.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        _request(writer, "https://x.example/site.css", "2020-01-01T00:00:00Z")
        _response(writer, "https://x.example/site.css", b"body{}", "text/css", "2020-01-01T00:00:00Z")
        _response(
            writer,
            "https://x.example/gone",
            b"<html><p>Gone</p></html>",
            "text/html",
            "2020-01-01T00:00:00Z",
            "410 Gone",
        )
    result = run(empty_desk, capture)
    assert result.code == 2
    assert "this WARC file holds no HTML page captured with status 200" in result.err
    assert files(empty_desk.articles) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"WARC/1.1\r\nWARC-Type: response\r\nbroken", "WARC file"),
        (gzip.compress(b"<html><body><p>A saved page, compressed.</p></body></html>"), "gzip-compressed file"),
        (zlib.compress(b"WARC/1.0")[:2] + b"\x00" * 10, "binary file"),
    ],
    ids=["cut-short", "gzipped-html", "binary"],
)
def test_damaged_or_other_files_are_refused(empty_desk: Desk, tmp_path: Path, data: bytes, message: str) -> None:
    capture = tmp_path / "capture.warc.gz"
    capture.write_bytes(data)
    result = run(empty_desk, capture)
    assert result.code == 2, result.err
    assert message in result.err
    assert files(empty_desk.articles) == {}


def test_url_goes_with_one_file_only(empty_desk: Desk, tmp_path: Path) -> None:
    result = run(
        empty_desk, PAGES / "harbour-gazette-ferry.html", PAGES / "riverside-echo-hosepipe.html", "--url", HARBOUR_URL
    )
    assert result.code == 2 and "--url names one article" in result.err


def test_url_of_a_saved_page_is_recorded(empty_desk: Desk) -> None:
    result = run(empty_desk, PAGES / "Council_Vote_Report.html", "--url", "https://northfield.example/library")
    assert result.code == 0, result.err
    assert 'url: "https://northfield.example/library"' in (empty_desk.articles / "council-vote-report.txt").read_text()
    bad = run(empty_desk, PAGES / "Council_Vote_Report.html", "--url", "northfield.example")
    assert bad.code == 2 and "'northfield.example' is not an absolute http(s) URL" in bad.err
