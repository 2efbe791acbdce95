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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic

MARKER = ".factcheck-site"  # present in every folder this tool wrote; holds the manifest
_FORMAT = 2


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


class SiteWriter:
    """Receives the site file by file, then puts it in place.

    A cold build streams each file into a private staging folder as it is
    rendered (so memory stays flat on a large desk) and `finish` swaps the
    folder in whole; a rebuild holds only the files whose bytes changed and
    `finish` writes them in link order. `abort` leaves the old site as it was.
    """

    def __init__(self, out_dir: Path, protect: Sequence[Path] = ()):
        self.out_dir = out_dir.resolve()
        _refuse_unsafe(self.out_dir, protect)
        _recover(self.out_dir)
        self.previous = read_manifest(self.out_dir)
        self.old: Mapping[str, str] = self.previous.get("files", {}) if self.previous else {}  # type: ignore[assignment]
        self.hashes: dict[str, str] = {}
        self.pending: dict[str, bytes] = {}
        self.staging: Path | None = None
        self._made: set[Path] = set()
        if self.previous is None:
            try:
                self.out_dir.parent.mkdir(parents=True, exist_ok=True)
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-", dir=self.out_dir.parent))
            except OSError as exc:
                raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc

    def put(self, path: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        self.hashes[path] = digest
        if self.staging is not None:
            target = self.staging / path
            try:
                if target.parent not in self._made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._made.add(target.parent)
                target.write_bytes(data)
            except OSError as exc:
                self.abort()
                raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc
        elif self.old.get(path) != digest or not (self.out_dir / path).is_file():
            # A file with its old bytes is written all the same if it went missing.
            self.pending[path] = data

    def finish(self, inputs: str = "", keys: Mapping[str, str] | None = None, kept: Collection[str] = ()) -> Written:
        """`kept` are files of the last build that stand as they are (their
        pages' keys did not change); every other file of the last build is
        removed. `inputs` and `keys` go into the manifest for the next build."""
        self.hashes.update({path: self.old[path] for path in kept if path in self.old and path not in self.hashes})
        manifest = {
            "format": _FORMAT,
            "files": dict(sorted(self.hashes.items())),
            "inputs": inputs,
            "keys": dict(sorted((keys or {}).items())),
        }
        try:
            if self.staging is not None:
                _write_manifest(self.staging, manifest)
                os.chmod(self.staging, 0o755)  # mkdtemp makes it private; a site is for serving
                _swap_in(self.staging, self.out_dir)
                self.staging = None
                return Written(len(self.hashes), 0, 0, 0, cold=True)
            return self._update(manifest)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write the site to {self.out_dir}: {_describe(exc)}") from exc

    def abort(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _update(self, manifest: dict[str, object]) -> Written:
        out_dir, old = self.out_dir, self.old
        added = sorted((p for p in self.pending if p not in old), key=_link_order)
        changed = sorted((p for p in self.pending if p in old), key=_link_order)
        removed = sorted(p for p in old if p not in self.hashes)
        for rel in added + changed:
            _atomic_write(out_dir / rel, self.pending[rel])
        # The manifest before removals: were we stopped now, the next build
        # would still know every file it has to remove.
        files: dict[str, str] = manifest["files"]  # type: ignore[assignment]
        if removed:
            _write_manifest(out_dir, {**manifest, "files": {**dict.fromkeys(removed, ""), **files}})
        for rel in removed:
            target = out_dir / rel
            target.unlink(missing_ok=True)
            _prune(target.parent, out_dir)
        _write_manifest(out_dir, manifest)
        unchanged = len(self.hashes) - len(added) - len(changed)
        return Written(len(added), len(changed), len(removed), unchanged, cold=False)


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
    _atomic_write(folder / MARKER, (json.dumps(manifest, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8"))


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


def _recover(out_dir: Path) -> None:
    """Clear up after a build that was killed: a staging folder it left
    beside the site goes; and if it was stopped in the instant between
    retiring the old site and renaming the new one in, the old site comes
    back (it is complete: only whole sites are ever retired)."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    retired = sorted(
        (p for p in parent.glob(f".{out_dir.name}.old-*") if (p / MARKER).is_file()),
        key=lambda p: p.stat().st_mtime_ns,
    )
    if not out_dir.exists() and retired:
        retired.pop().rename(out_dir)
    for leftover in [*parent.glob(f".{out_dir.name}.new-*"), *parent.glob(f".{out_dir.name}.old-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


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
