"""The command line as editors and CI use it: formats, exit codes, output."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from factcheck.cli import main
from factcheck.diagnostics import CODES

from .conftest import FIXTURES, REPO, Desk

BROKEN = (FIXTURES / "entries" / "quote-not-found.yaml").read_text(encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the sample desk ---------------------------------------------------------


def test_sample_desk_checks_clean(sample_desk: Desk) -> None:
    result = sample_desk.run("check", "--strict")
    assert result.code == 0, result.out
    assert result.out.startswith("ok: ")


def test_sample_desk_covers_what_the_desk_promised(sample_desk: Desk) -> None:
    report = json.loads(sample_desk.run("check", "--format", "json").out)
    assert report["ok"] and report["stats"]["checks"] >= 12
    cited = {}
    for c in report["citations"]:
        cited.setdefault(c["check"], set()).add(c["article"])
    assert len(cited) == report["stats"]["checks"]
    stances = {c["stance"] for c in report["citations"]}
    assert stances == {"claim", "supports", "contradicts", "context"}
    assert any("parts" in c for c in report["citations"]), "no elided quote in the sample desk"


# --- exit codes and formats --------------------------------------------------


def test_exit_codes(desk: Desk, tmp_path: Path) -> None:
    assert desk.run("check").code == 0
    desk.write_check("broken.yaml", BROKEN)
    assert desk.run("check").code == 1
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--config", str(tmp_path / "missing.yaml")], stdout=out, stderr=err) == 2
    assert "error[config]: config file not found" in out.getvalue()
    assert main(["check", "--format", "xml"], stdout=out, stderr=err) == 2
    assert "invalid choice: 'xml'" in err.getvalue()
    assert main(["frobnicate"], stdout=out, stderr=err) == 2


def test_json_report_has_the_spec_shape(desk: Desk) -> None:
    shutil.copy(FIXTURES / "entries" / "elided-quote.yaml", desk.checks / "elided.yaml")
    desk.write_check("broken.yaml", BROKEN)
    result = desk.run("check", "--format", "json")
    report = json.loads(result.out)
    assert set(report) == {"ok", "errors", "warnings", "citations", "stats"}
    assert report["ok"] is False
    (error,) = report["errors"]
    assert set(error) == {"code", "file", "line", "column", "message", "hint"}
    assert (error["code"], error["file"], error["line"], error["column"]) == (
        "quote-not-found",
        "content/checks/broken.yaml",
        8,
        12,
    )
    (citation,) = report["citations"]
    assert set(citation) == {"check", "index", "article", "start", "end", "stance", "parts"}
    body = (desk.articles / "middleeasteye-2016-12-06.txt").read_text(encoding="utf-8").split("---\n", 2)[2]
    parts = [body[s:e] for s, e in citation["parts"]]
    assert parts == ["the draft resolution", "for a seven-day ceasefire in the city and humanitarian access"]
    assert (citation["start"], citation["end"]) == (citation["parts"][0][0], citation["parts"][-1][1])
    assert report["stats"] == {"articles": 5, "checks": 2, "citations": 2}


def test_json_lists_the_good_citations_of_an_entry_with_other_errors(desk: Desk) -> None:
    desk.write_check(
        "wrong-verdict.yaml",
        'claim: "x"\nclaimant: CNN\nverdict: acurate\nsummary: "s"\npublished: 2026-11-05\n'
        "citations:\n  - article: cnn-2016-12-05\n    quote: Venezuela also rejected the resolution.\n",
    )
    report = json.loads(desk.run("check", "--format", "json").out)
    assert report["ok"] is False and report["errors"][0]["code"] == "unknown-verdict"
    assert [c["check"] for c in report["citations"]] == ["wrong-verdict"]


def test_github_format_escapes_like_the_actions_toolkit(desk: Desk) -> None:
    desk.write_check("broken.yaml", BROKEN)
    result = desk.run("check", "--format", "github")
    (line,) = result.out.splitlines()
    assert line.startswith(
        "::error file=content/checks/broken.yaml,line=8,col=12,endLine=8,endColumn=61,title=quote-not-found::"
    )
    message = line.split("::", 2)[2]
    assert "%0Ahelp: closest passage" in message and "60%25" in message and "\n" not in message


def test_github_properties_escape_colon_and_comma() -> None:
    from factcheck.diagnostics import Diagnostic, format_github

    line = format_github([Diagnostic("schema", "a\r\nb 100%", file="content/checks/a,b:c.yaml", line=1, column=2)])
    assert line == "::error file=content/checks/a%2Cb%3Ac.yaml,line=1,col=2,title=schema::a%0D%0Ab 100%25"


def test_github_format_writes_the_whole_report_to_the_step_summary(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    desk.write_check("broken.yaml", BROKEN.replace("70%", "70% | <b>x</b>"))
    assert desk.run("check", "--format", "github").code == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### Fact-check citations: 1 error, 0 warnings\n")  # appended
    (row,) = [line for line in text.splitlines() if line.startswith("| error |")]
    assert "content/checks/broken.yaml:8:12" in row and "**quote-not-found**" in row
    assert "\\|" in row and "&lt;b&gt;" in row and "<b>" not in row  # one table row, no markup
    assert row.count(" | ") == 3  # four cells: the pipe in the text is escaped
    desk.run("check", "--format", "text")
    assert summary.read_text(encoding="utf-8") == text  # only the github format writes it


def test_github_step_summary_says_when_all_is_well(desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert desk.run("check", "--format", "github").out == ""
    assert summary.read_text(encoding="utf-8").startswith("### Fact-check citations: all verified\n\n0 citations")


def test_progress_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from factcheck.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    shown = Terminal()
    progress = Progress(shown)
    progress("rendering pages", 3, 10)
    progress.clear()
    assert "\rrendering pages 3/10" in shown.getvalue() and shown.getvalue().endswith("\r")
    piped = io.StringIO()
    Progress(piped)("rendering pages", 3, 10)
    assert piped.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    Progress(ci)("rendering pages", 3, 10)
    assert ci.getvalue() == ""


def test_sarif_has_one_rule_per_code_and_a_result_per_problem(desk: Desk) -> None:
    desk.write_check("broken.yaml", BROKEN)
    log = json.loads(desk.run("check", "--format", "sarif").out)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    (result,) = run["results"]
    assert result["ruleId"] == "quote-not-found" and result["level"] == "error"
    assert rules[result["ruleIndex"]]["id"] == "quote-not-found"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "content/checks/broken.yaml"
    assert location["region"]["startLine"] == 8 and location["region"]["startColumn"] == 12


def test_every_problem_in_the_run_is_reported(desk: Desk) -> None:
    for path in (FIXTURES / "entries").glob("*.yaml"):
        shutil.copy(path, desk.checks / path.name)
    report = json.loads(desk.run("check", "--format", "json").out)
    codes = {e["code"] for e in report["errors"]}
    assert codes >= {
        "quote-not-found",
        "quote-ambiguous",
        "unknown-article",
        "unknown-verdict",
        "unknown-field",
        "schema",
        "duplicate-key",
        "yaml-syntax",
        "encoding",
        "invalid-id",
    }


def test_text_report_is_coloured_only_when_asked(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.write_check("broken.yaml", BROKEN)
    assert "\x1b[" not in desk.run("check").out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[31;1merror[quote-not-found]" in desk.run("check").out


# --- build -------------------------------------------------------------------


def test_build_writes_the_site_and_check_writes_nothing(desk: Desk) -> None:
    site = desk.root / "site"
    assert desk.run("check").code == 0
    assert not site.exists()
    result = desk.run("build")
    assert result.code == 0 and (site / "index.html").is_file()


def test_build_is_the_default_command(desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    assert desk.run("--out", str(out)).code == 0
    assert (out / "index.html").is_file()


def test_failed_build_leaves_the_previous_site_untouched(sample_desk: Desk) -> None:
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    before = tree(site)
    sample_desk.write_check("broken.yaml", BROKEN)
    result = sample_desk.run("build")
    assert result.code == 1
    assert tree(site) == before
    assert f"nothing was written: {site.resolve()} is as it was" in result.err
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site.")], "staging folder left behind"


def test_build_output_is_byte_identical_for_the_same_input(sample_desk: Desk, tmp_path: Path) -> None:
    # Separate processes with different hash seeds, so that set or dict order cannot leak into the
    # output; the second from another checkout of the desk, with no cache.
    elsewhere = tmp_path / "another-checkout"
    shutil.copytree(sample_desk.root, elsewhere, ignore=shutil.ignore_patterns(".factcheck-cache"))
    for name, seed, config in (("a", "1", sample_desk.config), ("b", "2", elsewhere / "config.yaml")):
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "build", "--config", str(config)]
            + ["--out", str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_build_refuses_to_replace_a_folder_it_did_not_make(desk: Desk, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me", encoding="utf-8")
    result = desk.run("build", "--out", str(precious))
    assert result.code == 2
    assert "refusing to replace" in result.out
    assert (precious / "notes.txt").read_text(encoding="utf-8") == "keep me"
    result = desk.run("build", "--out", str(desk.root))
    assert result.code == 2 and "refusing to write the site" in result.out
    assert desk.config.exists()


def test_entry_with_html_is_escaped_in_the_page(desk: Desk) -> None:
    desk.write_check(
        "xss.yaml",
        'claim: "<script>alert(1)</script>"\nclaimant: "<b>x</b>"\nverdict: accurate\n'
        'summary: "<img src=x onerror=alert(1)> [link](javascript:alert(1))"\npublished: 2026-11-05\n'
        "citations:\n  - article: cnn-2016-12-05\n    quote: Venezuela also rejected the resolution.\n",
    )
    assert desk.run("build").code == 0
    page = (desk.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<b>" not in page
    assert 'href="javascript:' not in page


# --- the entry point ---------------------------------------------------------


def test_build_py_runs_as_a_script(sample_desk: Desk) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--config", str(sample_desk.config), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


def test_a_command_line_run_ends_with_everything_it_wrote_whole(sample_desk: Desk) -> None:
    """A run from the command line ends its process without taking the heap
    apart (cli._end_process): its exit code is the run's, all it printed is
    there, and the cache it saved is whole and used by the next run."""
    sample_desk.write_check("broken.yaml", "claim: x\n")
    command = [sys.executable, str(REPO / "build.py"), "check", "--config", str(sample_desk.config)]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as most shells run it
    runs = [
        subprocess.run(args, capture_output=True, text=True, check=False, cwd=REPO, env=buffered)
        for args in ([*command, "--format", "json"], command)
    ]
    assert [run.returncode for run in runs] == [1, 1]
    report = json.loads(runs[0].stdout)
    assert report["ok"] is False and any(d["file"].endswith("broken.yaml") for d in report["errors"])
    assert len(report["citations"]) > 90  # the sample desk's, every one of them printed
    assert "broken.yaml:1:1: error[schema]" in runs[1].stdout and runs[1].stdout.endswith("\n")
    with sqlite3.connect(sample_desk.root / ".factcheck-cache" / "cache.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM entries WHERE space = 'entry'").fetchone()[0] >= 17


def test_readme_documents_every_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"`{code}`" in readme, code


def test_readme_lists_every_module_of_the_package_where_it_is() -> None:
    """The Development section's map of the package names each module in
    its folder, and nothing that is not there."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listing = readme.split("## Development", 1)[1].split("```", 2)[1]
    listed: set[str] = set()
    folders: list[str] = []  # the folder lines above, by depth
    for line in listing.splitlines():
        entry = re.match(r"( *)([^\s,]+(?:, [^\s,]+)*)", line)
        if entry is None:
            continue
        depth = len(entry.group(1)) // 2
        names = entry.group(2).split(", ")
        if names[0].endswith("/"):
            folders[depth:] = [names[0].rstrip("/")]
            continue
        listed.update("/".join([*folders[:depth], n]) for n in names if n.endswith(".py"))
    package = REPO / "factcheck"
    modules = {
        p.relative_to(REPO).as_posix()
        for p in package.rglob("*.py")
        if "skeleton" not in p.parts and (p.name != "__init__.py" or p.parent == package)  # (a folder's: its line)
    }
    assert modules - listed == set(), "not in the README's map"
    assert {m for m in listed if m.startswith("factcheck/")} - modules == set(), "in the map, not in the package"


def test_unwritable_output_is_an_output_error(desk: Desk, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = desk.run("build", "--out", str(blocker / "site"))
    assert result.code == 2
    assert "error[output]: cannot write the site to" in result.out


def test_config_may_name_the_site_folder(desk: Desk) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--config", str(desk.root)], stdout=out, stderr=err) == 0


def test_sarif_places_file_less_problems_on_the_config(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["check", "--format", "sarif", "--config", str(tmp_path / "config.yaml")], stdout=out) == 2
    (result,) = json.loads(out.getvalue())["runs"][0]["results"]
    assert result["ruleId"] == "config"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "config.yaml"


def test_ambiguity_hints_are_ready_to_paste(desk: Desk) -> None:
    desk.write_check(
        "said.yaml",
        "claim: x\nclaimant: y\nverdict: accurate\nsummary: z\npublished: 2026-11-05\n"
        "citations:\n  - article: middleeasteye-2016-12-06\n    quote: said\n",
    )
    report = json.loads(desk.run("check", "--format", "json").out)
    (error,) = report["errors"]
    suggestions = error["hint"].splitlines()[1:]
    assert suggestions
    for suggestion in suggestions:
        field_line = suggestion.split(": ", 1)[1]  # e.g. prefix: "he told a"
        fixed = desk.checks / "said.yaml"
        base = fixed.read_text(encoding="utf-8").split("    quote: said\n")[0]
        fixed.write_text(base + f"    quote: said\n    {field_line}\n", encoding="utf-8")
        assert desk.run("check").code == 0, field_line


def test_check_reports_a_broken_template_as_build_would(desk: Desk) -> None:
    (desk.root / "templates" / "index.html").write_text("<p>{{ config.title }</p>\n", encoding="utf-8")
    for command in ("check", "build"):
        result = desk.run(command)
        assert result.code == 2
        assert result.out.startswith("templates/index.html:1:1: error[template]: template error: unexpected '}'")
    assert not (desk.root / "site").exists()
