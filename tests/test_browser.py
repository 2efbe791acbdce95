"""The site in a real browser: Playwright driving Debian's Chromium.

Served from a sub-folder (/factchecks/, as base_url says) on 127.0.0.1.
Without Chromium these tests skip, unless FACTCHECK_REQUIRE_TOOLS=1 (as
.ci/run sets), when a missing browser is a failure. Screenshots go to
test-results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO, Desk

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRE_TOOLS = os.environ.get("FACTCHECK_REQUIRE_TOOLS") == "1"
SHOTS = REPO / "test-results" / "screenshots"
AXE = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

if not Path(CHROMIUM).exists():
    if REQUIRE_TOOLS:
        raise RuntimeError(f"FACTCHECK_REQUIRE_TOOLS=1 but there is no browser at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    for name in ("config.yaml", "templates", "content"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    desk = Desk(root)
    served = root / "www"
    assert desk.run("build", "--out", str(served / "factchecks")).code == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/factchecks/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def serve_desk(desk: Desk, served: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    assert desk.run("build", "--out", str(served / "factchecks")).code == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/factchecks/"


@pytest.fixture(scope="module")
def arabic_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Arabic desk (the interface right to left) citing an Arabic source
    and the sample's English ones."""
    from .test_i18n import ARABIC, add_article, desk_in

    desk = desk_in(tmp_path_factory.mktemp("arabic"), "ar")
    add_article(desk, "sada-2016-12-06", "روسيا والصين تعرقلان الهدنة", "صدى الوادي", "ar", ARABIC)
    desk.write_check(
        "truce-veto.yaml",
        "claim: روسيا والصين عرقلتا هدنة لسبعة أيام في حلب.\nclaimant: صدى الوادي\nverdict: accurate\n"
        "summary: يؤكد المصدران ذلك.\npublished: 2026-11-25\ntags: [حلب]\ncitations:\n"
        "  - article: sada-2016-12-06\n    quote: ستمنح المسلحين فرصة\n    stance: supports\n"
        "  - article: cnn-2016-12-05\n    quote: Russia and China on Monday vetoed\n    stance: claim\n",
    )
    server, url = serve_desk(desk, desk.root / "www")
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def french_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from .test_i18n import desk_in

    desk = desk_in(tmp_path_factory.mktemp("french"), "fr")
    server, url = serve_desk(desk, desk.root / "www")
    yield url
    server.shutdown()


def test_follow_a_check_to_its_span_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.get_by_role("link", name="The regime now holds some 60% of eastern Aleppo", exact=False).first.click()
    expect(page.get_by_role("heading", name="The evidence")).to_be_visible()
    card = page.locator("#evidence-0")
    card.get_by_role("link", name="See it in the archived article").click()
    assert page.url.endswith("/articles/cnn-2016-12-05/#east-aleppo-share-0")
    mark = page.locator("#east-aleppo-share-0")
    expect(mark).to_be_in_viewport()
    assert "east-aleppo-share/0" in mark.get_attribute("data-cites").split()
    assert mark.evaluate("el => el.matches(':target')")
    page.locator("a.cite-ref[href$='checks/east-aleppo-share/#evidence-0']").click()
    assert page.url.endswith("/checks/east-aleppo-share/#evidence-0")
    expect(page.locator("#evidence-0")).to_be_in_viewport()


def test_filters_narrow_the_list_and_keep_it_in_the_url(page: Page, base_url: str) -> None:
    page.goto(base_url)
    items = page.locator(".check-item")
    total = items.count()
    page.get_by_label("Verdict").select_option("accurate")
    visible = page.locator(".check-item:visible")
    expect(page.locator("#count")).to_contain_text(f"of {total} checks")
    assert 0 < visible.count() < total
    for badge in visible.locator(".badge").all_inner_texts():
        assert badge.strip().upper().endswith("ACCURATE")
    assert "verdict=accurate" in page.url
    page.reload()
    expect(page.get_by_label("Verdict")).to_have_value("accurate")
    page.get_by_label("Verdict").select_option("")
    page.get_by_label("Claimant").select_option("CNN")
    assert page.locator(".check-item:visible").count() >= 2


def test_without_javascript_the_whole_list_shows(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url)
    assert page.locator(".check-item:visible").count() == 17
    expect(page.locator("#filters")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    ["", "checks/east-aleppo-share/", "articles/cnn-2016-12-05/", "verdicts/"],
    ids=["home", "check", "article", "scale"],
)
def test_pages_are_accessible_and_fit(browser: Browser, base_url: str, path: str, scheme: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base_url + path)
    name = (path.strip("/").replace("/", "_") or "home") + f"-{width}-{scheme}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    context.close()
    assert problems == []


def test_search_finds_a_check_by_its_reasoning(page: Page, base_url: str) -> None:
    page.goto(base_url)
    box = page.get_by_role("textbox", name="Search claims and reasoning")
    expect(page.locator("#checks")).to_be_visible()
    box.fill("Churkin")
    result = page.locator(".pagefind-ui__result-link").first
    expect(result).to_be_visible(timeout=10_000)
    # One list at a time: the results replace the filtered list while a search is typed.
    expect(page.locator("#checks")).to_be_hidden()
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator("#search-note")).to_be_visible()
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any(h.startswith("/factchecks/checks/churkin-ten-days/") for h in hrefs), hrefs
    box.fill("")
    expect(page.locator("#checks")).to_be_visible()
    box.fill("Churkin")
    expect(result).to_be_visible(timeout=10_000)
    result.click()
    assert "/factchecks/checks/" in page.url


@pytest.fixture(scope="module")
def split_search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample desk with its search split into several Pagefind bundles,
    as a large desk's is (a bundle per few hundred checks)."""
    import factcheck.site.search

    root = tmp_path_factory.mktemp("split")
    for name in ("config.yaml", "templates", "content"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    served = root / "www"
    size = factcheck.site.search.BUCKET_SIZE
    factcheck.site.search.BUCKET_SIZE = 4
    try:
        assert Desk(root).run("build", "--out", str(served / "factchecks")).code == 0
    finally:
        factcheck.site.search.BUCKET_SIZE = size
    assert len(list((served / "factchecks" / "pagefind").iterdir())) > 3
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/factchecks/"
    server.shutdown()


def test_search_over_several_bundles_finds_checks_in_each(page: Page, split_search_url: str) -> None:
    page.goto(split_search_url)
    box = page.get_by_role("textbox", name="Search claims and reasoning")
    box.fill("Aleppo")
    expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(500)  # let every bundle answer
    more = page.get_by_role("button", name="Load more results")
    while more.count() and more.is_visible():
        more.click()
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    found = {h.split("/")[3] for h in hrefs if h.startswith("/factchecks/checks/")}
    # Most sample checks mention Aleppo; they are spread over every bundle.
    assert len(found) >= 10, hrefs
    assert all(h.startswith("/factchecks/checks/") for h in hrefs), hrefs


def accessibility_problems(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    ["", "checks/truce-veto/", "articles/sada-2016-12-06/", "checks/russia-china-veto/"],
    ids=["home", "check", "article", "check-of-english-sources"],
)
def test_right_to_left_pages_are_accessible_and_fit(
    browser: Browser, arabic_url: str, path: str, scheme: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(arabic_url + path)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    name = "ar-" + (path.strip("/").replace("/", "_") or "home") + f"-{width}-{scheme}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    # The navigation starts on the right, as Arabic reads.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None and brand["x"] + brand["width"] > width * 0.6
    problems = accessibility_problems(page)
    context.close()
    assert problems == []


def test_the_filters_speak_the_sites_language(page: Page, french_url: str) -> None:
    page.goto(french_url)
    expect(page.locator("#count")).to_have_text("Les 17 vérifications sont affichées")
    page.get_by_label("Verdict").select_option("accurate")
    expect(page.locator("#count")).to_have_text(re.compile(r"^\d+ sur 17 vérifications$"))
    expect(page.get_by_role("textbox", name="Chercher dans les affirmations et les raisonnements")).to_have_attribute(
        "placeholder", "Chercher dans les vérifications"
    )
