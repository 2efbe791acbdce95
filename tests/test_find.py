"""`find`: every hit is real, every printed citation is accepted by `check`
as it is, and the index follows the corpus as it changes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.config import load_config
from factcheck.editor import findindex
from factcheck.editor.find import find_text, yaml_string
from factcheck.verify.corpus import split_front_matter
from factcheck.verify.normalize import normalize_quote
from factcheck.verify.yamlsource import parse

from .conftest import REPO, Desk, Run

ENTRY = "claim: A claim.\nclaimant: Someone\nverdict: accurate\nsummary: Why.\npublished: 2026-11-05\ncitations:\n"
INDEX = Path(findindex.FOLDER) / findindex.FILE


def find(desk: Desk, *args: str) -> tuple[Run, dict]:
    """The text report, and the same search as JSON."""
    text = desk.run("find", *args)
    report = desk.run("find", *args, "--format", "json")
    assert report.code == text.code
    return text, json.loads(report.out)


def check_pasted(desk: Desk, blocks: list[str], name: str = "pasted") -> dict:
    """Paste blocks under `citations:` of an otherwise complete entry and
    run `check --strict`: every citation must resolve, with no warning."""
    for old in desk.checks.glob("*.yaml"):
        old.unlink()
    # The editor says which citation shows the claim being made (else: unsourced-claim).
    blocks = [blocks[0].replace("stance: context", "stance: claim", 1), *blocks[1:]]
    desk.write_check(f"{name}.yaml", ENTRY + "".join(blocks))
    result = desk.run("check", "--strict", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 0, report["errors"]
    return report


def spans(report: dict) -> list[tuple[str, int, int]]:
    return [(c["article"], c["start"], c["end"]) for c in report["citations"]]


# --- found ------------------------------------------------------------------


def test_found_once_gives_a_block_that_check_accepts(desk: Desk) -> None:
    run, report = find(desk, "a seven-day truce in the battered city")
    assert run.code == 0
    (hit,) = report["hits"]
    assert (hit["article"], hit["line"], hit["file"]) == (
        "aljazeera-2016-12-05",
        12,
        "content/articles/aljazeera-2016-12-05.txt",
    )
    assert hit["citation"] == {
        "article": "aljazeera-2016-12-05",
        "quote": "a seven-day truce in the battered city",
        "stance": "context",
    }
    # The block as printed in the terminal, pasted as it is.
    assert hit["yaml"] in run.out
    assert hit["yaml"].startswith("  - article: aljazeera-2016-12-05\n    quote: ")
    assert spans(check_pasted(desk, [hit["yaml"]])) == [(hit["article"], hit["start"], hit["end"])]
    # The hit is marked under the context line.
    lines = run.out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("12 | "))
    shown, marks = lines[at][5:], lines[at + 1][5:]
    assert shown[marks.index("^") : len(marks)] == "a seven-day truce in the battered city"
    assert "occurs once in 1 article" in run.out


def test_found_several_times_in_one_article_each_block_picks_its_own(desk: Desk) -> None:
    run, report = find(desk, "60% of eastern Aleppo")
    assert run.code == 0
    hits = report["hits"]
    assert [(h["article"], h["line"]) for h in hits] == [("cnn-2016-12-05", 62), ("cnn-2016-12-05", 66)]
    for hit in hits:
        citation = hit["citation"]
        assert "prefix" in citation or "suffix" in citation
        # Alone in an entry, each block resolves to its own occurrence.
        assert spans(check_pasted(desk, [hit["yaml"]])) == [(hit["article"], hit["start"], hit["end"])]
    # Together they are two citations, not a duplicate.
    both = check_pasted(desk, [h["yaml"] for h in hits])
    assert spans(both) == [(h["article"], h["start"], h["end"]) for h in hits]
    assert both["warnings"] == []
    assert "occurs twice in 1 article" in run.out


def test_found_in_several_articles_and_several_times(desk: Desk) -> None:
    run, report = find(desk, "Russia and China")
    hits = report["hits"]
    articles = {h["article"] for h in hits}
    assert len(articles) >= 4 and len(hits) > len(articles)
    for article in articles:
        mine = [h for h in hits if h["article"] == article]
        if len(mine) > 1:
            assert all("prefix" in h["citation"] or "suffix" in h["citation"] for h in mine)
        else:
            assert set(mine[0]["citation"]) == {"article", "quote", "stance"}
    report = check_pasted(desk, [h["yaml"] for h in hits])
    assert spans(report) == [(h["article"], h["start"], h["end"]) for h in hits]


def test_curly_quotes_dashes_and_spacing_are_found_in_the_articles_own_characters(desk: Desk) -> None:
    body = _body("cnn-2016-12-05")
    run, report = find(desk, "Russia's   Defense\n Ministry said")
    (hit,) = report["hits"]
    assert body[hit["start"] : hit["end"]] == "Russia’s Defense Ministry said"
    assert hit["citation"]["quote"] == "Russia’s Defense Ministry said"  # the article's apostrophe

    run, report = find(desk, 'as a "provocative step"')
    (hit,) = report["hits"]
    assert hit["citation"]["quote"] == "as a “provocative step”"
    run, dashed = find(desk, "seven\u2014day truce in the battered city")
    assert dashed["hits"][0]["citation"]["quote"] == "seven-day truce in the battered city"
    check_pasted(desk, [hit["yaml"], dashed["hits"][0]["yaml"]])


def test_elided_text_gives_its_parts(desk: Desk) -> None:
    run, report = find(desk, "Russia and China on Monday vetoed [...] calling for a ceasefire")
    hits = [h for h in report["hits"] if h["article"] == "cnn-2016-12-05"]
    (hit,) = hits
    assert len(hit["parts"]) == 2 and " [...] " in hit["citation"]["quote"]
    (resolved,) = check_pasted(desk, [hit["yaml"]])["citations"]
    assert resolved["parts"] == hit["parts"]


def test_a_text_across_a_paragraph_break_is_one_line_in_the_block(desk: Desk) -> None:
    body = _body("cnn-2016-12-05")
    start = body.index("Story highlights")
    text = body[start : start + len("Story highlights\n\nRussian mobile hospital")]
    run, report = find(desk, text)
    (hit,) = report["hits"]
    assert hit["citation"]["quote"] == "Story highlights Russian mobile hospital"
    check_pasted(desk, [hit["yaml"]])


def test_short_text_is_scanned_and_the_limit_says_so(desk: Desk) -> None:
    run, report = find(desk, "20", "--limit", "3")
    assert run.code == 0 and report["truncated"]
    assert len(report["hits"]) == 3
    assert '"20" occurs more than 3 times; the first 3:' in run.out
    assert "showing the first 3" in run.out and "--limit" in run.out
    check_pasted(desk, [h["yaml"] for h in report["hits"]])
    # Exactly as many as the limit is not "more".
    run, report = find(desk, "60", "--limit", "3")
    assert len(report["hits"]) == 3 and not report["truncated"]
    assert "occurs 3 times in 2 articles" in run.out


def test_crlf_compatibility_characters_and_control_characters(desk: Desk) -> None:
    body = "The \ufb01nal vote\u2026 came\r\n\r\nat\u00a0noon \x1b[31m today.\r\nThe \ufb01nal vote came later.\r\n"
    pin = hashlib.sha256(body.encode("utf-8")).hexdigest()
    (desk.articles / "odd-2026.txt").write_bytes(f"\ufeff---\r\nsha256: {pin}\r\n---\r\n{body}".encode())
    run, report = find(desk, "final vote... came at noon")
    (hit,) = report["hits"]
    assert hit["citation"]["quote"] == "\ufb01nal vote\u2026 came at noon"  # its own characters, one line
    assert "\x1b" not in run.out  # the archived escape is not sent to the terminal
    for old in desk.checks.glob("*.yaml"):
        old.unlink()
    desk.write_check("pasted.yaml", ENTRY + hit["yaml"].replace("stance: context", "stance: claim", 1))
    result = desk.run("check", "--format", "json")
    report = json.loads(result.out)
    assert result.code == 0, report["errors"]
    assert [w["code"] for w in report["warnings"]] == ["control-character"]
    # "The f" is not the start of "The ﬁnal": a match ends between whole characters.
    assert not [h for h in find(desk, "The f")[1]["hits"] if h["article"] == "odd-2026"]


# --- not found --------------------------------------------------------------


def test_not_found_names_the_closest_passages(desk: Desk) -> None:
    run, report = find(desk, "The regime now holds some 70% of eastern Aleppo")
    assert run.code == 1
    assert report["found"] is False and report["hits"] == []
    best = report["closest"][0]
    assert (best["article"], best["line"], best["similarity"]) == ("cnn-2016-12-05", 66, 98)
    assert best["passage"] == "The regime now holds some 60% of eastern Aleppo"
    assert len(report["closest"]) <= 3
    assert '"The regime now holds some 70% of eastern Aleppo" is not in the corpus' in run.out
    assert "98% alike  cnn-2016-12-05, line 66" in run.out
    assert 'you wrote "70%", the article says "60%"' in run.out
    assert "- article:" not in run.out  # nothing to paste: a near miss is never a citation


def test_nothing_close(desk: Desk) -> None:
    run, report = find(desk, "xyzzy plugh quux")
    assert run.code == 1 and report["closest"] == []
    assert "no passage comes close" in run.out


def test_usage_and_config_errors_exit_2(desk: Desk, tmp_path: Path) -> None:
    assert desk.run("find", "   ").code == 2
    assert desk.run("find", "x", "--limit", "0").code == 2
    missing = Desk(tmp_path / "nowhere")
    run = missing.run("find", "truce")
    assert run.code == 2 and "config file not found" in run.err
    shutil.rmtree(desk.articles)
    run = desk.run("find", "truce")
    assert run.code == 2 and "article folder does not exist" in run.err


# --- the index ----------------------------------------------------------------


def test_index_is_reused_and_follows_added_changed_and_removed_articles(desk: Desk) -> None:
    first = desk.run("find", "seven-day truce")
    assert "5 articles (5 added)" in first.err
    assert (desk.root / INDEX).is_file()
    again = desk.run("find", "seven-day truce")
    assert again.err == ""  # nothing re-read
    assert again.out == first.out
    config, _ = load_config(desk.config)
    assert config is not None
    assert find_text(config, "seven-day truce").refresh == findindex.Refresh(unchanged=5)

    extra = desk.articles / "2026" / "extra-2026.txt"
    extra.parent.mkdir()
    extra.write_text("---\ntitle: Extra\n---\nThe envoy spoke of a nine-day pause.\n", encoding="utf-8")
    run = desk.run("find", "a nine-day pause")
    assert run.code == 0 and "1 article (1 added)" in run.err
    assert "extra-2026, line 4: Extra" in run.out

    # Same size, new text: the stale hit must go.
    extra.write_text("---\ntitle: Extra\n---\nThe envoy spoke of a five-day pause.\n", encoding="utf-8")
    stale = desk.run("find", "a nine-day pause")
    assert stale.code == 1 and "1 article (1 changed)" in stale.err
    assert desk.run("find", "a five-day pause").code == 0

    extra.unlink()
    gone = desk.run("find", "a five-day pause")
    assert gone.code == 1 and "1 article (1 removed)" in gone.err


def test_an_unusable_index_file_is_rebuilt(desk: Desk) -> None:
    (desk.root / INDEX).parent.mkdir()
    (desk.root / INDEX).write_bytes(b"not a database at all" * 100)
    run = desk.run("find", "seven-day truce")
    assert run.code == 0 and "5 added" in run.err


def test_an_index_that_cannot_be_saved_is_kept_in_memory(desk: Desk) -> None:
    (desk.root / findindex.FOLDER).write_text("a file where the folder should be", encoding="utf-8")
    run = desk.run("find", "seven-day truce")
    assert run.code == 0 and "occurs twice" in run.out
    assert "could not save the index" in run.err


def test_without_fts5_every_article_is_read_with_the_same_result(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    with_index = [desk.run("find", t, "--format", "json").out for t in ("60% of eastern Aleppo", "70% of eastern")]
    monkeypatch.setattr(findindex, "fts5_trigram_available", lambda: False)
    without = [desk.run("find", t, "--format", "json").out for t in ("60% of eastern Aleppo", "70% of eastern")]
    assert without == with_index
    assert "no FTS5" in desk.run("find", "truce").err


def test_candidates_for_closest_passages_come_from_rare_words(tmp_path: Path) -> None:
    """On a corpus larger than the pool, the near miss must still be among the candidates."""
    root = tmp_path / "big"
    articles = root / "content" / "articles"
    articles.mkdir(parents=True)
    (root / "content" / "checks").mkdir()
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    filler = "The council met again and the vote was delayed once more. " * 20
    for i in range(120):
        (articles / f"a{i:03d}.txt").write_text(
            f"{filler}\nReport {i} says the count was {i * 7 + 100}.\n", encoding="utf-8"
        )
    big = Desk(root)
    run, report = find(big, "Report 77 says the count was 640")
    assert run.code == 1
    assert report["closest"][0]["article"] == "a077"
    assert report["closest"][0]["passage"] == "Report 77 says the count was 639"
    run, report = find(big, "Reprot 77 sayz the count was 639")  # typos: words the corpus lacks
    assert report["closest"][0]["article"] == "a077"


# --- properties -------------------------------------------------------------


def _body(article_id: str) -> str:
    return split_front_matter((REPO / "content" / "articles" / f"{article_id}.txt").read_text(encoding="utf-8"))[1]


SENTENCES = sorted(
    {
        (path.stem, s.strip())
        for path in (REPO / "content" / "articles").glob("*.txt")
        for s in re.findall(r"[^.!?\n]+[.!?]", _body(path.stem))
        if len(s.strip()) >= 3
    }
)
RETYPE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "–", "-": "‑"})


@pytest.fixture(scope="module")
def shared_desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    root = tmp_path_factory.mktemp("find") / "desk"
    (root / "content" / "checks").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content" / "articles", root / "content" / "articles")
    return Desk(root)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sentence=st.sampled_from(SENTENCES),
    retype=st.booleans(),
    space=st.sampled_from([" ", "  ", "\n", " \t "]),
)
def test_any_sentence_of_an_article_is_found_and_its_block_round_trips(
    shared_desk: Desk, sentence: tuple[str, str], retype: bool, space: str
) -> None:
    article, text = sentence
    query = text.translate(RETYPE) if retype else text
    query = space + query.replace(" ", space) + space
    run, report = find(shared_desk, query, "--limit", "1000")
    assert run.code == 0, run.out
    body = _body(article)
    ours = [h for h in report["hits"] if h["article"] == article and body[h["start"] : h["end"]] == text]
    assert ours, f"{text!r} not reported in {article}"
    for hit in report["hits"]:
        assert normalize_quote(hit["citation"]["quote"]) == normalize_quote(text)
    resolved = check_pasted(shared_desk, [h["yaml"] for h in report["hits"]])
    assert spans(resolved) == [(h["article"], h["start"], h["end"]) for h in report["hits"]]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc"], include_characters="\t\n\r"), max_size=40))
def test_yaml_string_reads_back_as_itself(text: str) -> None:
    # (Control characters other than tab and line breaks are refused in entries.)
    node, problems = parse(f"quote: {yaml_string(text)}\n", "x.yaml")
    assert problems == [] and node is not None and node.value["quote"].node.value == text


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """(info string, text) of each fenced code block."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", markdown, re.S | re.M)


def test_the_readme_shows_real_output(desk: Desk) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Finding a quote: `find`") :]
    found, not_found = [text for info, text in fenced_blocks(section) if info == ""][:2]
    assert desk.run("find", "60% of eastern Aleppo").out.startswith(found.removesuffix("…\n"))
    assert desk.run("find", "The regime now holds some 70% of eastern Aleppo").out.startswith(not_found)


def test_index_file_is_beside_config_and_ignored_by_git() -> None:
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".factcheck-cache/" in ignored
    assert os.path.join(findindex.FOLDER, findindex.FILE) == str(INDEX)
