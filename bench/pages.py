"""What a reader downloads: listing page sizes and elements, and the bytes
of a first search and a first filter, measured in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Pages that list checks or names; the others (a check's, an article's) hold one thing each.
_SINGLE = ("checks/", "articles/", "pagefind/", "static/")
_START_TAG = re.compile(rb"<[a-zA-Z]")


def elements(data: bytes) -> int:
    """Elements of a page, as start tags (what Lighthouse's DOM size counts,
    text nodes aside)."""
    return len(_START_TAG.findall(data))


def listing_pages(site: Path) -> Iterator[tuple[str, bytes]]:
    for path in site.rglob("index.html"):
        name = path.relative_to(site).as_posix()
        if not name.startswith(_SINGLE):
            yield name, path.read_bytes()


def page_sizes(site: Path) -> dict[str, float | str]:
    """The home page's bytes and elements, and the largest listing page's
    (by bytes and by elements), over every listing page of the site."""
    home = (site / "index.html").read_bytes()
    biggest, most = ("", 0), ("", 0)
    count = 0
    for name, data in listing_pages(site):
        count += 1
        if len(data) > biggest[1]:
            biggest = (name, len(data))
        n = elements(data)
        if n > most[1]:
            most = (name, n)
    return {
        "home_kb": len(home) / 1000,
        "home_elements": elements(home),
        "lists": count,
        "list_kb": biggest[1] / 1000,
        "list_kb_page": biggest[0],
        "list_elements": most[1],
        "list_elements_page": most[0],
    }


@contextmanager
def served(site: Path, prefix: str) -> Iterator[str]:
    """The site over HTTP under `prefix` (its base_url's path)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / prefix.strip("/") if prefix.strip("/") else root / "site"
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.symlink_to(site.resolve())

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            path = "/" + folder.relative_to(root).as_posix() + "/"
            yield f"http://127.0.0.1:{server.server_address[1]}{path}"
        finally:
            server.shutdown()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def search_bytes(site: Path, prefix: str, word: str, verdict: str) -> dict[str, float] | None:
    """Bytes downloaded (response bodies, as served: Pagefind's files are
    compressed already, pages and scripts are not) to open the home page,
    then for a first search for `word`, and, in a new browser, for a first
    filter by `verdict`. None without Playwright or Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    result: dict[str, float] = {}
    with served(site, prefix) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for kind in ("search", "filter"):
            context = browser.new_context()
            page = context.new_page()
            sizes: list[int] = []

            def finished(request, sizes=sizes) -> None:  # type: ignore[no-untyped-def]
                try:
                    sizes.append(request.sizes()["responseBodySize"])
                except Exception:  # noqa: BLE001 - a request the browser dropped counts nothing
                    pass

            page.on("requestfinished", finished)
            page.goto(url, wait_until="networkidle")
            opened = sum(sizes)
            if kind == "search":
                page.fill("#finder-form input[name=q]", word)
            else:
                page.select_option("#finder-form select[name=verdict]", verdict)
            page.wait_for_function("document.querySelectorAll('#results .check-item').length > 0", timeout=60_000)
            page.wait_for_load_state("networkidle")
            result["page_kb"] = opened / 1000
            result[f"{kind}_kb"] = (sum(sizes) - opened) / 1000
            result[f"{kind}_requests"] = len(sizes)
            context.close()
        browser.close()
    return result
