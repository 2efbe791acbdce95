"""A cold `check` reads and matches half of the desk in a forked process
(factcheck/verify/warm.py). What it reports must be exactly what one process
reports, whatever the child does."""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

import pytest

from factcheck.cache import FOLDER, Cache
from factcheck.pipeline import verify
from factcheck.verify import corpus, warm

from .conftest import Desk


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fork whatever the desk's size, and count the forks."""
    from factcheck import fork

    monkeypatch.setattr(warm, "MIN_FILES", 0)
    monkeypatch.setattr(warm, "MIN_QUOTES", 0)
    started: list[str] = []
    start = fork.Worker.start
    monkeypatch.setattr(fork.Worker, "start", lambda run, what, **how: started.append(what) or start(run, what, **how))
    return started


def _broken(desk: Desk) -> None:
    """Some of everything a check reports: a quote not found, a YAML error, a
    bad field, an unknown article, a broken article."""
    first = desk.checks / "cnn-medic-killed.yaml"
    text = re.sub(r"(quote: .*?)Russian", r"\1Rxussian", first.read_text(encoding="utf-8"), count=1)
    first.write_text(text, encoding="utf-8")
    desk.write_check("bad-yaml.yaml", 'claim: "never closed\nverdict: x\n')
    desk.write_check("bad-field.yaml", "claim: x\nstnace: y\n")
    article = sorted(desk.articles.glob("*.txt"))[0]
    (desk.articles / "broken.txt").write_text("---\ntitle: [\n---\nbody\n", encoding="utf-8")
    assert article.is_file()
    # A template that does not compile: compiled while the other process reads.
    (desk.root / "templates").mkdir(exist_ok=True)
    (desk.root / "templates" / "page.html").write_text('{% extends "base.html" %}{% if %}', encoding="utf-8")


def _report(desk: Desk, parallel: bool) -> tuple[object, ...]:
    cache = Cache.open(desk.root)
    result = verify(desk.config, cache=cache, parallel=parallel)
    return result.diagnostics, result.citations_json, dict(result.stats)


def _cold(desk: Desk) -> None:
    import shutil

    shutil.rmtree(desk.root / FOLDER, ignore_errors=True)


def test_two_processes_report_what_one_reports(sample_desk: Desk, forks: list[str]) -> None:
    _broken(sample_desk)
    _cold(sample_desk)
    one = _report(sample_desk, parallel=False)
    assert forks == []
    _cold(sample_desk)
    two = _report(sample_desk, parallel=True)
    assert forks == [READER]  # which also matches the quotes of the articles it read
    assert one == two
    assert any(d.code == "quote-not-found" for d in one[0])  # type: ignore[attr-defined]
    assert any(d.file == "templates/page.html" for d in one[0])  # type: ignore[attr-defined]


def test_the_childs_work_is_in_the_cache(sample_desk: Desk, forks: list[str]) -> None:
    _cold(sample_desk)
    cache = Cache.open(sample_desk.root)
    assert verify(sample_desk.config, cache=cache, parallel=True).ok
    files = len(list(sample_desk.articles.glob("*.txt"))) + len(list(sample_desk.checks.glob("*.yaml")))
    assert cache.count("article") + cache.count("entry") == files
    cache.save()
    # Read again: nothing is parsed.
    calls = []
    parsed = corpus._parsed
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(corpus, "_parsed", lambda *a: calls.append(a) or parsed(*a))
        assert verify(sample_desk.config, parallel=False).ok
    assert calls == []


READER = "the process reading and matching half of the desk"


@pytest.mark.parametrize("where", ["load_entry_file", "match_quote", "match"])
def test_a_child_that_dies_costs_time_only(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Killed while it reads, or while it matches: in the process that read
    half of the desk, or (where the desk was read in one process) in one
    forked to match half of the quotes."""
    _broken(sample_desk)
    _cold(sample_desk)
    one = _report(sample_desk, parallel=False)
    parent = os.getpid()
    work = getattr(warm, where)

    def dies_in_the_child(*args):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return work(*args)

    monkeypatch.setattr(warm, where, dies_in_the_child)
    if where == "match":
        monkeypatch.setattr(warm, "MIN_FILES", 10**6)  # read here, matched in two
    _cold(sample_desk)
    assert _report(sample_desk, parallel=True) == one
    matcher = "the process matching half of the quotes"  # where no process that read is left to match
    assert forks == {"load_entry_file": [READER, matcher], "match_quote": [READER], "match": [matcher]}[where]


def test_no_article_is_read_twice_to_match_its_quotes(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each process matches the quotes of the articles it read, whose bodies
    # it holds: neither reads an article's file again.
    from factcheck.model import Text

    _cold(sample_desk)
    read_again: list[tuple[int, str]] = []
    reread = Text._read
    log = sample_desk.root.parent / "read-again"

    def logged(text: Text) -> str:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {text._file}\n")
        return reread(text)

    monkeypatch.setattr(Text, "_read", logged)
    result = verify(sample_desk.config, cache=Cache.open(sample_desk.root), parallel=True)
    assert result.ok and forks == [READER]
    if log.exists():
        read_again = [tuple(line.split(" ", 1)) for line in log.read_text(encoding="utf-8").splitlines()]  # type: ignore[misc]
    assert read_again == []
    shares = {warm._share(f"content/articles/{p.name}") for p in sample_desk.articles.glob("*.txt")}
    assert shares == {0, 1}  # the child had articles of its own to match


def test_a_child_with_nothing_to_match_ends(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _cold(sample_desk)
    one = _report(sample_desk, parallel=False)
    monkeypatch.setattr(warm, "MIN_QUOTES", 10**6)  # too few quotes to match in two
    _cold(sample_desk)
    assert _report(sample_desk, parallel=True) == one
    assert forks == [READER]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # nothing left running, nothing left unreaped


def test_a_failure_between_reading_and_matching_stops_the_child(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck import pipeline

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a failure while the desk is put together")

    monkeypatch.setattr(pipeline, "validate_entries", fails)
    _cold(sample_desk)
    with pytest.raises(RuntimeError, match="put together"):
        verify(sample_desk.config, cache=Cache.open(sample_desk.root), parallel=True)
    assert forks == [READER]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_desk_the_cache_knows_is_not_forked_for(sample_desk: Desk, forks: list[str], tmp_path: Path) -> None:
    _cold(sample_desk)
    assert verify(sample_desk.config, parallel=True).ok
    forks.clear()
    assert verify(sample_desk.config, parallel=True).ok
    assert forks == []


def test_a_cold_check_writes_its_cache_in_a_third_process_and_the_next_check_reads_it_all(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck.verify import resolve

    _cold(sample_desk)
    first = verify(sample_desk.config, parallel=True)  # with a cache of its own, as `check` runs it
    assert forks[-1] == "the process writing the cache"
    calls: list[object] = []
    parsed, find = corpus._parsed, resolve.find_quote
    monkeypatch.setattr(corpus, "_parsed", lambda *a: calls.append(a) or parsed(*a))
    monkeypatch.setattr(resolve, "find_quote", lambda *a: calls.append(a) or find(*a))
    second = verify(sample_desk.config, parallel=True)
    assert calls == []  # nothing parsed, nothing matched: all of it was in the cache
    assert (first.diagnostics, first.citations_json) == (second.diagnostics, second.citations_json)


def test_a_build_from_nothing_writes_its_cache_while_the_site_is_put_in_place(
    sample_desk: Desk, forks: list[str]
) -> None:
    # Once Pagefind is done (nothing else runs then), a forked process writes
    # the new database; what the build adds after it (its state) is saved
    # as usual, and the next build finds the site up to date from it.
    _cold(sample_desk)
    shutil.rmtree(sample_desk.root / "site", ignore_errors=True)
    first = sample_desk.run("build")
    assert first.code == 0, first.out
    assert forks[-1] == "the process writing the cache"
    assert forks.index("the process rendering half of the pages") < forks.index("the process writing the cache")
    forks.clear()
    second = sample_desk.run("build")
    assert second.code == 0 and "up to date" in second.err
    assert forks == ["the process walking the desk"]  # (scout.py) nothing rendered, nothing written


def test_a_cold_check_sorts_out_each_folders_files_once(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading half of the desk in a forked process needs the lists of
    # articles and entries before the load that follows needs them again.
    from factcheck.verify import sources

    sorted_out: list[Path] = []
    discover = sources._discover
    monkeypatch.setattr(sources, "_discover", lambda folder, *a: sorted_out.append(folder) or discover(folder, *a))
    _cold(sample_desk)
    assert verify(sample_desk.config, parallel=True).ok
    assert forks[0] == READER
    assert {sample_desk.articles, sample_desk.checks} <= set(sorted_out)
    assert len(sorted_out) == len(set(sorted_out))  # each once
