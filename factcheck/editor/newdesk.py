"""`init DIR`: a new desk, ready to commit and publish.

The files come from `skeleton/` (a commented config.yaml, a README for the
desk, git settings that keep articles byte-exact, CI workflows that install
the tool by version, a pre-commit hook) and the entry schema made from the
loader's own declarations, so that entries can point their editor at it.
Nothing is ever replaced: a file that is already there is left as it is.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .. import DISTRIBUTION, __version__
from ..verify.schema import entry_schema

SKELETON = Path(__file__).resolve().parent / "skeleton"
# Skeleton file -> where it goes in the desk (hidden names are not package data).
FILES = {
    "config.yaml": "config.yaml",
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "gitattributes": ".gitattributes",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflows/factcheck.yml": ".github/workflows/factcheck.yml",
    "workflows/publish.yml": ".github/workflows/publish.yml",
    "vscode-settings.json": ".vscode/settings.json",
}
SCHEMA = "schema/check.schema.json"
# Git keeps no empty folder, and `check` needs both: a hidden file holds each.
FOLDERS = ("content/articles", "content/checks")


class InitError(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Made:
    root: Path
    written: tuple[str, ...]
    skipped: tuple[str, ...]  # already there, left as they were


def init_desk(root: Path, *, force: bool = False, tool: str = f"{DISTRIBUTION}=={__version__}") -> Made:
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} exists and is not a folder", "give the path of a new folder, or of an empty one")
    if root.is_dir() and not force and _has_content(root):
        raise InitError(
            f"{root} is not empty",
            "init makes a new desk: give a new or empty folder, or add --force to add the desk's files "
            "beside what is there (no file is ever replaced)",
        )
    _check_requirement(tool)
    title = root.resolve().name.replace("-", " ").replace("_", " ").title() or "My Fact-Check Desk"
    files: dict[str, bytes] = {}
    for source, target in FILES.items():
        text = (SKELETON / source).read_text(encoding="utf-8")
        text = text.replace("@TOOL@", tool).replace("@VERSION@", __version__).replace("@TITLE@", title)
        files[target] = text.encode("utf-8")
    files[SCHEMA] = (json.dumps(entry_schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    for folder in FOLDERS:
        files[f"{folder}/.gitkeep"] = b""
    written, skipped = [], []
    for shown, data in files.items():
        path = root / shown
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            skipped.append(shown)
            continue
        except OSError as exc:
            raise InitError(f"cannot write {path}: {exc.strerror}", "check the folder's permissions") from exc
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        written.append(shown)
    return Made(root, tuple(written), tuple(skipped))


def _check_requirement(tool: str) -> None:
    """--tool goes into the workflows' `pip install "..."`: it must be a
    requirement as pip reads it (PEP 508), naming this tool."""
    from packaging.requirements import InvalidRequirement, Requirement

    example = (
        f"{DISTRIBUTION}=={__version__}, or {DISTRIBUTION} @ git+https://git.example.org/you/factcheck@v{__version__}"
    )
    try:
        requirement = Requirement(tool)
    except InvalidRequirement as exc:
        raise InitError(f"--tool {tool!r} is not a requirement pip can read", f"give one such as {example}") from exc
    if '"' in tool or "\n" in tool or requirement.name.lower().replace("_", "-") != DISTRIBUTION:
        raise InitError(f"--tool {tool!r} does not name the tool ({DISTRIBUTION})", f"give one such as {example}")


def _has_content(root: Path) -> bool:
    """Anything but a git repository's own folder (`git init` first is fine)."""
    return any(entry.name != ".git" for entry in os.scandir(root))
