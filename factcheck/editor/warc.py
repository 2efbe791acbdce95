"""Web pages out of a WARC capture (`.warc`, `.warc.gz`), as warcio reads them.

A capture holds far more than the article: the browser's requests, the
page's CSS, scripts and images, crawl metadata. What can be archived is an
HTML page the server sent with status 200: a `response` record (or a
`resource` record of HTML), or a `revisit` record, whose payload is that of an
earlier record in the same file with the same payload digest. warcio undoes
the HTTP chunked transfer encoding and gzip/deflate/brotli content encoding.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_WARC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$")


class WarcError(Exception):
    """A capture that cannot be read, or that holds no page to archive."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Capture:
    """One HTML page as the crawler received it."""

    url: str  # WARC-Target-URI
    date: str  # WARC-Date, as an RFC 3339 date-time in UTC
    digest: str | None  # WARC-Payload-Digest, e.g. "sha1:2Q4NSU..."
    charset: str | None  # from the HTTP Content-Type, which wins over the page's own
    language: str | None  # the HTTP Content-Language
    payload: bytes


def is_warc(data: bytes) -> bool:
    """A WARC file starts with its version line, a gzipped one with gzip's magic."""
    return data.startswith(b"WARC/") or data[:2] == b"\x1f\x8b"


def html_captures(path: Path) -> list[Capture]:
    """Every HTML page with status 200 in the capture, in file order."""
    by_digest: dict[str, bytes] = {}
    captures: list[Capture] = []
    pending: list[tuple[str, str, str, StatusAndHeaders | None]] = []  # revisits whose original comes later
    records = 0
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream, check_digests=False):
                records += 1
                kind = record.rec_type
                headers = record.rec_headers
                # WARC 1.1's grammar showed the URI in <>, and some writers followed it.
                url = (headers.get_header("WARC-Target-URI") or "").strip().removeprefix("<").removesuffix(">")
                date = _date(headers.get_header("WARC-Date") or "")
                digest = headers.get_header("WARC-Payload-Digest")
                if kind == "response" and record.http_headers is not None:
                    http = record.http_headers
                    if not _is_html(http.get_header("Content-Type")) or http.get_statuscode() not in ("200", "203"):
                        continue
                    payload = record.content_stream().read()
                    if digest:
                        by_digest.setdefault(digest, payload)
                    captures.append(_capture(url, date, digest, http, payload))
                elif kind == "resource" and _is_html(headers.get_header("Content-Type")):
                    payload = record.content_stream().read()
                    if digest:
                        by_digest.setdefault(digest, payload)
                    captures.append(
                        Capture(url, date, digest, _charset(headers.get_header("Content-Type")), None, payload)
                    )
                elif kind == "revisit" and digest:
                    http = record.http_headers
                    if http is not None and http.get_statuscode() and http.get_statuscode() not in ("200", "203"):
                        continue
                    if (
                        http is not None
                        and http.get_header("Content-Type")
                        and not _is_html(http.get_header("Content-Type"))
                    ):
                        continue
                    pending.append((url, date, digest, http))
    except ArchiveLoadFailed as exc:
        raise WarcError(
            f"this is not a readable WARC file: {exc.msg if hasattr(exc, 'msg') else exc}",
            "give a .warc or .warc.gz capture, such as wget --warc-file or a web archive makes",
        ) from None
    except Exception as exc:  # noqa: BLE001 (warcio fails on damaged input in many ways: AttributeError, zlib.error, ...)
        raise WarcError(
            f"this WARC file is damaged or cut short ({type(exc).__name__}: {exc})", "capture the page again"
        ) from None
    if records == 0:
        raise WarcError("this WARC file holds no records", "capture the page again")
    # A revisit says "the same payload as before": a page captured unchanged.
    for url, date, digest, http in pending:
        if digest in by_digest:
            captures.append(_capture(url, date, digest, http, by_digest[digest]))
    return captures


def choose(captures: list[Capture], url: str | None, shown: str) -> tuple[Capture, list[str]]:
    """The capture to archive, and notes on the choice. Several pages and no
    `url`: refused, listing them, since which one is the article only the
    user knows (a crawl's capture may hold hundreds of pages)."""
    if not captures:
        raise WarcError(
            "this WARC file holds no HTML page captured with status 200 (only other kinds of records: "
            "requests, styles, scripts, images, metadata, redirects or errors)",
            "capture the article's page itself",
        )
    urls = list(dict.fromkeys(c.url for c in captures))
    if url is not None:
        wanted = _same_url(url)
        chosen = [c for c in captures if _same_url(c.url) == wanted]
        if not chosen:
            raise WarcError(
                f"no HTML page of this WARC file was captured from {url}",
                "its pages: " + _listed(urls),
            )
    elif len(urls) > 1:
        raise WarcError(
            f"this WARC file holds {len(urls)} HTML pages; say which is the article with --url",
            "its pages: " + _listed(urls) + f"; for example: factcheck import {shown} --url {urls[0]}",
        )
    else:
        chosen = captures
    latest = max(chosen, key=lambda c: c.date)
    notes = []
    if len({c.digest or c.payload for c in chosen}) > 1:
        notes.append(f"{latest.url} was captured {len(chosen)} times, not always the same; archived the latest")
    return latest, notes


def _capture(url: str, date: str, digest: str | None, http: StatusAndHeaders | None, payload: bytes) -> Capture:
    content_type = http.get_header("Content-Type") if http is not None else None
    language = http.get_header("Content-Language") if http is not None else None
    return Capture(url, date, digest, _charset(content_type), language, payload)


def _is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in _HTML_TYPES


def _charset(content_type: str | None) -> str | None:
    m = _CHARSET.search(content_type or "")
    return m.group(1) if m else None


def _date(value: str) -> str:
    """WARC-Date as an RFC 3339 date-time (WARC 1.0 may leave out the seconds)."""
    value = value.strip()
    if not _WARC_DATE.match(value):
        return ""
    if len(value) == len("2019-11-19T14:03Z"):
        value = value[:-1] + ":00Z"
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return value


def _same_url(url: str) -> str:
    """Two addresses of the same page: a fragment or a final '/' makes no difference."""
    return urldefrag(url.strip())[0].rstrip("/")


def _listed(urls: list[str], most: int = 10) -> str:
    shown = ", ".join(urls[:most])
    return shown + (f" and {len(urls) - most} more" if len(urls) > most else "")
