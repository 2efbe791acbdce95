"""The tool as a newsroom installs it: a wheel built from this repository,
installed into a fresh virtual environment (this checkout is not on its
path), makes a desk of its own with `init`, and checks, builds and serves it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from factcheck import __version__

from .conftest import REPO

SITE_PACKAGES = next(p for p in sys.path if p.endswith("site-packages"))


def committed_files() -> list[str]:
    """What a commit of the working tree holds: the files git tracks, and
    the new ones it does not ignore (a file that .gitignore hides by mistake
    is missing here, as it would be from a clone)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [name for name in listed.stdout.decode().split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the files a clone of this repository would have
    (a build in the checkout would leave build/ and *.egg-info behind)."""
    source = tmp_path_factory.mktemp("source")
    for name in committed_files():
        if name.startswith("factcheck/") or name in ("pyproject.toml", "README.md"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True)
    (built,) = out.glob("factcheck_desk-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh environment with the wheel installed; its dependencies come
    from this one's site-packages (a .pth), so no download is needed."""
    root = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    own = next((root / "lib").glob("python3*/site-packages"))
    (own / "dependencies.pth").write_text(SITE_PACKAGES + "\n", encoding="utf-8")
    install = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(root / "bin" / "python"),
        "install",
        "--no-deps",
        str(wheel),
    ]
    subprocess.run(install, check=True, capture_output=True)
    return root


def run(venv: Path, *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env['PATH']}"
    proc = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_the_wheel_holds_the_theme_and_the_skeleton(wheel: Path) -> None:
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"factcheck/theme/base.html", "factcheck/theme/static/style.css", "factcheck/editor/live.js"} <= names
    assert "factcheck/editor/skeleton/workflows/publish.yml" in names
    assert {
        "factcheck/site/builtin.py",
        "factcheck/site/links.py",
        "factcheck/locale/fr/LC_MESSAGES/factcheck.po",
    } <= names
    assert not [n for n in names if n.startswith(("tests/", "content/", "templates/"))]


def test_installed_tool_makes_checks_builds_and_serves_a_desk_of_its_own(venv: Path, tmp_path: Path) -> None:
    factcheck = str(venv / "bin" / "factcheck")
    where = run(venv, str(venv / "bin" / "python"), "-c", "import factcheck; print(factcheck.__file__)", cwd=tmp_path)
    assert str(venv) in where.stdout and str(REPO) not in where.stdout
    assert run(venv, factcheck, "--version", cwd=tmp_path).stdout.strip() == f"factcheck {__version__}"
    assert run(venv, str(venv / "bin" / "python"), "-m", "factcheck", "--version", cwd=tmp_path).returncode == 0

    desk = tmp_path / "desk"
    made = run(venv, factcheck, "init", str(desk), cwd=tmp_path)
    assert "made a desk" in made.stdout
    assert run(venv, factcheck, "init", str(desk), cwd=tmp_path, check=False).returncode == 2  # not empty
    # The first article and check, as the desk's README says.
    shutil.copy(REPO / "content" / "articles" / "cnn-2016-12-05.txt", desk / "content" / "articles")
    new = run(venv, factcheck, "new", "russia-china-veto", cwd=desk)
    assert "wrote content/checks/russia-china-veto.yaml" in new.stdout
    entry = desk / "content" / "checks" / "russia-china-veto.yaml"
    assert entry.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schema/check.schema.json"
    )
    entry.write_text(
        "# yaml-language-server: $schema=../../schema/check.schema.json\n"
        'claim: "Russia and China vetoed the resolution"\nclaimant: CNN\nverdict: accurate\n'
        "summary: Both countries vetoed it.\npublished: 2026-11-02\ncitations:\n"
        "  - article: cnn-2016-12-05\n    quote: Russia and China on Monday vetoed\n    stance: claim\n",
        encoding="utf-8",
    )
    assert "ok: 1 citation in 1 check" in run(venv, factcheck, "check", cwd=desk).stdout
    built = run(venv, factcheck, "build", cwd=desk)
    assert "built the site" in built.stderr
    page = (desk / "site" / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="generator" content="factcheck {__version__}">' in page
    assert (desk / "site" / "static" / "style.css").is_file()  # the built-in theme's

    # The pre-commit hook's command, as the desk's config names it.
    (hook,) = yaml.safe_load((desk / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"]
    assert run(venv, *hook["entry"].split(), cwd=desk).returncode == 0
    entry.write_text(entry.read_text(encoding="utf-8").replace("on Monday vetoed", "on Sunday vetoed"))
    refused = run(venv, *hook["entry"].split(), cwd=desk, check=False)
    assert refused.returncode == 1 and "quote-not-found" in refused.stdout
    entry.write_text(entry.read_text(encoding="utf-8").replace("on Sunday vetoed", "on Monday vetoed"))

    # A desk template that extends the built-in one it replaces.
    (desk / "templates").mkdir()
    (desk / "templates" / "base.html").write_text(
        '{% extends "theme/base.html" %}{% block banner %}<p class="notice">Our own note</p>{% endblock %}',
        encoding="utf-8",
    )
    run(venv, factcheck, "build", cwd=desk)
    assert "Our own note" in (desk / "site" / "index.html").read_text(encoding="utf-8")

    # serve: one page fetched.
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    server = subprocess.Popen(
        [factcheck, "serve", "--port", "0"],
        cwd=desk,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()  # type: ignore[union-attr]
            found = re.search(r"serving the preview at (\S+)", line)
            url = found.group(1) if found else None
        assert url, "serve did not start"
        with urllib.request.urlopen(url + "checks/russia-china-veto/", timeout=30) as response:
            assert response.status == 200 and b"Russia and China vetoed" in response.read()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_the_desks_workflows_name_only_commands_that_exist(tmp_path: Path) -> None:
    from factcheck.editor.newdesk import init_desk

    desk = tmp_path / "desk"
    init_desk(desk)
    for name in ("factcheck.yml", "publish.yml"):
        workflow = yaml.safe_load((desk / ".github" / "workflows" / name).read_text(encoding="utf-8"))
        steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
        runs = [s["run"] for s in steps if "run" in s]
        assert f'pip install "factcheck-desk=={__version__}"' in runs
        for command in runs:
            if command.startswith("factcheck "):
                assert_command_exists(command)
    assert json.loads((desk / "schema" / "check.schema.json").read_text(encoding="utf-8"))["title"]


def assert_command_exists(command: str) -> None:
    """A shell line of the form `factcheck SUBCOMMAND --option value`: the
    parser must accept it (with ${{ expressions }} standing for values)."""
    import shlex

    from factcheck.cli import _parser

    words = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "https://example.org", command.split(" > ")[0].split(" || ")[0]))
    assert words[0] == "factcheck"
    _parser().parse_args(words[1:])  # raises on an unknown command or option
