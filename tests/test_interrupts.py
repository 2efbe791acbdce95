"""Ctrl-C held back where stopping half-way would leave something behind:
between a fork and the parent's knowing its child, and while a build
undoes what it began. Real signals, sent to this process."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from factcheck import fork, interrupts

from .conftest import Desk


def test_a_ctrl_c_in_a_held_block_is_raised_once_the_block_is_done() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.held():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the rest of the block")
    assert done == ["the rest of the block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_held_block_with_no_ctrl_c_raises_nothing_and_nests() -> None:
    with interrupts.held():
        with interrupts.held():
            pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        with interrupts.held():
            with interrupts.held():
                os.kill(os.getpid(), signal.SIGINT)
            # (the inner block hands it to the outer one, which holds it)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_handler_is_put_back_even_when_another_signals_handler_raises_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (Setting a handler runs the handlers of signals that came meanwhile.)
    real = signal.signal
    calls = [0]

    def raising_once(signum: int, handler: object) -> object:
        calls[0] += 1
        if calls[0] == 2:  # putting it back
            raise RuntimeError("another signal's handler")
        return real(signum, handler)  # type: ignore[arg-type]

    monkeypatch.setattr(signal, "signal", raising_once)
    with pytest.raises(RuntimeError):
        with interrupts.held():
            pass
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_a_held_block_changes_nothing() -> None:
    seen = []

    def elsewhere() -> None:
        with interrupts.held():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler]


def test_a_ctrl_c_as_a_process_is_forked_stops_the_child_and_leaves_no_descriptor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[int] = []
    real_fork = os.fork

    def interrupted_fork() -> int:
        os.kill(os.getpid(), signal.SIGINT)  # held: the fork goes on
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", interrupted_fork)
    with pytest.raises(KeyboardInterrupt):
        fork.Worker.start(lambda emit: __import__("time").sleep(60), "a child that would run a minute")
    monkeypatch.undo()
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # killed and reaped already
    assert set(os.listdir("/proc/self/fd")) - before == set()


def test_a_fork_that_fails_leaves_no_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(OSError):
        fork.Worker.start(lambda emit: None, "a child there is no room for", listens=True)
    assert set(os.listdir("/proc/self/fd")) - before == set()


def test_a_ctrl_c_while_a_fresh_build_undoes_itself_waits_until_it_is_undone(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from factcheck.cli import main
    from factcheck.site.links import LinkScanner
    from factcheck.site.output import SiteWriter

    def first_ctrl_c(*args: object) -> object:
        raise KeyboardInterrupt  # after every page is written, before the site is finished

    real_remove = SiteWriter._remove
    removed = [0]

    def second_ctrl_c(self: SiteWriter, rel: str) -> None:
        if removed[0] == 3:
            os.kill(os.getpid(), signal.SIGINT)
        removed[0] += 1
        real_remove(self, rel)

    monkeypatch.setattr(LinkScanner, "broken", first_ctrl_c)
    monkeypatch.setattr(SiteWriter, "_remove", second_ctrl_c)
    out = tmp_path / "site"
    err = io.StringIO()
    code = main(["build", "--config", str(sample_desk.config), "--out", str(out)], stdout=io.StringIO(), stderr=err)
    assert code == 130 and err.getvalue() == "factcheck: interrupted\n"
    assert removed[0] > 100  # every file it wrote, though a second Ctrl-C came at the fourth
    assert not out.exists()


def _fresh_build(sample_desk: Desk, out: Path) -> tuple[int, str]:
    import io

    from factcheck.cli import main

    err = io.StringIO()
    code = main(["build", "--config", str(sample_desk.config), "--out", str(out)], stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def test_a_second_ctrl_c_while_a_build_stops_its_search_waits_until_the_site_is_undone(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck.site.search import Indexer

    def first(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    real_cancel = Indexer.cancel

    def second(self: Indexer) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real_cancel(self)

    monkeypatch.setattr(Indexer, "result", first)
    monkeypatch.setattr(Indexer, "cancel", second)
    out = tmp_path / "site"
    assert _fresh_build(sample_desk, out) == (130, "factcheck: interrupted\n")
    assert not out.exists()


def _edit(desk: Desk) -> None:
    entry = desk.checks / "russia-china-veto.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace('claim: "', 'claim: "Edited: ', 1), encoding="utf-8")


def _ctrl_c_as_it_lets_go_of_the_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C as a build lets go of its lock: the last step of its clean-up."""
    from factcheck.site.output import _Lock

    real_release = _Lock.release

    def interrupted(self: _Lock) -> None:
        real_release(self)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(_Lock, "release", interrupted)


@pytest.mark.parametrize("kind", ["from nothing", "over the last one"])
def test_a_ctrl_c_as_a_finished_build_lets_go_of_its_lock_says_the_site_was_updated(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    out = tmp_path / "site"
    if kind == "over the last one":
        assert _fresh_build(sample_desk, out)[0] == 0
        _edit(sample_desk)
    _ctrl_c_as_it_lets_go_of_the_site(monkeypatch)
    code, err = _fresh_build(sample_desk, out)
    monkeypatch.undo()
    assert code == 130
    assert err == (
        f"factcheck: interrupted: the site at {out.resolve()} was updated, but not all that the next build reuses "
        "was saved\n"
    )
    if kind == "over the last one":
        assert "Edited: " in (out / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert _fresh_build(sample_desk, out)[0] == 0


def test_a_ctrl_c_while_a_failed_write_is_cleaned_up_keeps_saying_the_site_was_partly_updated(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck.site.output import FileOps

    out = tmp_path / "site"
    assert _fresh_build(sample_desk, out)[0] == 0
    _edit(sample_desk)
    real_replace = FileOps.replace
    replaced = [0]

    def failing(self: FileOps, *args: Path) -> None:
        if replaced[0] == 2:
            raise OSError(28, "No space left on device")
        replaced[0] += 1
        real_replace(self, *args)

    monkeypatch.setattr(FileOps, "replace", failing)
    _ctrl_c_as_it_lets_go_of_the_site(monkeypatch)  # while it cleans up after the failure
    code, err = _fresh_build(sample_desk, out)
    monkeypatch.undo()
    assert code == 130
    assert err == (
        f"factcheck: interrupted: the site at {out.resolve()} was partly updated: "
        "the next build puts the rest in place\n"
    )
    assert _fresh_build(sample_desk, out)[0] == 0
