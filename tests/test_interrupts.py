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
    assert set(os.listdir("/proc/self/fd")) == before


def test_a_fork_that_fails_leaves_no_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(OSError):
        fork.Worker.start(lambda emit: None, "a child there is no room for", listens=True)
    assert set(os.listdir("/proc/self/fd")) == before


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
