"""The CI workflow and the pre-commit hook that the README offers: shipped,
shown in the README as they are, and doing what it says."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from .conftest import FIXTURES, REPO, Desk

WORKFLOW = REPO / ".github" / "workflows" / "factcheck.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"


def readme_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_shows_the_shipped_files_as_they_are() -> None:
    blocks = readme_blocks()
    assert WORKFLOW.read_text(encoding="utf-8") in blocks
    assert PRE_COMMIT.read_text(encoding="utf-8") in blocks


def test_the_workflow_checks_pull_requests_with_annotations() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True] == "pull_request"  # PyYAML 1.1 reads the key `on` as True
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "python build.py check --format github" in runs
    assert "pip install -r requirements.txt" in runs


def test_the_pre_commit_hook_refuses_a_broken_citation(desk: Desk) -> None:
    (hook,) = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))["repos"][0]["hooks"]
    files = re.compile(hook["files"])
    assert files.search("content/checks/x.yaml") and files.search("config.yaml")
    assert not files.search("README.md")
    command = hook["entry"].split()
    assert command[0] == ".venv/bin/python" and command[1:] == ["build.py", "check"]
    run = [sys.executable, *command[1:], "--config", str(desk.config)]
    assert subprocess.run(run, cwd=REPO, capture_output=True, check=False).returncode == 0
    desk.write_check("broken.yaml", (FIXTURES / "entries" / "quote-not-found.yaml").read_text(encoding="utf-8"))
    refused = subprocess.run(run, cwd=REPO, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "error[quote-not-found]" in refused.stdout
