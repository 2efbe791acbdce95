"""The corpus: front matter, encodings, hashes and ids."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.verify.corpus import split_front_matter

from .conftest import REPO, Desk

SEEDS = REPO.parent / "shared" / "seeds"


def _body(path: Path) -> bytes:
    data = path.read_bytes()
    return split_front_matter(data.decode("utf-8"))[1].encode("utf-8")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_sample_articles_hold_the_seeds_byte_for_byte() -> None:
    seeds = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in SEEDS.glob("*.txt")}
    bodies = {hashlib.sha256(_body(p)).hexdigest(): p.name for p in (REPO / "content" / "articles").glob("*.txt")}
    assert set(seeds) == set(bodies)


def test_every_sample_article_is_pinned_and_attributed() -> None:
    for path in sorted((REPO / "content" / "articles").glob("*.txt")):
        front = split_front_matter(path.read_text(encoding="utf-8"))[0] or ""
        for key in ("title:", "publisher:", "published:", "sha256:"):
            assert key in front, f"{path.name} lacks {key}"


def _article(desk: Desk, name: str, text: str | bytes) -> None:
    path = desk.articles / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))


def _cite(desk: Desk, article: str, quote: str, **extra: str) -> None:
    lines = [f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in extra.items()]
    desk.write_check(
        "c.yaml",
        "claim: x\nclaimant: y\nverdict: accurate\nsummary: z\npublished: 2026-11-05\n"
        f"citations:\n  - article: {article}\n    quote: {json.dumps(quote, ensure_ascii=False)}\n"
        + "\n".join(lines)
        + "\n",
    )


def test_tampered_article_is_a_hash_mismatch(desk: Desk) -> None:
    path = desk.articles / "cnn-2016-12-05.txt"
    path.write_bytes(path.read_bytes().replace(b"some 60%", b"some 70%"))
    result = desk.run("check")
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first == (
        "content/articles/cnn-2016-12-05.txt:6:9: error[article-hash-mismatch]: "
        "the body of article 'cnn-2016-12-05' no longer matches its sha256"
    )
    assert "restore it, or archive the new version as a new article" in result.out


def test_bom_is_dropped_and_crlf_kept_in_offsets(desk: Desk) -> None:
    body = "Headline\r\n\r\nThe \u201cquoted\u201d words\r\nhere."
    _article(desk, "crlf-2016.txt", "\ufeff---\r\ntitle: T\r\n---\r\n" + body)
    _cite(desk, "crlf-2016", 'The "quoted" words here')
    result = desk.run("check", "--format", "json")
    report = json.loads(result.out)
    (citation,) = report["citations"]
    assert body[citation["start"] : citation["end"]] == "The \u201cquoted\u201d words\r\nhere"


def test_article_without_front_matter_gets_its_first_line_as_title_and_a_warning(desk: Desk) -> None:
    _article(desk, "bare.txt", "\n\n  First line title  \nBody text.\n")
    result = desk.run("check", "--format", "json")
    report = json.loads(result.out)
    assert report["ok"] is True
    (warning,) = report["warnings"]
    assert warning["code"] == "article-unpinned"
    assert warning["file"] == "content/articles/bare.txt"
    assert "sha256: " in warning["hint"]
    strict = desk.run("check", "--strict")
    assert strict.code == 1 and "error[article-unpinned]" in strict.out


def test_front_matter_problems(desk: Desk) -> None:
    _article(desk, "unclosed.txt", "---\ntitle: T\nbody without a closing line\n")
    _article(desk, "fields.txt", "---\ntitel: T\npublished: 2016-02-30\nurl: not a url\n---\nBody.\n")
    result = desk.run("check")
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if ": error[" in line]
    assert errors == [
        "content/articles/fields.txt:2:1: error[unknown-field]: unknown field 'titel' in article front matter",
        "content/articles/fields.txt:3:12: error[schema]: 'published' is not a valid date: '2016-02-30'",
        "content/articles/fields.txt:4:6: error[schema]: 'url' is not an absolute http(s) URL: 'not a url'",
        "content/articles/unclosed.txt:1:1: error[yaml-syntax]: front matter opened on line 1 is never closed",
    ]


def test_non_utf8_article(desk: Desk) -> None:
    _article(desk, "latin.txt", "Caf\u00e9 line\nsecond caf\u00e9".encode("latin-1"))
    result = desk.run("check")
    assert result.code == 1
    assert result.out.startswith(
        "content/articles/latin.txt:1:4: error[encoding]: not valid UTF-8: byte 0xe9 at offset 3"
    )


def test_invalid_and_duplicate_ids(desk: Desk) -> None:
    _article(desk, "CNN Story.txt", "x")
    (desk.articles / "2016").mkdir()
    (desk.articles / "2016" / "cnn-2016-12-05.txt").write_bytes((desk.articles / "cnn-2016-12-05.txt").read_bytes())
    _article(desk, ".hidden.txt", "ignored")
    _article(desk, "backup.txt~", "ignored")
    result = desk.run("check")
    lines = [line for line in result.out.splitlines() if ": error[" in line]
    assert lines == [
        "content/articles/CNN Story.txt:1:1: error[invalid-id]: 'CNN Story.txt' is not a valid article id",
        "content/articles/cnn-2016-12-05.txt:1:1: error[duplicate-id]: "
        "article id 'cnn-2016-12-05' is also given by content/articles/2016/cnn-2016-12-05.txt",
    ]
    assert "rename it to 'cnn-story.txt'" in result.out


def test_quote_offsets_and_lines_count_the_front_matter(desk: Desk) -> None:
    _cite(desk, "cnn-2016-12-05", "The regime now holds some 60% of eastern Aleppo")
    report = json.loads(desk.run("check", "--format", "json").out)
    (citation,) = report["citations"]
    text = (desk.articles / "cnn-2016-12-05.txt").read_text(encoding="utf-8")
    body = split_front_matter(text)[1]
    assert body[citation["start"] : citation["end"]] == "The regime now holds some 60% of eastern Aleppo"

    _cite(desk, "cnn-2016-12-05", "The regime now holds some 70% of eastern Aleppo")
    (error,) = json.loads(desk.run("check", "--format", "json").out)["errors"]
    line = int(error["hint"].split("line ")[1].split(" ")[0])
    assert text.splitlines()[line - 1].startswith("The regime now holds some 60%")


def test_hash_mismatch_names_a_line_ending_change(desk: Desk) -> None:
    path = desk.articles / "cnn-2016-12-05.txt"
    front, _, body = path.read_bytes().partition(b"\n---\n")
    path.write_bytes(front + b"\n---\n" + body.replace(b"\n", b"\r\n"))
    result = desk.run("check")
    assert "its line endings were changed from LF to CRLF" in result.out


def test_files_that_are_not_content_are_named(desk: Desk) -> None:
    (desk.checks / "draft.yaml.txt").write_text("verdict: bogus\n", encoding="utf-8")
    (desk.checks / "gone.yaml").symlink_to(desk.root / "nowhere.yaml")
    (desk.checks / "UPPER.YAML").write_text("claim: x\n", encoding="utf-8")
    report = json.loads(desk.run("check", "--format", "json").out)
    warnings = {(w["code"], w["file"]) for w in report["warnings"]}
    assert ("ignored-file", "content/checks/draft.yaml.txt") in warnings
    assert ("ignored-file", "content/checks/gone.yaml") in warnings
    errors = {(e["code"], e["file"]) for e in report["errors"]}
    assert ("invalid-id", "content/checks/UPPER.YAML") in errors
    assert ("schema", "content/checks/UPPER.YAML") in errors  # still read and checked


NAMES = st.lists(st.sampled_from(["a", ".", "txt", "TXT", ".txt", "-", "0", "~"]), min_size=1, max_size=4).map("".join)


@given(names=st.lists(NAMES, unique=True, max_size=8))
def test_a_files_id_and_kind_are_told_from_its_name_as_pathlib_tells_them(names: list[str]) -> None:
    from factcheck.verify.sources import Walk, _discover

    folder, root = Path("/desk/content/articles"), Path("/desk")
    names.sort()
    walk = Walk(tuple((name,) for name in names), (), tuple((0, 0, 0) for _ in names))
    files, problems = _discover(folder, root, (".txt",), "article", walk)
    ignored = {p.file for p in problems if p.code == "ignored-file"}
    assert ignored == {f"content/articles/{n}" for n in names if Path(n).suffix.lower() != ".txt"}
    for source in files:
        assert (source.path, source.shown) == (folder / Path(source.path.name), f"content/articles/{source.path.name}")
        assert source.id == Path(source.path.name).stem


def test_gitattributes_keeps_article_bytes() -> None:
    assert "content/articles/** -text" in (REPO / ".gitattributes").read_text(encoding="utf-8")
