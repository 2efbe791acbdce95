"""Rebuilds: only what changed is rendered and written, and the result is
always the site a cold build of the same input would make, byte for byte."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from factcheck.cache import FOLDER
from factcheck.site.output import MARKER

from .conftest import REPO, Desk


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def cold_build(desk: Desk, out: Path) -> dict[str, bytes]:
    """What a first build of the desk as it is now makes, with no cache."""
    shutil.rmtree(desk.root / FOLDER, ignore_errors=True)
    assert desk.run("build", "--out", str(out)).code == 0
    return tree(out)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _claim(desk: Desk) -> None:
    edit(desk.checks / "russia-china-veto.yaml", 'claim: "', 'claim: "Edited: ')


def _summary(desk: Desk) -> None:
    entry = desk.checks / "russia-china-veto.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(re.sub(r"(summary: [|>]-?\n)", r"\1  A *new* first line.\n\n", text, count=1), encoding="utf-8")


def _verdict(desk: Desk) -> None:
    entry = desk.checks / "russia-china-veto.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(re.sub(r"^verdict: .*$", "verdict: misleading", text, count=1, flags=re.M), encoding="utf-8")


def _new_entry(desk: Desk) -> None:
    shutil.copy(desk.checks / "russia-china-veto.yaml", desk.checks / "a-copy.yaml")
    edit(desk.checks / "a-copy.yaml", "tags: [", "tags: [brand-new-topic, ")


def _removed_entry(desk: Desk) -> None:
    (desk.checks / "russia-china-veto.yaml").unlink()


def _article_title(desk: Desk) -> None:
    edit(desk.articles / "cnn-2016-12-05.txt", "title: ", "title: Retitled ")


def _config_title(desk: Desk) -> None:
    edit(desk.config, "title: ", "title: The ")


def _template(desk: Desk) -> None:
    edit(desk.root / "templates" / "base.html", "{% endblock %}", "<!-- changed -->{% endblock %}")


def _static(desk: Desk) -> None:
    (desk.root / "templates" / "static").mkdir(exist_ok=True)
    (desk.root / "templates" / "static" / "extra.css").write_text("p { margin: 0 }\n", encoding="utf-8")


CHANGES: dict[str, Callable[[Desk], None]] = {
    "claim": _claim,
    "summary": _summary,
    "verdict": _verdict,
    "new entry": _new_entry,
    "removed entry": _removed_entry,
    "article title": _article_title,
    "config title": _config_title,
    "template": _template,
    "static file": _static,
}


@pytest.fixture
def sample(sample_desk: Desk) -> Desk:
    # The sample entry every change above edits must exist.
    assert (sample_desk.checks / "russia-china-veto.yaml").is_file()
    return sample_desk


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_rebuild_makes_what_a_cold_build_makes(sample: Desk, tmp_path: Path, change: str) -> None:
    site = sample.root / "site"
    assert sample.run("build").code == 0
    CHANGES[change](sample)
    result = sample.run("build")
    assert result.code == 0, result.out
    assert "updated the site" in result.err
    assert tree(site) == cold_build(sample, tmp_path / "cold")


def test_one_changed_entry_rewrites_only_the_pages_that_show_it(sample: Desk) -> None:
    site = sample.root / "site"
    assert sample.run("build").code == 0
    before = tree(site)
    inodes = stamps(site)
    _claim(sample)
    assert sample.run("build").code == 0
    after = tree(site)
    changed = {p for p in after if before.get(p) != after[p]} - {MARKER}
    assert "checks/russia-china-veto/index.html" in changed
    assert "index.html" in changed
    assert "articles/cnn-2016-12-05/index.html" in changed  # cited there: its marks name the claim
    # Pages that do not show the check were neither rendered nor written.
    untouched = "checks/churkin-ten-days/index.html"
    assert untouched in before and untouched not in changed
    assert stamps(site)[untouched] == inodes[untouched]
    assert not any(p.startswith("static/") for p in changed)
    assert len(changed) < len(after) / 3


def test_a_rebuild_with_no_change_writes_nothing_and_repeats_the_warnings(sample: Desk) -> None:
    site = sample.root / "site"
    article = sample.articles / "cnn-2016-12-05.txt"
    article.write_text(re.sub(r"^sha256: .*\n", "", article.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    first = sample.run("build")
    assert first.code == 0 and "article-unpinned" in first.out
    inodes = stamps(site)
    again = sample.run("build")
    assert again.code == 0
    assert "the site is up to date" in again.err
    assert again.out == first.out  # the same report, warnings included
    assert stamps(site) == inodes
    assert sample.run("build", "--strict").code == 1  # other options are another build


def test_a_page_deleted_by_hand_comes_back(sample: Desk) -> None:
    site = sample.root / "site"
    assert sample.run("build").code == 0
    page = site / "checks" / "russia-china-veto" / "index.html"
    expected = page.read_bytes()
    page.unlink()
    assert sample.run("build").code == 0
    assert page.read_bytes() == expected


def test_a_page_deleted_by_hand_comes_back_in_a_build_that_changes_another(sample: Desk, tmp_path: Path) -> None:
    """Which pages of the last build still stand is looked at while the
    inputs are hashed: a page gone by then is made again, though nothing it
    shows changed, and the site is what a build from nothing makes."""
    site = sample.root / "site"
    assert sample.run("build").code == 0
    page = site / "articles" / "cnn-2016-12-05" / "index.html"
    page.unlink()
    _verdict(sample)  # an article page shows no verdict: its key stays the same
    assert sample.run("build").code == 0
    assert tree(site) == cold_build(sample, tmp_path / "cold")


def test_a_broken_citation_found_from_the_cache_is_still_an_error(sample: Desk) -> None:
    assert sample.run("check").code == 0
    edit(sample.articles / "cnn-2016-12-05.txt", "sha256: ", "sha256: 0")  # now not a valid digest
    result = sample.run("check")
    assert result.code == 1
    edit(sample.articles / "cnn-2016-12-05.txt", "sha256: 0", "sha256: ")
    assert sample.run("check").code == 0
    _verdict(sample)
    edit(sample.checks / "russia-china-veto.yaml", "verdict: misleading", "verdict: misleadin")
    result = sample.run("check")
    assert result.code == 1 and "unknown-verdict" in result.out


def test_a_preview_build_may_leave_search_behind_and_catch_up(sample: Desk, tmp_path: Path) -> None:
    from factcheck.pipeline import build

    site = sample.root / "site"
    assert sample.run("build").code == 0
    search_before = {p: b for p, b in tree(site).items() if p.startswith("pagefind/")}
    _claim(sample)
    first = build(sample.config, defer_search=True)
    assert first.ok and first.search_stale
    assert "Edited: " in (site / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert {p: b for p, b in tree(site).items() if p.startswith("pagefind/")} == search_before
    second = build(sample.config)  # not "up to date": search is behind
    assert second.ok and not second.search_stale
    assert tree(site) == cold_build(sample, tmp_path / "cold")


@pytest.fixture
def synthetic(tmp_path: Path) -> Desk:
    """300 checks over ten years by 3 claimants: lists of several archive
    pages a year (bench/generate.py)."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(300, tmp_path / "desk", claimants=3)
    return Desk(tmp_path / "desk")


ARCHIVE_PAGE = re.compile(r"^(?P<list>(?:.*/)?)(?P<year>\d{4})/(?P<n>\d+)/index\.html$")


def archive_pages(site: dict[str, bytes]) -> dict[tuple[str, int], list[int]]:
    """(list folder, year) -> its page numbers."""
    pages: dict[tuple[str, int], list[int]] = {}
    for path in site:
        if match := ARCHIVE_PAGE.match(path):
            pages.setdefault((match["list"], int(match["year"])), []).append(int(match["n"]))
    return pages


def test_publishing_a_check_changes_only_the_landing_and_newest_pages_of_its_lists(synthetic: Desk) -> None:
    site = synthetic.root / "site"
    assert synthetic.run("build").code == 0
    before = tree(site)
    assert len(archive_pages(before)) > 30  # every list has pages in several years
    newest = synthetic.checks / "c00299.yaml"
    text = newest.read_text(encoding="utf-8")
    published = re.search(r"^published: (.*)$", text, re.M)[1]
    (synthetic.checks / "c99999.yaml").write_text(text.replace("claim: ", "claim: Newest "), encoding="utf-8")
    assert synthetic.run("build").code == 0
    after = tree(site)
    changed = sorted(p for p in after if p.endswith(".html") and before.get(p) != after[p])
    pages = archive_pages(after)
    year = int(published[:4])
    for path in changed:
        if match := ARCHIVE_PAGE.match(path):
            # Only the newest page of the newest year of a list it is on.
            assert int(match["year"]) == year, path
            assert int(match["n"]) == max(pages[(match["list"], year)]), path
    lists = {m["list"] for p in changed if (m := ARCHIVE_PAGE.match(p))}
    verdict = re.search(r"^verdict: (.*)$", text, re.M)[1]
    assert {"archive/", f"verdicts/{verdict}/"} <= lists  # the home page's archive and its verdict's
    # The rest: the new check's page, the articles it cites (their marks link
    # to it), the landing pages of its lists and the indexes that count them.
    others = [p for p in changed if not ARCHIVE_PAGE.match(p) and not p.startswith("articles/")]
    assert "checks/c99999/index.html" in others and "index.html" in others
    assert len(others) <= 9, others
    assert tree(site) == cold_build(synthetic, synthetic.root / "cold")


def _age(root: Path, seconds: int = 3600) -> None:
    """Every file of the desk last modified an hour ago: old enough that
    the cache keeps what is worked out from it (cache.racy)."""
    import os
    import time

    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_a_folder_found_unchanged_keeps_its_files_hashes(sample: Desk) -> None:
    """A build that finds a folder as the last one did takes its digest from
    one row (pipeline._folder_digest), and keeps each file's own hash: the
    build after an edit re-reads only the file edited."""
    from factcheck.cache import STAT, Cache
    from factcheck.pipeline import FOLDERS

    _age(sample.root)
    assert sample.run("build").code == 0
    again = sample.run("build")
    assert "the site is up to date" in again.err
    cache = Cache.open(sample.root)
    files = [p for folder in (sample.checks, sample.articles) for p in folder.rglob("*") if p.is_file()]
    assert cache.count(FOLDERS.name) >= 2
    assert all(cache.get(STAT, str(p)) is not None for p in files)  # not pruned by the build that used the memo
    cache.close()
    # A file changed behind an old time stamp is another signature: found changed.
    entry = sample.checks / "russia-china-veto.yaml"
    edit(entry, "summary: |\n  All five", "summary: |\n  Edited. All five")
    _age(entry, 7200)
    result = sample.run("build")
    assert result.code == 0 and "updated the site" in result.err
    assert "Edited." in (sample.root / "site" / "checks" / "russia-china-veto" / "index.html").read_text("utf-8")


def test_a_folder_is_not_found_whole_unless_each_file_s_hash_was_kept(
    sample: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose hash the cache would not keep (modified just before it
    was read, or while it was read) keeps its folder from being found whole:
    an edit that keeps its size and time stamp is then still read."""
    from factcheck.cache import Cache
    from factcheck.pipeline import FOLDERS

    _age(sample.root)
    entry = sample.checks / "russia-china-veto.yaml"
    kept = Cache.record_digest

    def refuse_one(self, path, signature, value):  # type: ignore[no-untyped-def]
        if path != str(entry):
            kept(self, path, signature, value)

    monkeypatch.setattr(Cache, "record_digest", refuse_one)
    assert sample.run("build").code == 0
    cache = Cache.open(sample.root)
    assert cache.count(FOLDERS.name) >= 1  # the articles' folder, whole
    cache.close()
    before = entry.stat()
    edit(entry, "summary: |\n  All five", "summary: |\n  ALL five")  # the same size
    os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert entry.stat().st_size == before.st_size
    result = sample.run("build")
    assert result.code == 0 and "updated the site" in result.err
