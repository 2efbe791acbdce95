"""The static search index, made by Pagefind from the rendered check pages.

Pagefind runs as a service (the `pagefind-bin` package ships its binary);
pages are handed over from memory and the bundle comes back as files, so
search is built before anything is written, like every other page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

BUNDLE = "pagefind/"


class SearchError(Exception):
    pass


def search_bundle(files: Mapping[str, bytes], language: str) -> dict[str, bytes]:
    """Pagefind's files for the check pages among `files` (site path -> bytes)."""
    pages = {
        path: data for path, data in sorted(files.items()) if path.startswith("checks/") and path.endswith(".html")
    }
    try:
        # A thread of its own: the caller may already be running an event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _index(pages, language)).result()
    except Exception as exc:  # noqa: BLE001 - the service's failures come in many types
        raise SearchError(f"Pagefind could not index the site: {exc}") from exc


async def _index(pages: Mapping[str, bytes], language: str) -> dict[str, bytes]:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(force_language=language.split("-")[0])
    async with PagefindIndex(config=config) as index:
        for path, data in pages.items():
            url = "/" + path.removesuffix("index.html")
            await index.add_html_file(content=data.decode("utf-8"), url=url)
        produced = await index.get_files()
        await index.delete_index()
    return {BUNDLE + f["path"].lstrip("/"): f["content"] for f in produced}
