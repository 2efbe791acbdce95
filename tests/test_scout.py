"""The desk walked on two cores (scout.walk_in_two): the articles' folder in
a forked process, the others here, and what comes of it is what one
process walks, problems and order included."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from factcheck import fork, scout
from factcheck.config import load_config
from factcheck.model import Config
from factcheck.verify.sources import Walks, desk_folders

from .conftest import Desk

WALKER = "the process walking the articles' folder"


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    started: list[str] = []
    start = fork.Worker.start
    monkeypatch.setattr(fork.Worker, "start", lambda run, what, **how: started.append(what) or start(run, what, **how))
    return started


def _config(desk: Desk) -> Config:
    config, problems = load_config(desk.config)
    assert config is not None, problems
    return config


def _untidy(desk: Desk) -> None:
    """Some of everything a walk meets: folders in folders, hidden files and
    backups, a file of the wrong kind, a broken link, a link out of the desk."""
    nested = desk.articles / "2016" / "december"
    nested.mkdir(parents=True)
    (nested / "bbc-late.txt").write_text("---\ntitle: Late\n---\nBody.\n", encoding="utf-8")
    (desk.articles / ".hidden.txt").write_text("x", encoding="utf-8")
    (desk.articles / "notes.txt~").write_text("x", encoding="utf-8")
    (desk.articles / "notes.md").write_text("x", encoding="utf-8")
    (desk.articles / "gone.txt").symlink_to(desk.root / "nowhere.txt")
    outside = desk.root.parent / "outside.txt"
    outside.write_text("x", encoding="utf-8")
    (desk.articles / "outside.txt").symlink_to(outside)
    (desk.checks / "draft.yml").write_text("claim: x\n", encoding="utf-8")
    (desk.checks / "gone.yaml").symlink_to(desk.root / "nowhere.yaml")


def _walked(walks: Walks) -> list[tuple[Path, object]]:
    return list(walks.walked().items())  # in order: the desk's digests follow it


def test_the_articles_walked_apart_are_what_one_process_walks(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _untidy(sample_desk)
    config = _config(sample_desk)
    monkeypatch.setattr(scout, "WALK_APART", 1)
    two = scout.walk_in_two(config)
    assert forks == [WALKER]
    one = Walks(config.root, desk_folders(config))
    assert _walked(two) == _walked(one)
    articles = two.walk(config.articles_dir)
    assert ("2016", "december", "bbc-late.txt") in articles.files
    # A broken link (a warning) and a link out of the desk (an error) came back as diagnostics.
    assert sorted((d.code, d.severity) for d in articles.problems) == [
        ("ignored-file", "warning"),
        ("unsafe-file", "error"),
    ]


def test_a_walker_that_dies_costs_time_only(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _untidy(sample_desk)
    config = _config(sample_desk)
    one = Walks(config.root, desk_folders(config))
    parent, walk_files = os.getpid(), scout.walk_files

    def dies_in_the_child(*args):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return walk_files(*args)

    monkeypatch.setattr(scout, "walk_files", dies_in_the_child)
    monkeypatch.setattr(scout, "WALK_APART", 1)
    assert _walked(scout.walk_in_two(config)) == _walked(one)
    assert forks == [WALKER]


def test_a_walk_that_fails_here_stops_the_walker(
    sample_desk: Desk, forks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # (Ctrl-C on the way, or a folder that cannot be walked: the child is
    # stopped and reaped, and no descriptor is left open.)
    config = _config(sample_desk)
    parent, walk_files = os.getpid(), scout.walk_files

    def fails_here(folder, root):  # type: ignore[no-untyped-def]
        if os.getpid() == parent and folder == config.checks_dir:
            raise KeyboardInterrupt
        return walk_files(folder, root)

    monkeypatch.setattr(scout, "walk_files", fails_here)
    monkeypatch.setattr(scout, "WALK_APART", 1)
    before = set(os.listdir("/proc/self/fd"))
    with pytest.raises(KeyboardInterrupt):
        scout.walk_in_two(config)
    assert forks == [WALKER]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left, running or not reaped
    assert set(os.listdir("/proc/self/fd")) <= before


def test_a_desk_of_few_articles_is_walked_in_one_process(sample_desk: Desk, forks: list[str]) -> None:
    config = _config(sample_desk)
    assert _walked(scout.walk_in_two(config)) == _walked(Walks(config.root, desk_folders(config)))
    assert forks == []


def test_articles_are_counted_below_their_folder_and_only_as_far_as_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for outlet in ("bbc", "cnn"):
        (tmp_path / outlet).mkdir()
        for n in range(3):
            (tmp_path / outlet / f"{outlet}-{n}.txt").write_text("x", encoding="utf-8")
    # Two folders and six files: eight names.
    assert scout._at_least(tmp_path, 8)
    assert not scout._at_least(tmp_path, 9)
    assert not scout._at_least(tmp_path / "missing", 1)
    listed: list[str] = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: listed.append(path) or scandir(path))
    assert scout._at_least(tmp_path, 2)
    assert listed == [str(tmp_path)]
