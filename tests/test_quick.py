"""The preview's quick rebuild (factcheck/editor/quick.py): an edit to
entries, rendered alone, gives the pages a full build gives, and the full
build behind it leaves the site a build from nothing makes."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from factcheck.cache import FOLDER, Cache
from factcheck.editor.quick import quick, snapshot
from factcheck.model import Check
from factcheck.model import Desk as Content
from factcheck.pipeline import build
from factcheck.site.views import Site

from .conftest import REPO, Desk
from .test_incremental import tree

DEFERRED = re.compile(r"^(pagefind/|feed\.xml|sitemap|claims\.json|annotations\.jsonld|\.factcheck)")


@pytest.fixture
def synthetic(tmp_path: Path) -> Desk:
    """60 checks over ten years by 4 claimants (bench/generate.py)."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(60, tmp_path / "desk", claimants=4)
    return Desk(tmp_path / "desk")


def synthetic_verdicts(desk: Content) -> list[str]:
    return [v.key for v in desk.config.verdicts]


def full(desk: Desk, out: Path, cache: Cache) -> None:
    result = build(desk.config, out_dir=out, cache=cache, shortcut=False, drafts=True)
    assert result.ok, result.diagnostics


def cold(desk: Desk, out: Path) -> dict[str, bytes]:
    shutil.rmtree(desk.root / FOLDER, ignore_errors=True)
    result = build(desk.config, out_dir=out, drafts=True)
    assert result.ok, result.diagnostics
    return tree(out)


def _replace(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, new, text, count=1, flags=re.M)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def _summary(desk: Desk) -> list[Path]:
    entry = desk.checks / "c00040.yaml"
    _replace(entry, r"^summary: \|\n", "summary: |\n  A *new* first line.\n\n")
    return [entry]


def _verdict(desk: Desk) -> list[Path]:
    entry = desk.checks / "c00059.yaml"  # the newest: it leaves one verdict's landing page for another's
    _replace(
        entry, r"^verdict: .*$", "verdict: accurate" if "inaccurate" in entry.read_text() else "verdict: inaccurate"
    )
    return [entry]


def _older_verdict(desk: Desk) -> list[Path]:
    entry = desk.checks / "c00003.yaml"  # an archive page of each list changes
    _replace(entry, r"^verdict: .*$", "verdict: unproven")
    return [entry]


def _new_entry(desk: Desk) -> list[Path]:
    entry = desk.checks / "c99999.yaml"
    text = (desk.checks / "c00059.yaml").read_text(encoding="utf-8")
    entry.write_text(text.replace("claim: ", "claim: Newest ", 1), encoding="utf-8")
    return [entry]


def _new_topic_and_claimant(desk: Desk) -> list[Path]:
    entry = desk.checks / "c00050.yaml"
    _replace(entry, r"^tags: \[", "tags: [a-topic-of-its-own, ")
    _replace(entry, r"^claimant: .*$", 'claimant: "Zoë Newcomer"')
    return [entry]


def _draft(desk: Desk) -> list[Path]:
    entry = desk.checks / "c00045.yaml"
    entry.write_text("draft: true\n" + entry.read_text(encoding="utf-8"), encoding="utf-8")
    return [entry]


EDITS: dict[str, Callable[[Desk], list[Path]]] = {
    "summary": _summary,
    "verdict": _verdict,
    "older verdict": _older_verdict,
    "new entry": _new_entry,
    "new topic and claimant": _new_topic_and_claimant,
    "draft": _draft,
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_quick_rebuild_gives_the_pages_a_full_build_gives(synthetic: Desk, tmp_path: Path, edit: str) -> None:
    site = tmp_path / "site"
    cache = Cache.open(synthetic.root)
    full(synthetic, site, cache)
    result = build(synthetic.config, out_dir=site, cache=cache, shortcut=False, drafts=True)
    assert result.desk is not None
    state = snapshot(result.desk, result.diagnostics, site, cache)
    assert state is not None
    # A first quick rebuild works out the site's lookups; the edit under test
    # then updates them (Site.updated) rather than working them out afresh.
    first = synthetic.checks / "c00020.yaml"
    _replace(first, r"^claim: \"", 'claim: "Warmed up: ')
    warm = quick(state, [first], cache, site)
    assert warm is not None and warm.snapshot.site is not None
    changed = EDITS[edit](synthetic)
    done = quick(warm.snapshot, changed, cache, site)
    assert done is not None and 0 < done.written < len(tree(site)) / 5
    # The lookups it carried over and redid are those the new desk's site works out.
    carried, fresh = done.snapshot.site, Site(done.snapshot.desk)
    assert carried is not None
    for lookup in ("checks", "tags", "claimants", "citations_by_check", "citations_by_article"):
        assert getattr(carried, lookup) == getattr(fresh, lookup), lookup
    for lookup in ("checks", "tags", "claimants"):  # which pages list in order (the others are looked up)
        assert list(getattr(carried, lookup)) == list(getattr(fresh, lookup)), lookup
    for verdict in synthetic_verdicts(done.snapshot.desk):
        assert carried.by_verdict(verdict) == fresh.by_verdict(verdict)
    wanted = cold(synthetic, tmp_path / "cold")
    shown = tree(site)
    pages = {p for p in wanted if not DEFERRED.match(p)}
    assert {p for p in shown if not DEFERRED.match(p)} == pages
    assert [p for p in sorted(pages) if shown[p] != wanted[p]] == []
    # The full build behind it finishes the rest: a build from nothing's site, byte for byte.
    full(synthetic, site, Cache.open(synthetic.root))
    assert tree(site) == {**wanted, **{p: v for p, v in tree(site).items() if p.startswith(".factcheck")}}


def test_what_a_quick_rebuild_cannot_vouch_for_takes_a_full_build(synthetic: Desk, tmp_path: Path) -> None:
    site = tmp_path / "site"
    cache = Cache.open(synthetic.root)
    result = build(synthetic.config, out_dir=site, cache=cache, shortcut=False, drafts=True)
    assert result.desk is not None
    state = snapshot(result.desk, result.diagnostics, site, cache)
    assert state is not None
    entry = synthetic.checks / "c00010.yaml"
    broken = entry.read_text(encoding="utf-8").replace("quote: ", "quote: Not there ", 1)
    entry.write_text(broken, encoding="utf-8")
    assert quick(state, [entry], cache, site) is None  # an error: the full build reports it
    entry.unlink()
    assert quick(state, [entry], cache, site) is None  # a removal
    # An editor's save through a temporary file: the temporary file is gone, the entry is there.
    saved = synthetic.checks / "c00011.yaml"
    _replace(saved, r"^summary: \|\n", "summary: |\n  Saved by rename.\n\n")
    assert quick(state, [synthetic.checks / ".c00011.yaml.swp", synthetic.checks / "sedA1b2C3", saved], cache, site)
    assert quick(state, [synthetic.config], cache, site) is None  # not an entry


def test_a_config_named_relative_to_the_working_folder_still_takes_the_quick_path(
    synthetic: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `factcheck serve` run in the desk's folder names ./config.yaml; the file
    # system's events name absolute paths.
    monkeypatch.chdir(synthetic.root)
    site = tmp_path / "site"
    cache = Cache.open(Path("."))
    result = build(Path("config.yaml"), out_dir=site, cache=cache, shortcut=False, drafts=True)
    assert result.desk is not None and not result.desk.config.checks_dir.is_absolute()
    state = snapshot(result.desk, result.diagnostics, site, cache)
    assert state is not None
    entry = (synthetic.checks / "c00030.yaml").resolve()
    _replace(entry, r"^summary: \|\n", "summary: |\n  Edited.\n\n")
    assert quick(state, [entry], cache, site) is not None


def test_a_save_stops_the_build_behind_a_quick_rebuild(
    synthetic: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full build behind a quick rebuild stops at the next save (its
    pages go unwritten, the quick rebuild's journal stays), and the next one
    leaves the site a build from nothing makes."""
    import io
    import threading

    from factcheck.editor import serve
    from factcheck.site.output import JOURNAL

    preview = serve.Preview(synthetic.config, io.StringIO(), color=False)
    rendering, go = threading.Event(), threading.Event()
    real_build = serve.build

    def build_that_waits(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        def report(what: str, done: int = 0, total: int = 0) -> None:
            if what == "rendering pages" and not rendering.is_set():
                rendering.set()
                assert go.wait(60)
            progress(what, done, total)

        return real_build(*args, progress=report, **kwargs)

    try:
        assert preview.rebuild() is not None
        assert preview.rebuild(_summary(synthetic)) is None  # shown by a quick rebuild
        preview._stop_behind()  # this test runs the build behind by hand
        before = tree(preview.folder)
        assert JOURNAL in before
        monkeypatch.setattr(serve, "build", build_that_waits)
        behind: list[object] = []
        worker = threading.Thread(
            target=lambda: behind.append(preview._build(defer_search=False, behind=preview._generation))
        )
        worker.start()
        assert rendering.wait(60)
        preview._stop_behind()  # what a save does first
        go.set()
        worker.join(60)
        assert behind == [None]
        assert tree(preview.folder) == before
        monkeypatch.setattr(serve, "build", real_build)
        assert preview._build(defer_search=False, behind=preview._generation) is not None
        assert tree(preview.folder) == cold(synthetic, tmp_path / "cold")
    finally:
        preview.close()


def test_stopping_the_search_index_stops_pagefind(synthetic: Desk, tmp_path: Path) -> None:
    """A stopped build leaves no Pagefind running, and starts no more."""
    from factcheck.site import search

    result = build(synthetic.config, out_dir=tmp_path / "site")
    assert result.desk is not None
    buckets = search.plan(list(result.desk.checks.values()), "en")
    indexer = search.Indexer(buckets, lambda check, part, text: f"<p>{check.claim}</p>", "en")
    slow = indexer._running.start(["sleep", "60"])  # as a Pagefind that takes its time
    indexer.cancel()
    assert slow.wait(5) == -9
    with pytest.raises(search.SearchError):
        indexer._running.start(["true"])


def test_a_build_stopped_while_it_waits_for_search_stops_pagefind(synthetic: Desk, tmp_path: Path) -> None:
    from factcheck.progress import Cancelled
    from factcheck.site import search

    result = build(synthetic.config, out_dir=tmp_path / "site")
    assert result.desk is not None
    indexer = search.Indexer([], lambda check, part, text: "", "en")
    slow = indexer._running.start(["sleep", "60"])
    indexer._futures.append((search.plan(list(result.desk.checks.values()), "en")[0], indexer._pool.submit(slow.wait)))

    def stop() -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        indexer.result(stop)
    assert slow.wait(5) == -9


def test_pagefind_is_given_the_documents_in_order_and_makes_the_bundle_its_command_line_makes(tmp_path: Path) -> None:
    """Each bucket goes to Pagefind's service, its documents in the bucket's
    order, and the bundle comes back in memory. Over a folder, Pagefind
    takes the pages in the order the file system lists them (ext4 hashes
    names with a seed of its own): given that same order, its command line
    makes the same bundle."""
    import datetime as dt
    import subprocess

    from pagefind_bin import get_executable

    from factcheck.site import search

    def check(n: int) -> Check:
        return Check(
            id=f"c{n:03}", path=f"c{n:03}.yaml", claim=f"Claim {n} about vetoes", claimant=f"Speaker {n % 3}",
            verdict="false" if n % 2 else "true", summary="", published=dt.date(2016, 1 + n % 12, 1 + n % 28),
            citations=(), tags=(f"topic {n % 4}",),
        )  # fmt: skip

    checks = [check(n) for n in (7, 3, 11, 1, 5, 9)]

    def document(c: Check, part: str, text: bool) -> str:
        return search.document(
            c, search.Shown("Rated", f"<p>{c.claim}</p>", c.claimant, "1 May", c.claimant, c.tags), "en", part
        )

    (bucket,) = search.plan(checks, "en")[:1]
    made = search.Indexer([bucket], document, "en").result()
    assert made == search.Indexer([bucket], document, "en").result()  # the same bytes each time
    assert {path.split("/", 2)[-1] for path in made} >= {"pagefind.js", "pagefind-entry.json"}
    # The command line, over a folder that lists the documents in the bucket's order.
    names = [f"{c.id}.html" for c in bucket.checks]
    shown = {f"{c.id}.html": document(c, bucket.part, True) for c in checks}
    places = [tmp_path, *(Path(p) for p in ("/dev/shm",) if os.access(p, os.W_OK))]  # noqa: S108
    site = None
    for place in places:  # most file systems list in the order of making, or its reverse, or hash the names
        for order in (names, names[::-1]):
            folder = Path(tempfile.mkdtemp(dir=place))
            for name in order:
                (folder / name).write_text(shown[name], encoding="utf-8")
            if os.listdir(folder) == names:
                site = folder
                break
            shutil.rmtree(folder)
        if site is not None:
            break
    if site is None:
        pytest.skip("no file system here lists the documents in order")
    try:
        out = tmp_path / "bundle"
        command = [str(get_executable()), "--site", str(site), "--output-path", str(out), "--force-language", "en"]
        subprocess.run([*command, "--silent"], check=True)
    finally:
        shutil.rmtree(site)
    by_command = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    kept = {bucket.folder + name: data for name, data in search.stable(by_command).items() if search._kept(name)}
    assert kept == made
