"""The static search index: Pagefind, over a small document per check.

Pagefind has no incremental mode and its time and memory grow with the
number of pages, so the checks are split into buckets of about five hundred,
each its own Pagefind bundle (`pagefind/<n>/`), merged in the browser. A
bucket is re-indexed only when one of its checks changed. Each bucket is
indexed by Pagefind's command-line binary (shipped by the `pagefind-bin`
package) over a folder of documents made from the checks themselves, so
indexing runs on the second core while the pages are rendered, and needs
no page to have been rendered.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import zlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..cache import code_fingerprint, digest
from ..model import Check

ROOT = "pagefind/"
BUCKET_SIZE = 500


class SearchError(Exception):
    pass


@dataclass(frozen=True)
class Bucket:
    folder: str  # site path of its bundle, e.g. "pagefind/0/"
    key: str  # digest of what it indexes
    checks: tuple[Check, ...]


def plan(checks: Sequence[Check], language: str) -> list[Bucket]:
    """The buckets for these checks. A check's bucket depends only on its id
    and the number of buckets, so an edit moves nothing."""
    count = max(1, math.ceil(len(checks) / BUCKET_SIZE))
    members: list[list[Check]] = [[] for _ in range(count)]
    for check in sorted(checks, key=lambda c: c.id):
        members[zlib.crc32(check.id.encode("utf-8")) % count].append(check)
    return [
        Bucket(
            f"{ROOT}{n}/",
            digest(code_fingerprint(), language, str(count), *(f"{c.id}:{c.digest}" for c in group)),
            tuple(group),
        )
        for n, group in enumerate(members)
        if group  # Pagefind refuses an empty folder; a desk with no checks has no search
    ]


class Indexer:
    """Indexes buckets in the background, two at a time (Pagefind's memory
    grows with its input); `result()` waits and returns the bundle files."""

    def __init__(
        self,
        buckets: Sequence[Bucket],
        document: Callable[[Check], str],
        language: str,
        work: Path,
    ):
        self._pool = ThreadPoolExecutor(max_workers=2)
        self._futures: list[tuple[Bucket, Future[dict[str, bytes]]]] = [
            (b, self._pool.submit(_index, b, {c.id: document(c) for c in b.checks}, language, work / f"search-{n}"))
            for n, b in enumerate(buckets)
        ]

    def result(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        try:
            for bucket, future in self._futures:
                for path, data in future.result().items():
                    files[bucket.folder + path] = data
        finally:
            self._pool.shutdown(cancel_futures=True)
        return files

    def cancel(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _index(bucket: Bucket, documents: Mapping[str, str], language: str, work: Path) -> dict[str, bytes]:
    """Pagefind over the bucket's documents, in a folder of the build's own
    scratch space (cleared by the next build if this one is killed)."""
    from pagefind_bin import get_executable

    work.mkdir()
    try:
        site, out = work / "site", work / "bundle"
        site.mkdir()
        for check_id, html in documents.items():  # flat: a folder each costs more than indexing
            (site / f"{check_id}.html").write_text(html, encoding="utf-8")
        command = [
            str(get_executable()),
            "--site",
            str(site),
            "--output-path",
            str(out),
            "--force-language",
            language.split("-")[0].lower(),
            "--silent",
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchError(f"Pagefind could not index the site: {exc}") from exc
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise SearchError(f"Pagefind could not index the site: {detail[-1] if detail else done.returncode}")
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def document(check: Check, verdict_label: str, summary_html: str, language: str, claimed_by: str) -> str:
    """What search sees of a check: its claim, who made it, the verdict and
    the reasoning (`claimed_by`: "Claimed by X", in the site's language).
    Its result links to `checks/<id>/`, relative to the site (static/search.js
    puts the site's own path before it)."""
    return (
        f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
        f"<title>{escape(check.claim)}</title></head><body>"
        f'<main data-pagefind-body data-pagefind-meta="url:checks/{escape(check.id)}/">'
        f'<h1 data-pagefind-meta="title">{escape(check.claim)}</h1>'
        f'<p data-pagefind-meta="verdict">{escape(verdict_label)}</p>'
        f"<p>{escape(claimed_by)}</p>{summary_html}</main></body></html>"
    )
