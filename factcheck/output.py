"""Writing the site: made aside, then swapped in whole.

A failed or interrupted build must leave the previous site as it was, and the
output folder is deleted and replaced, so we refuse to replace any folder
that this tool did not make.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .diagnostics import Diagnostic

MARKER = ".factcheck-site"  # present in every folder this tool wrote


class OutputError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.diagnostic = Diagnostic("output", message, hint=hint)


def write_site(files: Mapping[str, bytes], out_dir: Path, protect: Sequence[Path] = ()) -> None:
    """Write `files` (site-relative '/' paths to bytes) as the new `out_dir`."""
    out_dir = out_dir.resolve()
    _refuse_unsafe(out_dir, protect)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the site to {out_dir}: {_describe(exc)}") from exc
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / MARKER).write_text("made by build.py; replaced whole on every build\n", encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for serving
        _swap_in(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the site to {out_dir}: {_describe(exc)}") from exc


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except OSError:
        retired.rename(out_dir)  # put the previous site back before reporting
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _refuse_unsafe(out_dir: Path, protect: Sequence[Path]) -> None:
    for kept in protect:
        kept = kept.resolve()
        if out_dir == kept or out_dir in kept.parents:
            raise OutputError(
                f"refusing to write the site to {out_dir}: that would replace the project folder {kept}",
                hint="choose an output folder of its own, such as site/",
            )
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} exists and is not a folder")
    try:
        foreign = out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists()
    except OSError as exc:
        raise OutputError(f"cannot read {out_dir}: {_describe(exc)}") from exc
    if foreign:
        raise OutputError(
            f"refusing to replace {out_dir}: it is not empty and was not made by build.py",
            hint="choose another output folder, or empty this one if its contents may go",
        )


def _describe(exc: OSError) -> str:
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)
