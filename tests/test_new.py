"""`new`: a scaffold that parses, explains every field, and that `check`
refuses until it is filled in; never an overwrite, never a bad id."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from factcheck.config import load_config
from factcheck.editor.scaffold import scaffold
from factcheck.verify.entries import CITATION_FIELDS, ENTRY_FIELDS
from factcheck.verify.yamlsource import parse

from .conftest import REPO, Desk


def lines_of(text: str) -> dict[str, int]:
    """The line of each top-level key that is not commented out."""
    return {
        line.split(":", 1)[0]: n
        for n, line in enumerate(text.splitlines(), start=1)
        if line[:1].isalpha() and ":" in line
    }


def test_new_writes_a_scaffold_that_check_flags(desk: Desk) -> None:
    run = desk.run("new", "aleppo-truce")
    assert run.code == 0, run.err
    path = desk.checks / "aleppo-truce.yaml"
    assert run.out.startswith(f"wrote {path}\n")
    assert "factcheck find" in run.out and "factcheck check" in run.out
    text = path.read_text(encoding="utf-8")

    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schema/check.schema.json"
    assert (path.parent / "../../schema/check.schema.json").resolve() == (desk.root / "schema/check.schema.json")
    node, problems = parse(text, "x.yaml")
    assert problems == [] and node is not None and node.kind == "map"
    for spec in (*ENTRY_FIELDS, *CITATION_FIELDS):
        assert f"{spec.name}:" in text or f"{spec.name} (" in text, spec.name
        assert spec.description.split(" (")[0].lower() in text.lower(), spec.name
    config, _ = load_config(desk.config)
    assert config is not None
    for verdict in config.verdicts:
        assert f"#   {verdict.key}" in text and verdict.label in text
    assert f"published: {dt.date.today().isoformat()}" in text

    result = desk.run("check", "--format", "json")
    assert result.code == 1
    errors = json.loads(result.out)["errors"]
    at = lines_of(text)
    got = {(e["code"], e["line"], e["message"]) for e in errors}
    assert got == {
        ("schema", at["claim"], "'claim' is empty"),
        ("schema", at["claimant"], "'claimant' is empty"),
        ("schema", at["verdict"], "'verdict' is empty"),
        ("schema", at["summary"], "'summary' is empty"),
        ("schema", at["citations"], "'citations' needs at least 1 item"),
    }
    assert all(e["file"] == "content/checks/aleppo-truce.yaml" for e in errors)
    citations = next(e for e in errors if "citations" in e["message"])
    assert "below 'citations:'" in citations["hint"]
    text_report = desk.run("check").out
    assert f"{at['citations']} | citations:" in text_report


def test_filled_in_scaffold_with_a_pasted_find_block_passes(desk: Desk) -> None:
    assert desk.run("new", "truce-length").code == 0
    path = desk.checks / "truce-length.yaml"
    block = json.loads(desk.run("find", "a seven-day truce", "--format", "json").out)["hits"][0]["yaml"].replace(
        "stance: context", "stance: claim"
    )
    text = path.read_text(encoding="utf-8")
    text = (
        text.replace('claim: ""', 'claim: "The draft called for a seven-day truce."')
        .replace('claimant: ""', "claimant: Al Jazeera")
        .replace('verdict: ""', "verdict: accurate")
        .replace("summary: |\n", "summary: |\n  Every outlet says seven days.\n")
    )
    path.write_text(text + block, encoding="utf-8")
    result = desk.run("check", "--strict")
    assert result.code == 0, result.out


def test_schema_line_is_relative_to_wherever_the_checks_folder_is(desk: Desk) -> None:
    config_text = desk.config.read_text(encoding="utf-8").replace(
        "checks: content/checks", "checks: desk-work/fact-checks/en"
    )
    desk.config.write_text(config_text, encoding="utf-8")
    assert desk.run("new", "deep").code == 0
    path = desk.root / "desk-work/fact-checks/en/deep.yaml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schema/check.schema.json"


def test_refuses_to_overwrite(desk: Desk) -> None:
    path = desk.write_check("taken.yaml", "claim: mine\n")
    run = desk.run("new", "taken")
    assert run.code == 1
    assert "refusing to overwrite content/checks/taken.yaml" in run.err
    assert path.read_text(encoding="utf-8") == "claim: mine\n"


def test_refuses_an_id_used_in_a_subfolder_or_as_yml(desk: Desk) -> None:
    (desk.checks / "2016").mkdir()
    (desk.checks / "2016" / "old-check.yaml").write_text("claim: old\n", encoding="utf-8")
    run = desk.run("new", "old-check")
    assert run.code == 1 and "already used by content/checks/2016/old-check.yml" not in run.err
    assert "check id 'old-check' is already used by content/checks/2016/old-check.yaml" in run.err
    desk.write_check("other.yml", "claim: other\n")
    run = desk.run("new", "other")
    assert run.code == 1 and "content/checks/other.yml" in run.err
    assert not (desk.checks / "old-check.yaml").exists() and not (desk.checks / "other.yaml").exists()


def test_bad_ids_exit_2_with_a_valid_one_to_use(desk: Desk) -> None:
    for given, hint in (
        ("Aleppo_Truce", "e.g. 'aleppo-truce'"),
        ("truce.yaml", "without the extension: 'truce'"),
        ("Nine lives", "e.g. 'nine-lives'"),
        ("x" * 81, "up to 80 characters"),
    ):
        run = desk.run("new", given)
        assert run.code == 2, given
        assert f"'{given}' is not a valid check id" in run.err and hint in run.err, run.err
    assert list(desk.checks.iterdir()) == []


def test_writes_whole_files_with_ordinary_permissions(desk: Desk) -> None:
    mask = os.umask(0o022)
    try:
        assert desk.run("new", "perms").code == 0
    finally:
        os.umask(mask)
    assert [p.name for p in desk.checks.iterdir()] == ["perms.yaml"]  # no temporary file left
    assert (desk.checks / "perms.yaml").stat().st_mode & 0o777 == 0o644


def test_creates_a_missing_checks_folder_and_reports_config_errors(desk: Desk, tmp_path: Path) -> None:
    desk.checks.rmdir()
    assert desk.run("new", "first").code == 0
    assert (desk.checks / "first.yaml").is_file()
    assert Desk(tmp_path / "nowhere").run("new", "x").code == 2


def test_sample_desk_scaffold_matches_the_sample_entries_schema_line() -> None:
    config, _ = load_config(REPO / "config.yaml")
    assert config is not None
    text = scaffold(config, config.checks_dir / "x.yaml", dt.date(2026, 11, 23))
    sample = next((REPO / "content" / "checks").glob("*.yaml")).read_text(encoding="utf-8")
    assert text.splitlines()[0] == sample.splitlines()[0]


def test_the_readme_shows_real_output(desk: Desk) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Starting a fact-check: `new`") : readme.index("### Finding a quote: `find`")]
    shown = re.findall(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M)[1][1]  # check's report
    assert desk.run("new", "aleppo-truce-length").code == 0
    assert shown in desk.run("check").out
