"""Faults while writing the site: a build killed after any file operation,
a write that fails, two builds at once. Whatever happens, the next build
makes exactly what a build from nothing makes, and every message says what
really happened."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factcheck.site.output import JOURNAL, LOCK, MARKER, FileOps, read_journal

from .conftest import Desk
from .test_incremental import _claim, _new_entry, _removed_entry, cold_build, tree

OPS = ("mkdir", "write", "replace", "unlink", "rmdir", "journal")


def links_to_missing_pages(site: Path, new: frozenset[str] = frozenset()) -> list[str]:
    """Links whose page does not exist, from pages other than `new` ones.
    (Two new pages can link to each other, a new check and a new topic: one
    of those links lags for a moment. An anchor can lag too: a new check's
    page is written before the article pages that get its marks.)"""
    from urllib.parse import unquote, urljoin, urlsplit

    from bs4 import BeautifulSoup

    missing = []
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        if rel == "404.html" or rel.startswith(".factcheck") or rel in new:
            continue
        for tag in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all(["a", "link", "script"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or ref.startswith(("http:", "https:", "mailto:", "data:")):
                continue
            path = unquote(urlsplit(urljoin("http://site.invalid/" + rel, ref)).path).removeprefix("/")
            target = site / path / "index.html" if path == "" or path.endswith("/") else site / path
            if not target.is_file():
                missing.append(f"{rel}: {ref}")
    return missing


def build_dying_after(config: Path, limit: int | None) -> tuple[int, int]:
    """Run `build` in a child process that dies as a kill would (no clean-up,
    no `finally`) just before its file operation number `limit`. Returns the
    child's exit status and how many file operations it did."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        done = [0]

        def dying(name: str):  # type: ignore[no-untyped-def]
            real = getattr(FileOps, name)

            def op(self, *args):  # type: ignore[no-untyped-def]
                if done[0] == limit:
                    os.write(write, str(done[0]).encode())
                    os._exit(9)
                done[0] += 1
                return real(self, *args)

            return op

        for name in OPS:
            setattr(FileOps, name, dying(name))
        from factcheck.cli import main

        devnull = open(os.devnull, "w")  # noqa: SIM115 - the child exits without closing anything
        code = main(["build", "--config", str(config)], stdout=devnull, stderr=devnull)
        os.write(write, str(done[0]).encode())
        os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as f:
        count = int(f.read() or 0)
    return os.waitstatus_to_exitcode(status), count


def snapshot(folder: Path, into: Path) -> None:
    shutil.rmtree(into, ignore_errors=True)
    shutil.copytree(folder, into, symlinks=True)


def restore(folder: Path, snap: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(snap, folder, symlinks=True)


def edit_sources(desk: Desk) -> None:
    """A change that adds, changes and removes pages."""
    _claim(desk)
    _new_entry(desk)
    _removed_entry(desk)


def test_a_rebuild_killed_after_any_file_operation_then_reverted_converges(sample_desk: Desk, tmp_path: Path) -> None:
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    snapshot(site, tmp_path / "site-before")
    snapshot(desk.checks, tmp_path / "checks-before")
    expected = cold_build(desk, tmp_path / "cold")  # of the sources as they are (and will be again)
    assert desk.run("build").code == 0  # a cache to work from, as an editor has
    edit_sources(desk)
    snapshot(desk.checks, tmp_path / "checks-edited")
    code, total = build_dying_after(desk.config, None)
    assert code == 0 and total > 20
    new = frozenset(tree(site)) - frozenset(tree(tmp_path / "site-before"))
    assert "checks/a-copy/index.html" in new
    for limit in range(total):
        restore(site, tmp_path / "site-before")
        restore(desk.checks, tmp_path / "checks-edited")
        code, done = build_dying_after(desk.config, limit)
        assert (code, done) == (9, limit)
        assert links_to_missing_pages(site, new) == [], f"killed after {limit} operations"
        restore(desk.checks, tmp_path / "checks-before")  # the editor reverts the change
        interrupted = bool(read_journal(site))
        result = desk.run("build")
        assert result.code == 0, result.out
        assert ("up to date" in result.err) is not interrupted
        assert tree(site) == expected, f"killed after {limit} of {total} operations"


def test_a_rebuild_killed_after_any_file_operation_is_finished_by_the_next(sample_desk: Desk, tmp_path: Path) -> None:
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    snapshot(site, tmp_path / "site-before")
    edit_sources(desk)
    expected = cold_build(desk, tmp_path / "cold")
    code, total = build_dying_after(desk.config, None)
    assert code == 0
    for limit in range(0, total, 5):
        restore(site, tmp_path / "site-before")
        assert build_dying_after(desk.config, limit)[0] == 9
        assert desk.run("build").code == 0
        assert tree(site) == expected, f"killed after {limit} of {total} operations"


def test_a_failed_rebuild_then_a_revert_is_never_up_to_date(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """build; make index.html unwritable (chattr +i); edit an entry and add
    one; build fails; allow writing again; revert; build."""
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    snapshot(desk.checks, tmp_path / "checks-before")
    expected = cold_build(desk, tmp_path / "cold")
    assert desk.run("build").code == 0
    _claim(desk)
    _new_entry(desk)
    replace = FileOps.replace

    def immutable(self, source: Path, target: Path) -> None:  # type: ignore[no-untyped-def]
        if target == site / "index.html":
            raise PermissionError(1, "Operation not permitted", str(target))
        replace(self, source, target)

    monkeypatch.setattr(FileOps, "replace", immutable)
    failed = desk.run("build")
    assert failed.code == 2
    assert "Operation not permitted" in failed.out and "partly updated" in failed.out
    assert "nothing was written" not in failed.err
    assert "some files of" in failed.err and "were replaced" in failed.err
    assert (site / JOURNAL).is_file()
    monkeypatch.setattr(FileOps, "replace", replace)
    restore(desk.checks, tmp_path / "checks-before")
    result = desk.run("build")
    assert result.code == 0 and "up to date" not in result.err
    assert tree(site) == expected
    assert not (site / JOURNAL).exists()


def test_a_build_that_fails_before_writing_says_nothing_was_written(sample_desk: Desk) -> None:
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    before = tree(site)
    (desk.checks / "broken.yaml").write_text("claim: [\n", encoding="utf-8")
    result = desk.run("build")
    assert result.code == 1
    assert "nothing was written" in result.err
    assert tree(site) == before


def test_two_builds_at_once_exclude_each_other(sample_desk: Desk, tmp_path: Path) -> None:
    desk = sample_desk
    expected = cold_build(desk, tmp_path / "cold")
    shutil.rmtree(desk.root / ".factcheck-cache", ignore_errors=True)
    command = [sys.executable, "build.py", "build", "--config", str(desk.config)]
    cwd = Path(__file__).resolve().parent.parent
    first = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    second = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
    assert tree(desk.root / "site") == expected
    assert (desk.root / "site" / LOCK).read_bytes() == b""  # nobody holds it


def test_a_waiting_build_says_who_holds_the_lock(sample_desk: Desk) -> None:
    import fcntl

    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    _claim(desk)
    fd = os.open(site / LOCK, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242\n", 0)
    proc = subprocess.Popen(
        [sys.executable, "build.py", "build", "--config", str(desk.config)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert proc.poll() is None  # waiting
    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "another build (process 4242) is writing" in err
    assert "updated the site" in err


def test_a_killed_build_leaves_no_scratch_files_after_the_next(sample_desk: Desk) -> None:
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    _claim(desk)
    assert build_dying_after(desk.config, 2)[0] == 9
    assert desk.run("build").code == 0
    hidden = sorted(p.relative_to(site).as_posix() for p in site.rglob(".*"))
    assert hidden == [LOCK, MARKER]


def test_files_staged_on_disk_make_the_same_site(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large desk's changed files wait on disk, not in memory: the site
    is the same, from a first build and from a rebuild."""
    import factcheck.site.output as output

    expected = cold_build(sample_desk, tmp_path / "cold")
    monkeypatch.setattr(output, "_MEMORY", 0)
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    assert tree(site) == expected
    edit_sources(sample_desk)
    expected = cold_build(sample_desk, tmp_path / "cold-2")
    result = sample_desk.run("build")
    assert result.code == 0 and "updated the site" in result.err
    assert tree(site) == expected


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("import sys; sys.stdin.read(10); print('thread main panicked', file=sys.stderr); sys.exit(101)", "panicked"),
        ("import sys; sys.stdin.read(10); sys.stdout.write('not base64!,'); sys.stdout.flush()", "could not be read"),
        (
            "import base64, json, sys; sys.stdin.read(10);"
            "m = {'message_id': 0, 'payload': {'type': 'Error', 'message': 'no index for you'}};"
            "sys.stdout.write(base64.b64encode(json.dumps(m).encode()).decode() + ','); sys.stdout.flush()",
            "no index for you",
        ),
    ],
    ids=["dies", "garbles", "refuses"],
)
def test_a_pagefind_that_fails_fails_the_build_and_leaves_the_site_as_it_was(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, said: str
) -> None:
    """Search is part of the site: a Pagefind that dies, answers what cannot
    be read, or reports an error is a diagnostic, and the build writes
    nothing (the last site stands, search and all)."""
    import pagefind_bin

    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    before = tree(site)
    fake = tmp_path / "pagefind"
    fake.write_text(f"#!{sys.executable}\n{script}\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: fake)
    entry = sample_desk.checks / "russia-china-veto.yaml"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace('claim: "Russia', 'claim: "Edited, Russia', 1), encoding="utf-8"
    )
    run = sample_desk.run("build")
    assert run.code == 2  # not the desk's fault: the tool's
    assert "error[search]: Pagefind could not index the site" in run.out and said in run.out, run.out
    assert "nothing was written" in run.err
    assert tree(site) == before


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_site_files_are_readable_by_all_whatever_the_umask(sample_desk: Desk, tmp_path: Path, umask: int) -> None:
    """Every file of the site is 0644: made so under any umask (the mode is
    set where the file did not get it); a file that stood where one is
    written takes that mode too, and a link there is not followed."""
    site = sample_desk.root / "site"
    old = os.umask(umask)
    try:
        assert sample_desk.run("build").code == 0
        stood = tmp_path / "stood.html"
        stood.write_text("someone's own\n", encoding="utf-8")
        stood.chmod(0o600)
        FileOps().write(stood, b"ours\n")
        victim = tmp_path / "victim.html"
        victim.write_text("keep me\n", encoding="utf-8")
        (tmp_path / "link.html").symlink_to(victim)
        with pytest.raises(OSError):
            FileOps().write(tmp_path / "link.html", b"ours\n")
    finally:
        os.umask(old)
    modes = {p.relative_to(site).as_posix(): p.stat().st_mode & 0o777 for p in site.rglob("*") if p.is_file()}
    ours = {path: mode for path, mode in modes.items() if not path.startswith(".factcheck")}
    assert len(ours) > 100 and set(ours.values()) == {0o644}, {p: oct(m) for p, m in ours.items() if m != 0o644}
    assert stood.read_bytes() == b"ours\n" and stood.stat().st_mode & 0o777 == 0o644
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_the_writer_reads_the_manifest_again_unless_it_is_the_one_read_before_the_lock(sample_desk: Desk) -> None:
    """A build reads the last manifest to tell the site up to date, then
    takes the lock: if another build replaced the manifest meanwhile (or
    left its journal), the writer reads it again, under the lock."""
    from factcheck.site.output import SiteWriter, read_manifest

    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    known = read_manifest(site)
    assert known is not None and known.read_as is not None
    writer = SiteWriter(site, known=known)
    assert writer.previous is known  # the same file: not read twice
    writer.abort()
    entry = sample_desk.checks / "russia-china-veto.yaml"
    entry.write_text(entry.read_text(encoding="utf-8").replace('claim: "Russia', 'claim: "Edited, Russia', 1), "utf-8")
    assert sample_desk.run("build").code == 0  # another build, in between
    writer = SiteWriter(site, known=known)
    assert writer.previous is not known and writer.previous == read_manifest(site) != known
    writer.abort()
    before = read_manifest(site)
    (site / JOURNAL).write_text('"index.html"\n', encoding="utf-8")  # then a build killed while writing
    writer = SiteWriter(site, known=before)
    assert writer.previous is not before and writer.previous is not None and writer.previous.interrupted
    writer.abort()


def test_site_files_are_readable_by_all_under_a_default_acl(tmp_path: Path) -> None:
    """A folder's default ACL, not the umask, gives a new file its mode
    (`setfacl -d -m o::---`): the site's files are 0644 all the same."""
    import struct

    folder = tmp_path / "site"
    folder.mkdir()
    # user::rwx, group::---, other::--- (the kernel's binary form of an ACL)
    entries = [(0x01, 7), (0x04, 0), (0x20, 0)]
    acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, 0xFFFFFFFF) for tag, perm in entries)
    try:
        os.setxattr(folder, "system.posix_acl_default", acl)
    except (OSError, AttributeError):
        pytest.skip("no ACLs on this file system")
    (folder / "probe").touch()
    assert (folder / "probe").stat().st_mode & 0o777 == 0o600  # the ACL, not the umask, decides
    FileOps().write(folder / "page.html", b"page\n")
    assert (folder / "page.html").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("left", [1000, 3000, 10**9])
def test_a_pagefind_that_stops_reading_a_large_part_is_reported_in_its_own_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, left: int
) -> None:
    """A part's messages are megabytes: a Pagefind that stops reading them
    (dies, or is killed) leaves them unwritten in the pipe. That is a
    SearchError with what Pagefind said, never a BrokenPipeError, and the
    process is reaped."""
    import pagefind_bin

    from factcheck.site import search

    messages = [b"A" * 1000 + b","] * 2000  # 2 MB
    take = sum(map(len, messages)) - 65536 - left  # all but what fills the pipe, and `left` more
    fake = tmp_path / "pagefind"
    fake.write_text(
        f"#!{sys.executable}\nimport os, sys\ngot = 0\n"
        f"while got < {max(take, 0)}:\n    b = os.read(0, 65536)\n    if not b: break\n    got += len(b)\n"
        "print('thread main panicked at fossick', file=sys.stderr)\nos._exit(101)\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind_bin, "get_executable", lambda: fake)
    running = search._Running()
    with pytest.raises(search.SearchError, match="Pagefind could not index the site: thread main panicked"):
        search._index(messages, running)
    assert not running._procs


def test_ctrl_c_leaves_the_site_as_it_was_until_files_are_put_in_place_then_says_so(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (KeyboardInterrupt, which the build's clean-up sees, unlike a
    kill) before the first file of the site is replaced leaves the site as
    it was; after, the report says what is left, and the next build puts
    the rest in place. Either way one line, not a traceback, and exit 130."""
    desk = sample_desk
    site = desk.root / "site"
    assert desk.run("build").code == 0
    before = tree(site)
    edit_sources(desk)
    expected = cold_build(desk, tmp_path / "cold")
    real = FileOps.replace
    for stop_at in ("render", 3):
        calls = [0]

        def interrupted(self: FileOps, *args: Path, stop_at: object = stop_at, calls: list[int] = calls) -> None:
            if calls[0] == stop_at:
                raise KeyboardInterrupt
            calls[0] += 1
            real(self, *args)

        def rendering(*args: object, **kwargs: object) -> object:
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            if stop_at == "render":
                m.setattr("factcheck.site.render._Renderer.check_page", rendering)
            else:
                m.setattr(FileOps, "replace", interrupted)
            result = desk.run("build")
        assert result.code == 130 and "Traceback" not in result.err, stop_at
        if stop_at == "render":
            assert result.err.endswith("factcheck: interrupted\n"), stop_at
            assert tree(site) == before, stop_at
        else:
            assert result.err.endswith(
                f"factcheck: interrupted: the site at {site.resolve()} was partly updated: "
                "the next build puts the rest in place\n"
            )
            assert tree(site) != before
        assert not (site / ".factcheck-work").exists() or not any((site / ".factcheck-work").iterdir())
    assert desk.run("build").code == 0
    assert {k: v for k, v in tree(site).items() if not k.startswith(".factcheck")} == {
        k: v for k, v in expected.items() if not k.startswith(".factcheck")
    }


def test_ctrl_c_once_the_site_is_in_place_says_it_was_updated(
    sample_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = sample_desk
    assert desk.run("build").code == 0
    _claim(desk)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr("factcheck.state.save", interrupted)  # what the next build reuses, kept after the site
        result = desk.run("build")
    site = (desk.root / "site").resolve()
    assert result.code == 130
    assert result.err == (
        f"factcheck: interrupted: the site at {site} was updated, but not all that the next build reuses was saved\n"
    )
    assert "Edited: " in (site / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert desk.run("build").code == 0


def test_a_command_line_run_stopped_by_ctrl_c_ends_by_the_signal(tmp_path: Path) -> None:
    """As a shell script expects of a command Ctrl-C stopped: it stops too."""
    import signal

    proc = subprocess.run(
        [sys.executable, "-c", "from factcheck import cli; cli._end_process(cli.EXIT_INTERRUPTED)"],
        capture_output=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == -signal.SIGINT
