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


def sample_checks() -> list[dict]:
    import yaml

    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "content" / "checks").glob("*.yaml"))]


def shown_results(page: Page) -> list[tuple[str, str]]:
    """(date, verdict label) of every result shown, in order."""
    items = page.locator("#results .check-item")
    return list(
        zip(
            items.locator("time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))"),
            [t.strip() for t in items.locator(".badge bdi").all_text_contents()],
            strict=True,
        )
    )


def test_filters_list_every_match_newest_first_and_keep_it_in_the_url(page: Page, base_url: str) -> None:
    accurate = [c for c in sample_checks() if c["verdict"] == "accurate"]
    page.goto(base_url)
    expect(page.locator("#latest .check-item")).to_have_count(17)
    page.get_by_label("Verdict").select_option("accurate")
    expect(page.locator("#found")).to_have_text(f"{len(accurate)} checks found", timeout=10_000)
    expect(page.locator("#results .check-item")).to_have_count(len(accurate))
    expect(page.locator("#latest")).to_be_hidden()
    shown = shown_results(page)
    assert {label for _, label in shown} == {"Accurate"}
    assert [d for d, _ in shown] == sorted((d for d, _ in shown), reverse=True)
    assert "verdict=accurate" in page.url
    page.reload()
    expect(page.get_by_label("Verdict")).to_have_value("accurate")
    expect(page.locator("#results .check-item")).to_have_count(len(accurate), timeout=10_000)
    # A claimant, typed: the names come as suggestions, and the filters combine.
    by_cnn = [c for c in accurate if c["claimant"] == "CNN"]
    page.get_by_label("Claimant").fill("CNN")
    expect(page.locator("#claimant-names option[value='CNN']")).to_have_count(1, timeout=10_000)
    expect(page.locator("#results .check-item")).to_have_count(len(by_cnn), timeout=10_000)
    assert "claimant=CNN" in page.url and "verdict=accurate" in page.url
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("#latest")).to_be_visible()
    expect(page.locator("#results")).to_be_hidden()


def test_a_search_combines_with_the_filters(page: Page, base_url: str) -> None:
    page.goto(base_url)
    box = page.get_by_role("searchbox", name="Search claims and reasoning")
    box.fill("Aleppo")
    found = page.locator("#results .check-item")
    expect(found.first).to_be_visible(timeout=10_000)
    every = found.count()
    page.get_by_label("Verdict").select_option("inaccurate")
    expect(page.locator("#found")).not_to_have_text(re.compile(f"^{every} checks"), timeout=10_000)
    narrowed = shown_results(page)
    assert 0 < len(narrowed) < every
    assert {label for _, label in narrowed} == {"Inaccurate"}
    assert "q=Aleppo" in page.url and "verdict=inaccurate" in page.url
    found.first.get_by_role("link").click()
    assert "/factchecks/checks/" in page.url


def test_search_finds_a_check_by_its_reasoning(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.get_by_role("searchbox", name="Search claims and reasoning").fill("Churkin")
    links = page.locator("#results .check-item h3 a")
    expect(links.first).to_be_visible(timeout=10_000)
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "/factchecks/checks/churkin-ten-days/" in hrefs, hrefs
    assert all(h.startswith("/factchecks/checks/") for h in hrefs), hrefs


def test_without_javascript_the_latest_checks_show_and_the_finder_does_not(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url)
    assert page.locator(".check-item:visible").count() == 17
    expect(page.locator("#finder")).to_be_hidden()
    expect(page.get_by_role("link", name="verdict")).to_be_visible()  # the <noscript> way to browse
    context.close()


@pytest.fixture(scope="module")
def large_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A synthetic desk of 130 checks over ten years by 12 claimants
    (bench/generate.py), with its search cut into text parts of 5 checks (26 bundles) and list
    parts of 20 (7), as a desk of thousands is cut into parts of 250 and 2,000."""
    import sys

    import factcheck.site.search

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path_factory.mktemp("large") / "desk"
    generate(130, root, claimants=12)
    sizes = factcheck.site.search.PART_SIZE, factcheck.site.search.LIST_SIZE
    factcheck.site.search.PART_SIZE, factcheck.site.search.LIST_SIZE = 5, 20
    try:
        server, url = serve_desk(Desk(root), root / "www")
    finally:
        factcheck.site.search.PART_SIZE, factcheck.site.search.LIST_SIZE = sizes
    bundles = [p.name for p in (root / "www" / "factchecks" / "pagefind").iterdir()]
    assert len(bundles) >= 26 + 7 and sum(b.startswith("list-") for b in bundles) == 7
    yield url, root
    server.shutdown()


def large_checks(root: Path) -> dict[str, dict]:
    import yaml

    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "content" / "checks").glob("*.yaml")}


def test_without_javascript_every_check_is_reached_through_older_pages(
    browser: Browser, large_desk: tuple[str, Path]
) -> None:
    url, root = large_desk
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url)
    assert page.locator(".check-item").count() == 20
    landing = page.locator(".check-item h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    seen: list[str] = []
    pages = 0
    page.get_by_role("link", name="Older fact-checks").first.click()
    while True:
        pages += 1
        hrefs = page.locator(".check-item h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        seen += [h.rstrip("/").split("/")[-1] for h in hrefs]
        older = page.locator("a.older")
        if not older.count():
            break
        older.click()
    context.close()
    # The landing page's newest twenty, then older pages down to the first check.
    assert {h.rstrip("/").split("/")[-1] for h in landing} | set(seen) == set(large_checks(root))
    assert len(seen) == len(set(seen)), "each check on one archive page"
    assert pages >= 9  # a page or more for each year but the newest (on the landing page)


def test_filters_over_many_parts_list_the_newest_first(page: Page, large_desk: tuple[str, Path]) -> None:
    url, root = large_desk
    wanted = sorted(
        (str(c["published"]), key) for key, c in large_checks(root).items() if c["verdict"] == "misleading"
    )[::-1]
    page.goto(url + "?verdict=misleading")
    expect(page.locator("#found")).to_have_text(f"{len(wanted)} checks found", timeout=15_000)
    expect(page.locator("#results .check-item")).to_have_count(20, timeout=10_000)
    page.get_by_role("button", name="Show more").click()
    expect(page.locator("#results .check-item")).to_have_count(len(wanted), timeout=10_000)
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()
    hrefs = page.locator("#results .check-item h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert [h.rstrip("/").split("/")[-1] for h in hrefs] == [key for _, key in wanted]


def test_search_over_many_parts_finds_checks_in_each(page: Page, large_desk: tuple[str, Path]) -> None:
    url, root = large_desk
    page.goto(url)
    page.get_by_role("searchbox", name="Search claims and reasoning").fill("Aleppo")
    expect(page.locator("#results .check-item").first).to_be_visible(timeout=15_000)
    more = page.get_by_role("button", name="Show more")
    while more.is_visible():
        more.click()
        page.wait_for_timeout(200)
    hrefs = page.locator("#results .check-item h3 a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    years = {str(large_checks(root)[h.rstrip("/").split("/")[-1]]["published"])[:4] for h in hrefs}
    assert len(hrefs) > 30 and len(years) >= 8, (len(hrefs), years)


def test_a_claimant_page_opens_with_a_scorecard(page: Page, large_desk: tuple[str, Path]) -> None:
    url, root = large_desk
    checks = [c for c in large_checks(root).values() if c["claimant"] == "Amal Abbott"]
    page.goto(url + "claimants/amal-abbott/")
    table = page.get_by_role("table", name=re.compile("Amal Abbott"))
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    counts = {
        rows.nth(i).locator("th bdi").text_content().strip(): int(rows.nth(i).locator("td").inner_text())
        for i in range(rows.count())
    }
    assert list(counts) == ["Accurate", "Mostly accurate", "Unproven", "Misleading", "Inaccurate"]
    for label, n in counts.items():
        assert n == sum(1 for c in checks if c["verdict"].replace("-", " ").capitalize() == label)
    assert len(checks) > 5
    assert sum(counts.values()) == len(checks)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "scorecard-1280.png"), full_page=True)
    assert accessibility_problems(page) == []


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
    page.get_by_label("Verdict").select_option("accurate")
    expect(page.locator("#found")).to_have_text(re.compile(r"^\d+ vérifications trouvées$"), timeout=10_000)
    expect(page.get_by_role("button", name="Afficher la suite")).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Chercher dans les affirmations et les raisonnements")).to_be_visible()
