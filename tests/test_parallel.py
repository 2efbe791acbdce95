"""A build from nothing renders a share of its pages in a forked process
(factcheck/site/parallel.py). Its pages are the same bytes (test_golden.py
builds both ways); here, its failures: each is the build's failure, with a
diagnostic, and nothing is written."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from factcheck.fork import Worker
from factcheck.pipeline import build
from factcheck.site import parallel
from factcheck.site.render import _Renderer
from factcheck.site.views import check_url

from .conftest import Desk


def _ids(desk: Desk, share: int) -> list[str]:
    ids = sorted(p.stem for p in desk.checks.glob("*.yaml"))
    return [i for i in ids if parallel.share(check_url(i) + "index.html") == share]


def test_each_process_has_a_share_of_the_sample_desk(sample_desk: Desk) -> None:
    assert _ids(sample_desk, 0) and _ids(sample_desk, 1)


_PAGES = [
    "index.html",
    *(f"checks/c{n}/index.html" for n in range(40)),
    *(f"articles/a{n}/index.html" for n in range(40)),
    "feed.xml",
    *(f"tags/t{n}/index.html" for n in range(200)),
    "claims.json",
    *(f"claimants/p{n}/{page}index.html" for n in range(50) for page in ("", "archive/2016/")),
]


def _asked_in_two(pauses: dict[int, float]) -> tuple[list[str], list[str]]:
    """The pages each process takes of `_PAGES` (parent, child), asking
    of each in order, the child pausing `pauses[n]` s before page n."""
    shares = parallel.Shares()

    def child(emit):  # type: ignore[no-untyped-def]
        taken = []
        for n, path in enumerate(_PAGES):
            time.sleep(pauses.get(n, 0))
            if shares.mine(path, 1):
                taken.append(path)
        return taken

    worker = Worker.start(child, "a process taking pages")
    try:
        parent = [path for path in _PAGES if shares.mine(path, 0)]
        theirs = worker.drain(lambda *message: None, wait=True)
    finally:
        shares.close()
    return parent, theirs  # type: ignore[return-value]


@pytest.mark.parametrize(
    "pauses",
    [{}, {0: 0.2}, {100: 0.2}, {n: 0.001 for n in range(0, len(_PAGES), 7)}],
    ids=["together", "child-late", "child-late-for-the-lists", "child-slower"],
)
def test_every_page_is_taken_by_one_process_whichever_comes_first(pauses: dict[int, float]) -> None:
    parent, child = _asked_in_two(pauses)
    assert sorted(parent + child) == sorted(_PAGES)
    assert not set(parent) & set(child)
    # A check's or an article's page, by its fixed share; the site's own files, the parent's.
    fixed = [p for p in _PAGES if p.startswith(("checks/", "articles/"))]
    assert [p for p in fixed if p in child] == [p for p in fixed if parallel.share(p) == 1]
    assert {"feed.xml", "claims.json"} <= set(parent)


def test_the_process_at_the_lists_first_takes_them() -> None:
    # The child starts a fifth of a second after the parent, who has taken
    # every list page by then (they are nothing to render here).
    parent, child = _asked_in_two({0: 0.2})
    lists = [p for p in _PAGES if p.endswith("index.html") and not p.startswith(("checks/", "articles/"))]
    assert set(lists) <= set(parent)
    assert child == [p for p in _PAGES if p.startswith(("checks/", "articles/")) and parallel.share(p) == 1]


def test_a_pipe_that_holds_few_numbers_leaves_the_rest_to_the_fixed_share(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where a pipe holds less than the numbers (a user with many pipes:
    # Linux gives the next ones a page or two), those that fit are handed
    # out and the rest of the lists go by the fixed share: no process
    # waits on a full pipe before the fork.
    monkeypatch.setattr(parallel, "_IDS", 1_000_000)
    shares = parallel.Shares()
    try:
        assert 0 < shares._ids < 1_000_000
        assert shares._ids % parallel._PAGE == 0
    finally:
        shares.close()


def test_a_page_neither_process_renders_fails_the_build_and_writes_nothing(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug in Shares, as a test makes it: the pipeline checks every page is there.
    mine = parallel.Shares.mine

    def skips_one(self, path, me):  # type: ignore[no-untyped-def]
        return path != "verdicts/index.html" and mine(self, path, me)

    monkeypatch.setattr(parallel.Shares, "mine", skips_one)
    result = build(sample_desk.config, out_dir=tmp_path / "site", parallel=True)
    assert [(d.code, d.message) for d in result.errors] == [
        (
            "render-worker",
            "1 pages were rendered by neither process (the first: verdicts/index.html); nothing was written",
        )
    ]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("share", [1, 0], ids=["in-the-child", "in-the-parent"])
def test_a_template_error_on_a_page_of_either_process_is_the_same_diagnostic(
    sample_desk: Desk, tmp_path: Path, share: int
) -> None:
    bad = _ids(sample_desk, share)[0]
    (sample_desk.root / "templates" / "check.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        f'{{% if check.id == "{bad}" %}}{{{{ check.no_such_field.x }}}}{{% endif %}}'
        "{% endblock %}",
        encoding="utf-8",
    )
    results = [build(sample_desk.config, out_dir=tmp_path / f"site-{p}", parallel=p) for p in (False, True)]
    one, two = ([(d.code, d.message, d.file, d.line) for d in r.errors] for r in results)
    assert one and one == two
    assert not (tmp_path / "site-True").exists()  # nothing written, not even the folder


def test_broken_links_on_pages_of_both_processes_are_the_same_diagnostics(sample_desk: Desk, tmp_path: Path) -> None:
    """The child scans the links of its own pages; what it found is merged
    with the parent's scan, as if one process had scanned every page: the
    same links reported, each from the same first page."""
    ids = [_ids(sample_desk, 1)[0], _ids(sample_desk, 0)[0], _ids(sample_desk, 1)[1]]
    (sample_desk.root / "templates" / "check.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        f"{{% if check.id in {ids!r} %}}"
        '<a href="../../nowhere/">gone</a><a href="../../{{ check.id }}-gone.html">gone</a>'
        "{% endif %}{% endblock %}",
        encoding="utf-8",
    )
    results = [build(sample_desk.config, out_dir=tmp_path / f"site-{p}", parallel=p) for p in (False, True)]
    one, two = ([(d.code, d.message, d.file, d.line, d.hint) for d in r.errors] for r in results)
    assert len(one) == 4 and one == two
    assert all(code == "broken-link" for code, *_ in one)
    assert not (tmp_path / "site-True").exists()


def test_a_renderer_that_dies_fails_the_build_and_writes_nothing(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    page = _Renderer.page

    def dies_in_the_child(self, path, template, **context):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return page(self, path, template, **context)

    monkeypatch.setattr(_Renderer, "page", dies_in_the_child)
    site = tmp_path / "site"
    result = build(sample_desk.config, out_dir=site, parallel=True)
    assert [d.code for d in result.errors] == ["render-worker"]
    assert "signal 9" in result.errors[0].message
    assert not site.exists()
    # Built again, without the fault: the whole site.
    monkeypatch.setattr(_Renderer, "page", page)
    assert build(sample_desk.config, out_dir=site, parallel=True).ok
    assert (site / "index.html").is_file()


def _ends(worker: Worker, seconds: float = 5) -> bool:
    """Whether the child ends within `seconds`, left for the worker to reap."""
    for _ in range(int(seconds / 0.01)):
        if os.waitid(os.P_PID, worker.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.01)
    return False


def test_the_child_sends_a_megabyte_of_pages_without_waiting_for_the_parent() -> None:
    # The parent reads the child's pages only between two of its own; a
    # child that waits on a full pipe meanwhile is time lost (6 s of the
    # child's 27 at 10,000 checks, with the pipe's default 64 KB).
    limit = Path("/proc/sys/fs/pipe-max-size")
    if not limit.is_file() or int(limit.read_text()) < 1 << 20:
        pytest.skip("pipes cannot be made to hold a megabyte here")
    page = b"x" * 20_000
    sent = 45  # 900 KB and their headers

    def run(emit):  # type: ignore[no-untyped-def]
        for n in range(sent):
            emit(f"p{n}.html", page)
        return "done"

    worker = Worker.start(run, "a process sending pages")
    if not _ends(worker):  # while nothing has been read yet
        worker.stop()
        pytest.fail("the child waited for the parent to read its pages")
    got: list[str] = []
    assert worker.drain(lambda path, data: got.append(path) if data == page else None, wait=True) == "done"
    assert len(got) == sent


def test_the_childs_last_message_waits_until_the_parent_asks_for_it() -> None:
    # A build's child returns its cache rows (50 MB at 10,000 checks): the
    # parent takes them once its own pages are made and their memory let
    # go, not between two of its pages.
    def run(emit):  # type: ignore[no-untyped-def]
        for n in range(3):
            emit(f"p{n}.html", b"page")
        return ["rows"] * 1000

    worker = Worker.start(run, "a process returning rows")
    assert _ends(worker)
    got: list[str] = []
    assert worker.drain(lambda path, data: got.append(path), leave_last=True) is None
    assert got == ["p0.html", "p1.html", "p2.html"]
    assert worker.drain(lambda path, data: got.append(path), leave_last=True) is None  # still waiting
    assert worker.drain(lambda path, data: got.append(path), wait=True) == ["rows"] * 1000
    assert len(got) == 3


def test_a_child_takes_what_the_parent_sends_it_on_the_way() -> None:
    # A cold check's reading process sends what it read, then matches the
    # quotes the parent asks it to (verify/warm.py).
    def run(emit, inbox):  # type: ignore[no-untyped-def]
        emit("ready", b"")
        asked = inbox.take()
        emit("got", str(len(asked)).encode())
        return [text.upper() for text in asked]

    worker = Worker.start(run, "a process that listens", listens=True)
    seen: list[str] = []
    worker.drain_until(lambda kind, data: seen.append(kind), lambda: bool(seen))
    asked = [f"quote {n} " + "x" * 100 for n in range(20_000)]  # 2 MB: more than the pipe holds
    worker.send(asked)
    assert worker.drain(lambda kind, data: seen.append(data.decode()), wait=True) == [t.upper() for t in asked]
    assert seen == ["ready", "20000"]


def test_a_listening_child_ends_when_the_parent_goes_and_sending_to_an_ended_child_fails() -> None:
    from factcheck.fork import WorkerError

    def run(emit, inbox):  # type: ignore[no-untyped-def]
        try:
            inbox.take()
        except EOFError:
            os._exit(7)  # the parent has gone: what the test looks for
        return "asked"

    worker = Worker.start(run, "a process that listens", listens=True)
    os.close(worker._to_child)  # as if the parent had gone
    worker._to_child = None
    assert _ends(worker)
    assert os.waitid(os.P_PID, worker.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT).si_status == 7
    worker.stop()

    def ends(emit, inbox):  # type: ignore[no-untyped-def]
        os._exit(0)

    worker = Worker.start(ends, "a process that listens", listens=True)
    assert _ends(worker)
    with pytest.raises(WorkerError, match="ended"):
        worker.send("too late")


def test_a_second_build_into_a_site_renders_in_one_process(sample_desk: Desk, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert build(sample_desk.config, out_dir=site, parallel=True).ok
    forked = []
    start = Worker.start
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Worker, "start", lambda run, what: forked.append(what) or start(run, what))
        (sample_desk.checks / "vote-tally-11-3-1.yaml").touch()
        assert build(sample_desk.config, out_dir=site, parallel=True).ok
    # The desk is walked by a second process (scout.py), but the pages are all rendered here.
    assert forked == ["the process walking the desk"]


def test_what_the_child_added_to_the_cache_is_kept(sample_desk: Desk, tmp_path: Path) -> None:
    """The fragments and Markdown the child made come back with it: the next
    build (a different folder, so it renders everything) finds them all."""
    from factcheck.cache import Cache

    assert build(sample_desk.config, out_dir=tmp_path / "one", parallel=True).ok
    cache = Cache.open(sample_desk.root)
    made = {name: set(cache._rows(name)) for name in parallel.SPACES}
    assert all(made.values())
    assert build(sample_desk.config, out_dir=tmp_path / "two", parallel=False, cache=cache).ok
    for name in parallel.SPACES:
        assert cache._rows(name).keys() | cache._values.get(name, {}).keys() == made[name]
        assert not cache._dirty.get(name)  # nothing had to be made again


@pytest.mark.parametrize("where", ["one-process", "in-the-child", "in-the-parent"])
def test_an_article_changed_while_the_site_is_built_fails_it_and_writes_nothing(
    sample_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A build lets the articles' bodies go once the quotes are found, and
    the pages that show one read it again: never a text other than the one
    checked. An article saved meanwhile (here: as a process starts on its
    check pages, whose quotes it reads first) is an error; nothing is written."""
    site = tmp_path / "site"
    if where == "one-process":  # into a site there already: one process, which must leave it as it was
        assert build(sample_desk.config, out_dir=site, parallel=True).ok
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    parent = os.getpid()
    prepare = _Renderer._prepare_quotes
    changed = []

    def saves_every_article(self, checks):  # type: ignore[no-untyped-def]
        if not changed and (where == "one-process" or (os.getpid() == parent) == (where == "in-the-parent")):
            changed.append(len(checks))
            for article in sample_desk.articles.glob("*.txt"):
                article.write_text(article.read_text(encoding="utf-8") + "\nA line added.\n", encoding="utf-8")
        return prepare(self, checks)

    monkeypatch.setattr(_Renderer, "_prepare_quotes", saves_every_article)
    if where == "one-process":  # every page to be made again
        config = sample_desk.config.read_text(encoding="utf-8")
        sample_desk.config.write_text(config.replace("\ntitle: ", "\ntitle: New "), encoding="utf-8")
    result = build(sample_desk.config, out_dir=site, parallel=True)
    assert changed or where == "in-the-child"  # (the child appended to its own list)
    assert {d.code for d in result.errors} == {"changed-during-build"}
    error = result.errors[0]
    assert error.file and error.file.startswith("content/articles/") and "changed while the site" in error.message
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before  # untouched, or never made


def test_a_build_reads_again_only_the_bodies_it_let_go(tmp_path: Path) -> None:
    from factcheck.model import ChangedFile, Text

    file = tmp_path / "a.txt"
    file.write_bytes(b"---\ntitle: A\n---\nThe body.\n")
    import hashlib

    text = Text("The body.\n", start=17, sha256=hashlib.sha256(file.read_bytes()).hexdigest())
    text.release()  # no file to read it from: kept
    assert text.held
    text.locate(str(file))
    text.release()
    assert not text.held and text.length() == 10
    assert text.read() == "The body.\n" and not text.held  # read, not kept
    assert text.value() == "The body.\n" and text.held
    text.release()
    file.write_bytes(b"---\ntitle: A\n---\nThe body, changed.\n")
    with pytest.raises(ChangedFile):
        text.read()
