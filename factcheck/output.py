"""Writing the site so that a reader never meets a broken one.

A first (cold) build is made aside and swapped in whole. A rebuild writes
only the files whose bytes changed, each atomically (a temporary file, then
a rename), new pages before the pages that link to them, removals last; so
killing the build at any moment leaves pages that all work. The marker file
records what was written (path -> SHA-256), which is how a rebuild knows
what changed, and shows that the folder is ours to replace: any other
non-empty folder is refused, never emptied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic

MARKER = ".factcheck-site"  # present in every folder this tool wrote; holds the manifest
_FORMAT = 1


class OutputError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.diagnostic = Diagnostic("output", message, hint=hint)


@dataclass(frozen=True)
class Written:
    added: int
    changed: int
    removed: int
    unchanged: int
    cold: bool


def read_manifest(out_dir: Path) -> dict[str, object] | None:
    """What the last build wrote into `out_dir`, or None (no build, or an old one)."""
    try:
        data = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == _FORMAT else None


def write_site(
    files: Mapping[str, bytes],
    out_dir: Path,
    protect: Sequence[Path] = (),
    inputs: Mapping[str, object] | None = None,
) -> Written:
    """Write `files` (site-relative '/' paths to bytes) as `out_dir`.

    `inputs` is stored in the manifest for the next build to compare with."""
    out_dir = out_dir.resolve()
    _refuse_unsafe(out_dir, protect)
    hashes = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    manifest = {"format": _FORMAT, "files": dict(sorted(hashes.items())), "inputs": inputs or {}}
    previous = read_manifest(out_dir)
    try:
        if previous is None:
            return _cold(files, out_dir, manifest)
        return _incremental(files, hashes, out_dir, previous, manifest)
    except OSError as exc:
        raise OutputError(f"cannot write the site to {out_dir}: {_describe(exc)}") from exc


def _cold(files: Mapping[str, bytes], out_dir: Path, manifest: dict[str, object]) -> Written:
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        made: set[Path] = set()
        for rel, data in sorted(files.items()):
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(data)
        _write_manifest(staging, manifest)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is for serving
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(len(files), 0, 0, 0, cold=True)


def _incremental(
    files: Mapping[str, bytes],
    hashes: Mapping[str, str],
    out_dir: Path,
    previous: Mapping[str, object],
    manifest: dict[str, object],
) -> Written:
    old: dict[str, str] = dict(previous.get("files", {}))  # type: ignore[arg-type]
    added = sorted((p for p in files if p not in old), key=_link_order)
    changed = sorted((p for p in files if p in old and old[p] != hashes[p]), key=_link_order)
    removed = sorted(p for p in old if p not in files)
    for rel in added + changed:
        _atomic_write(out_dir / rel, files[rel])
    # The manifest before removals: were we stopped now, the next build
    # would still know every file it has to remove.
    _write_manifest(out_dir, {**manifest, "files": {**dict.fromkeys(removed, ""), **manifest["files"]}})  # type: ignore[dict-item]
    for rel in removed:
        target = out_dir / rel
        target.unlink(missing_ok=True)
        _prune(target.parent, out_dir)
    _write_manifest(out_dir, manifest)
    return Written(len(added), len(changed), len(removed), len(files) - len(added) - len(changed), cold=False)


def _link_order(path: str) -> tuple[int, str]:
    """Pages that others link to come first: assets and the search bundle,
    then articles and checks, then the lists, the home page last."""
    if path.startswith(("static/", "pagefind/")):
        rank = 0
    elif path.startswith(("articles/", "checks/")):
        rank = 1
    elif path == "index.html":
        rank = 3
    else:
        rank = 2
    return rank, path


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_manifest(folder: Path, manifest: Mapping[str, object]) -> None:
    _atomic_write(folder / MARKER, (json.dumps(manifest, indent=0, sort_keys=True) + "\n").encode("utf-8"))


def _prune(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


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
