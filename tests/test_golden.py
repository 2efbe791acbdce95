"""The site, byte for byte: the sample desk and a synthetic desk build to
exactly the files recorded in tests/golden/ (a SHA-256 each).

Work on speed must not change a byte of what readers get; a change to the
output is a decision, made by running this file with FACTCHECK_GOLDEN=update
(which records the new digests), and the diff of tests/golden/ shows which
files changed. The generator's version is in every page, so a release
records them anew."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

from factcheck.cache import FOLDER
from factcheck.fork import Worker
from factcheck.pipeline import build

from .conftest import REPO, Desk

GOLDEN = Path(__file__).resolve().parent / "golden"


def digests(site: Path) -> str:
    lines = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if not rel.startswith(".factcheck"):  # the build's own records, not the site
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    return "".join(lines)


def check_against(name: str, desk: Desk, out: Path, parallel: bool) -> None:
    shutil.rmtree(desk.root / FOLDER, ignore_errors=True)  # from nothing
    forked = []
    start = Worker.start
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Worker, "start", lambda run, what, **how: forked.append(what) or start(run, what, **how))
        result = build(desk.config, out_dir=out, parallel=parallel)
    assert result.ok, result.diagnostics
    # (and, in two, the cache written by a third once the pages are made)
    assert forked == (["the process rendering half of the pages", "the process writing the cache"] if parallel else [])
    found = digests(out)
    golden = GOLDEN / f"{name}.sha256"
    if os.environ.get("FACTCHECK_GOLDEN") == "update":
        golden.write_text(found, encoding="utf-8")
    wanted = golden.read_text(encoding="utf-8")
    if found != wanted:
        was = dict(line.split("  ", 1)[::-1] for line in wanted.splitlines())
        now = dict(line.split("  ", 1)[::-1] for line in found.splitlines())
        changed = sorted(p for p in was.keys() | now.keys() if was.get(p) != now.get(p))
        pytest.fail(f"{len(changed)} files differ from tests/golden/{name}.sha256: {changed[:20]}")


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: the day's warnings stay as they are


# One process, or two (site/parallel.py): the same bytes.
both_ways = pytest.mark.parametrize("parallel", [False, True], ids=["one-process", "two-processes"])


@both_ways
def test_the_sample_desk_builds_to_its_golden_files(sample_desk: Desk, tmp_path: Path, parallel: bool) -> None:
    check_against("sample", sample_desk, tmp_path / "site", parallel)


@both_ways
@pytest.mark.parametrize("urls", [False, True], ids=["archived", "with-addresses"])
def test_a_synthetic_desk_builds_to_its_golden_files(tmp_path: Path, parallel: bool, urls: bool) -> None:
    """60 checks over ten years (bench/generate.py, which is seeded); with
    the articles' addresses, their pages link each quote into the original."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(60, tmp_path / "desk", claimants=4, urls=urls)
    check_against("synthetic-urls" if urls else "synthetic", Desk(tmp_path / "desk"), tmp_path / "site", parallel)


def test_check_pages_are_the_same_with_their_quotes_made_ready_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check pages' quotes are made article by article for a window of
    checks at a time (render._prepare_quotes): windows of a citation or
    two make the same pages."""
    import factcheck.site.render as render

    monkeypatch.setattr(render, "QUOTES_AT_ONCE", 2)
    prepared = []
    prepare = render._Renderer._prepare_quotes
    monkeypatch.setattr(
        render._Renderer, "_prepare_quotes", lambda self, checks: prepared.append(checks) or prepare(self, checks)
    )
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    made = []
    quote = render._Renderer._quote
    monkeypatch.setattr(render._Renderer, "_quote", staticmethod(lambda *args: made.append(args) or quote(*args)))
    generate(60, tmp_path / "desk", claimants=4, urls=True)
    check_against("synthetic-urls", Desk(tmp_path / "desk"), tmp_path / "site", parallel=False)
    assert len(prepared) == 60  # 3 to 5 citations a check: a window each
    cited = sum(p.read_text(encoding="utf-8").count("- article:") for p in (tmp_path / "desk").rglob("*.yaml"))
    assert len(made) == cited  # each made once, ready for its page


def test_the_exports_read_each_article_once_for_all_its_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exports go check by check; what each shows of a citation
    (render._Renderer.quoted) is made, for every citation of an article,
    from one reading of its text, and each once."""
    import factcheck.site.render as render

    read_for_exports: list[str] = []
    body = render._Renderer.body

    def counted(self, article):  # type: ignore[no-untyped-def]
        if sys._getframe(1).f_code.co_name == "quoted":
            read_for_exports.append(article.id)
        return body(self, article)

    made = []
    quoted = render.feeds.quoted
    monkeypatch.setattr(render._Renderer, "body", counted)
    monkeypatch.setattr(
        render.feeds, "quoted", lambda text, r: made.append((r.check, r.citation.index)) or quoted(text, r)
    )
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(60, tmp_path / "desk", claimants=4, urls=True)
    check_against("synthetic-urls", Desk(tmp_path / "desk"), tmp_path / "site", parallel=False)
    cited = [
        line.split(":", 1)[1].strip()
        for p in (tmp_path / "desk").rglob("*.yaml")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- article:")
    ]
    assert sorted(read_for_exports) == sorted(set(cited))  # each article once
    assert len(made) == len(set(made)) == len(cited)  # each citation's once
