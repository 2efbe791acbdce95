"""Reading content files: UTF-8 text, and ids from file names."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .cache import digest
from .diagnostics import Diagnostic, Location
from .ids import ID_RE, id_slug


@dataclass(frozen=True)
class SourceFile:
    id: str
    path: Path
    shown: str  # relative to the config folder, with '/', as diagnostics show it
    registered: bool = True  # False for a file whose name is not a valid id: read, checked, not used


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8, a leading BOM dropped, line endings untouched."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic.at(Location(shown, 1, 1), "encoding", f"cannot read file: {exc.strerror}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return None, [
            Diagnostic.at(
                Location(shown, line, column),
                "encoding",
                f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
                hint="re-save the file as UTF-8 in your editor",
            )
        ]
    return text.removeprefix("\ufeff"), []


def source_key(source: SourceFile, file_digest: str) -> str:
    """What a file's parse depends on: where it is, the id it gives, its bytes."""
    return digest(source.shown, source.id, "1" if source.registered else "0", file_digest)


def discover(
    folder: Path, root: Path, suffixes: tuple[str, ...], kind: str
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Content files below `folder`, in a stable order, with their ids checked.

    Subfolders are allowed (a large corpus is easier to keep by year), so two
    files can claim one id; hidden and backup files are not content.
    """
    diagnostics: list[Diagnostic] = []
    if not folder.is_dir():
        return [], [
            Diagnostic(
                "config",
                f"the {kind} folder does not exist: {_shown(folder, root)}",
                hint="create it, or set paths in config.yaml",
            )
        ]
    files: list[SourceFile] = []
    by_id: dict[str, SourceFile] = {}
    names = " and ".join(suffixes)
    for parts in walk_files(folder):
        path = folder.joinpath(*parts)
        shown = _shown(path, root)
        if not path.is_file():
            diagnostics.append(_ignored(shown, f"'{path.name}' is a broken link", "fix or remove the link"))
            continue
        if path.suffix.lower() not in suffixes:
            diagnostics.append(
                _ignored(shown, f"'{path.name}' is not read: only {names} files in this folder are {kind}s")
            )
            continue
        stem = path.stem
        registered = True
        if not ID_RE.match(stem):
            diagnostics.append(
                Diagnostic.at(
                    Location(shown, 1, 1),
                    "invalid-id",
                    f"'{path.name}' is not a valid {kind} id",
                    hint="ids are lowercase letters, digits and '-', up to 80 characters: "
                    f"rename it to '{id_slug(stem)}{path.suffix.lower()}'",
                )
            )
            registered = False  # still read, so that its other mistakes show now
        elif stem in by_id:
            diagnostics.append(
                Diagnostic.at(
                    Location(shown, 1, 1),
                    "duplicate-id",
                    f"{kind} id '{stem}' is also given by {by_id[stem].shown}",
                    hint="every id must be unique; rename one of the files",
                )
            )
            continue
        source = SourceFile(stem, path, shown, registered)
        if registered:
            by_id[stem] = source
        files.append(source)
    return files, diagnostics


def walk_files(folder: Path) -> list[tuple[str, ...]]:
    """Every file below `folder` as its path's parts, sorted as paths sort;
    hidden files and folders and editor backups left out. (os.scandir:
    pathlib's rglob costs more than reading the files on a large corpus.)"""
    found: list[tuple[str, ...]] = []

    def visit(directory: str, prefix: tuple[str, ...], seen: frozenset[tuple[int, int]]) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith("~"):
                    continue
                try:
                    is_dir = entry.is_dir()  # follows links, as rglob does
                except OSError:
                    is_dir = False
                if not is_dir:
                    found.append((*prefix, entry.name))
                    continue
                st = entry.stat()
                if (st.st_dev, st.st_ino) not in seen:  # a link back up would never end
                    visit(entry.path, (*prefix, entry.name), seen | {(st.st_dev, st.st_ino)})

    top = folder.stat()
    visit(str(folder), (), frozenset({(top.st_dev, top.st_ino)}))
    return sorted(found)


def _ignored(
    shown: str, message: str, hint: str = "move it elsewhere, or rename it if it is meant as content"
) -> Diagnostic:
    return Diagnostic.at(Location(shown, 1, 1), "ignored-file", message, hint=hint, severity="warning")


def _shown(path: Path, root: Path) -> str:
    text, base = str(path), str(root)
    if text.startswith(base + os.sep):  # the usual case, without pathlib's cost
        return text[len(base) + 1 :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
