"""The CI workflows and pre-commit hooks that the README offers: shipped,
shown in the README as they are, naming only commands that exist, and doing
what they say."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from factcheck import __version__
from factcheck.editor.newdesk import FILES, SKELETON

from .conftest import FIXTURES, REPO, Desk
from .test_package import assert_command_exists

WORKFLOW = REPO / ".github" / "workflows" / "factcheck.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
HOOKS = REPO / ".pre-commit-hooks.yaml"


def readme_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.S)


def desk_file(name: str) -> str:
    return (SKELETON / name).read_text(encoding="utf-8").replace("@TOOL@", f"factcheck-desk=={__version__}")


def test_the_readme_shows_the_shipped_files_as_they_are() -> None:
    blocks = readme_blocks()
    assert WORKFLOW.read_text(encoding="utf-8") in blocks
    for name in ("workflows/factcheck.yml", "workflows/publish.yml", "pre-commit-config.yaml"):
        assert desk_file(name) in blocks, name


def test_every_workflow_is_valid_and_names_only_commands_that_exist() -> None:
    workflows = [WORKFLOW.read_text(encoding="utf-8")] + [
        desk_file(source) for source, target in FILES.items() if target.startswith(".github/workflows/")
    ]
    assert len(workflows) == 3
    for text in workflows:
        workflow = yaml.safe_load(text)
        assert workflow["jobs"]
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                command = step.get("run", "")
                for prefix in ("python build.py ", "factcheck "):
                    if command.startswith(prefix):
                        assert_command_exists("factcheck " + command[len(prefix) :])


def test_this_repositorys_workflow_checks_pull_requests_with_annotations() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow[True] == "pull_request"  # PyYAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "python build.py check --format github" in runs
    assert "pip install -r requirements.txt" in runs
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["continue-on-error"] is True  # never what turns a pull request red


def test_a_desks_workflows_check_pull_requests_and_publish_only_the_reviewed_branch() -> None:
    check = yaml.safe_load(desk_file("workflows/factcheck.yml"))
    assert check[True] == "pull_request"
    assert "factcheck check --format github" in [s.get("run") for s in check["jobs"]["check"]["steps"]]
    publish = yaml.safe_load(desk_file("workflows/publish.yml"))
    assert publish[True]["push"]["branches"] == ["main"] and "pull_request" not in publish[True]
    runs = [s.get("run", "") for s in publish["jobs"]["build"]["steps"]]
    assert 'factcheck build --base-url "${{ steps.pages.outputs.base_url }}/"' in runs


def test_the_hook_repository_names_the_installed_command() -> None:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert hook["id"] == "factcheck" and hook["language"] == "python"
    assert_command_exists(hook["entry"])
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts


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
