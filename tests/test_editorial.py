"""Editorial safeguards: drafts are checked but never published, and the
preview shows them marked. (The warnings' exact reports are fixtures:
tests/fixtures/entries/future-date, verdict-evidence-*, unsourced-claim.)"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest

from .conftest import Desk
from .test_hostile import pagefind_filters
from .test_serve import start

DRAFT = "draft-of-a-check"


def write_draft(desk: Desk) -> None:
    text = (desk.checks / "russia-china-veto.yaml").read_text(encoding="utf-8")
    text = text.replace("tags: [", "tags: [unpublished-topic, ", 1).replace("claimant: ", "claimant: Nobody Yet ", 1)
    (desk.checks / f"{DRAFT}.yaml").write_text("draft: true\n" + text, encoding="utf-8")


def site_text(site: Path) -> str:
    """Every file of the site as text, Pagefind's compressed ones decompressed."""
    parts = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_a_draft_is_checked_but_left_out_of_everything_a_build_publishes(sample_desk: Desk) -> None:
    write_draft(sample_desk)
    checked = sample_desk.run("check", "--strict")
    assert checked.code == 0 and "18 checks" in checked.out, checked.out
    assert sample_desk.run("build").code == 0
    site = sample_desk.root / "site"
    assert not (site / "checks" / DRAFT).exists()
    assert not (site / "tags" / "unpublished-topic").exists()
    everything = site_text(site)
    for trace in (DRAFT, "unpublished-topic", "Nobody Yet"):
        assert trace not in everything, trace  # pages, lists, feed, sitemap, exports, search
    filters = pagefind_filters(site)
    assert not any("Nobody Yet" in name for name in filters["claimant"])


def test_a_draft_with_a_broken_quote_still_fails_check(sample_desk: Desk) -> None:
    write_draft(sample_desk)
    entry = sample_desk.checks / f"{DRAFT}.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("quote: ", "quote: Not in the article ", 1), encoding="utf-8")
    result = sample_desk.run("check")
    assert result.code == 1 and f"{DRAFT}.yaml" in result.out and "error[quote-not-found]" in result.out


def test_a_published_check_may_not_link_to_a_draft(sample_desk: Desk) -> None:
    write_draft(sample_desk)
    entry = sample_desk.checks / "churkin-ten-days.yaml"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "summary: |\n", f"summary: |\n  See [the draft](../{DRAFT}/).\n\n", 1
        ),
        encoding="utf-8",
    )
    for command in ("check", "build"):
        result = sample_desk.run(command)
        assert result.code == 1, result.out
        assert "churkin-ten-days.yaml" in result.out and "error[broken-link]" in result.out
    assert not (sample_desk.root / "site").exists()


def test_the_preview_shows_a_draft_marked_as_one(sample_desk: Desk, tmp_path: Path) -> None:
    write_draft(sample_desk)
    server = start(sample_desk, tmp_path / "tmp")
    try:
        status, page = server.get(f"checks/{DRAFT}/")
        assert status == 200 and 'class="draft-note"' in page and "This check is a draft" in page
        status, home = server.get("")
        assert status == 200 and f"checks/{DRAFT}/" in home
        item = home.split(f"checks/{DRAFT}/")[0].rsplit('<li class="check-item">', 1)[1]
        assert '<span class="draft-label">Draft</span>' in item
    finally:
        server.proc.kill()
        server.proc.wait()


def test_new_scaffolds_a_draft(desk: Desk) -> None:
    assert desk.run("new", "a-new-check").code == 0
    text = (desk.checks / "a-new-check.yaml").read_text(encoding="utf-8")
    assert "\ndraft: true\n" in text


def test_the_sample_desk_credits_no_invented_people_and_passes_strict(sample_desk: Desk) -> None:
    for entry in sample_desk.checks.glob("*.yaml"):
        text = entry.read_text(encoding="utf-8")
        assert "\nauthor:" not in text and "\ncorrections:" not in text, entry.name
    result = sample_desk.run("check", "--strict")
    assert result.code == 0, result.out


def test_a_future_date_is_an_error_with_strict(sample_desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    entry = sample_desk.checks / "churkin-ten-days.yaml"
    text = entry.read_text(encoding="utf-8")
    entry.write_text(re.sub(r"^published: .*$", "published: 2027-01-02", text, count=1, flags=re.M), encoding="utf-8")
    assert sample_desk.run("check").code == 0
    result = sample_desk.run("check", "--strict")
    assert (
        result.code == 1 and "error[future-date]: 'published' (2027-01-02) is after the day of this build" in result.out
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798848000")  # the next day: the warning is gone, cache or not
    assert sample_desk.run("check", "--strict").code == 0


def test_a_fixture_desk_exercises_the_corrections_log(sample_desk: Desk) -> None:
    entry = sample_desk.checks / "churkin-ten-days.yaml"
    text = entry.read_text(encoding="utf-8")
    note = "An earlier version gave the wrong day of the vote."
    entry.write_text(
        text.replace("citations:\n", f"corrections:\n  - date: 2026-12-01\n    note: {note}\ncitations:\n", 1),
        encoding="utf-8",
    )
    assert sample_desk.run("build").code == 0
    site = sample_desk.root / "site"
    assert note in (site / "checks" / "churkin-ten-days" / "index.html").read_text(encoding="utf-8")
    assert note in (site / "corrections" / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(site)
