"""Reading content files: UTF-8 text, and ids from file names."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..cache import Cache, Space, digest
from ..diagnostics import Diagnostic, Location
from ..safefs import Read, Refused, inside, kind_of, read_regular, real, signature_of
from .ids import ID_RE, id_slug

if TYPE_CHECKING:
    from ..model import Config

V = TypeVar("V")


@dataclass(frozen=True)
class SourceFile:
    id: str
    path: Path
    shown: str  # relative to the config folder, with '/', as diagnostics show it
    registered: bool = True  # False for a file whose name is not a valid id: read, checked, not used
    # (size, mtime, inode) as the walk that found it saw it; None: not known.
    signature: tuple[int, int, int] | None = field(default=None, compare=False)


def read_text(path: Path, shown: str, top: str | None = None) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8, a leading BOM dropped, line endings untouched."""
    data, problems = read_source_bytes(path, shown, top)
    if data is None:
        return None, problems
    return decode(data, shown)


def read_source_bytes(path: Path, shown: str, top: str | None) -> tuple[bytes | None, list[Diagnostic]]:
    """A content file's bytes, as safefs reads them (no links out of the
    desk, no special files)."""
    read, problems = read_safely(path, shown, top)
    return (read.data if read else None), problems


def read_safely(path: Path, shown: str, top: str | None, walked: bool = False) -> tuple[Read | None, list[Diagnostic]]:
    try:
        return read_regular(path, top, walked=walked), []
    except Refused as exc:
        return None, [refused(shown, exc)]
    except OSError as exc:
        return None, [Diagnostic.at(Location(shown, 1, 1), "encoding", f"cannot read file: {exc.strerror}")]


def refused(shown: str, exc: Refused) -> Diagnostic:
    """A path the tool will not read: named, never followed."""
    return Diagnostic.at(Location(shown), "unsafe-file", f"'{shown}' is not read: {exc.reason}", hint=exc.hint)


def decode(data: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8, a leading BOM dropped, line endings untouched."""
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


def load_source(
    source: SourceFile,
    cache: Cache,
    space: Space[V],
    parse: Callable[[bytes | None, list[Diagnostic], str, str], V],
) -> V:
    """A content file parsed, or its parse from the cache. The file is hashed
    and parsed from one and the same read, so an edit made while it is read
    can never be stored under the other version's key. A file whose
    signature (size, time, inode) is as recorded is not read at all."""
    path = str(source.path)
    known = cache.known_digest(path, source.signature or signature_of(path))
    if known is not None:
        hit = cache.get(space, source_key(source, known))
        if hit is not None:
            return hit
    read, problems = read_safely(source.path, source.shown, None, walked=True)
    if read is None:
        return parse(None, problems, source_key(source, "unreadable"), "")
    file_digest = hashlib.sha256(read.data).hexdigest()
    if read.stable:
        cache.record_digest(path, read.signature, file_digest)
    key = source_key(source, file_digest)
    return cache.memo(space, key, lambda: parse(read.data, problems, key, file_digest))


def discover(
    folder: Path, root: Path, suffixes: tuple[str, ...], kind: str, walks: Walks | None = None
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Content files below `folder`, in a stable order, with their ids checked.

    Subfolders are allowed (a large corpus is easier to keep by year), so two
    files can claim one id; hidden and backup files are not content. `walks`:
    the folder as the build walked it already.
    """
    if not folder.is_dir():
        return [], [
            Diagnostic(
                "config",
                f"the {kind} folder does not exist: {_shown(folder, root)}",
                hint="create it, or set paths in config.yaml",
            )
        ]
    if walks is None:
        return _discover(folder, root, suffixes, kind, walk_files(folder, root))
    # The same folder, as walked, is sorted out the same way every time it
    # is asked for: once a run (a cold check asked twice, 0.1 s each at
    # 10,000 entries and articles, before and after reading them).
    key = (folder, root, suffixes, kind)
    found = walks.discovered.get(key)
    if found is None:
        found = _discover(folder, root, suffixes, kind, walks.walk(folder))
        if walks.holds(folder):
            walks.discovered[key] = found
    return list(found[0]), list(found[1])


def _discover(
    folder: Path, root: Path, suffixes: tuple[str, ...], kind: str, walk: Walk
) -> tuple[list[SourceFile], list[Diagnostic]]:
    diagnostics = list(walk.problems)
    files: list[SourceFile] = []
    by_id: dict[str, SourceFile] = {}
    names = " and ".join(suffixes)
    # Where the folder is inside the desk (as it nearly always is), a file's
    # place is told from its parts, not by pathlib (20,000 files a cold check).
    inside = str(folder).startswith(str(root) + os.sep)
    prefix = _shown(folder, root) + "/"
    for parts, signature in zip(walk.files, walk.signatures, strict=True):
        path = folder.joinpath(*parts)
        shown = prefix + "/".join(parts) if inside else _shown(path, root)
        name = parts[-1]
        dot = name.rfind(".")  # as pathlib tells the suffix and the stem
        suffix, stem = (name[dot:], name[:dot]) if 0 < dot < len(name) - 1 else ("", name)
        if suffix.lower() not in suffixes:
            diagnostics.append(_ignored(shown, f"'{name}' is not read: only {names} files in this folder are {kind}s"))
            continue
        registered = True
        if not ID_RE.match(stem):
            diagnostics.append(
                Diagnostic.at(
                    Location(shown, 1, 1),
                    "invalid-id",
                    f"'{name}' is not a valid {kind} id",
                    hint="ids are lowercase letters, digits and '-', up to 80 characters: "
                    f"rename it to '{id_slug(stem)}{suffix.lower()}'",
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
        source = SourceFile(stem, path, shown, registered, signature)
        if registered:
            by_id[stem] = source
        files.append(source)
    return files, diagnostics


@dataclass(frozen=True)
class Walk:
    """The regular files below a folder, as their paths' parts, sorted as
    paths sort; and what was refused on the way."""

    files: tuple[tuple[str, ...], ...]
    # Links that leave the desk and special files (errors), broken links (warnings).
    problems: tuple[Diagnostic, ...]
    # Each file's (size, mtime, inode), as the walk saw it (following a link).
    signatures: tuple[tuple[int, int, int], ...]


class Walks:
    """The desk's folders, each walked once for one build or check: reading
    the desk, and hashing it to tell whether anything changed, use the same
    walk and the signatures it saw (a build walked each folder up to six
    times, and took each file's signature again to hash and to read it)."""

    def __init__(self, root: Path, folders: Iterable[Path | None]):
        self.root = root
        self._walks: Mapping[Path, Walk] = {
            folder: walk_files(folder, root) for folder in dict.fromkeys(folders) if folder and folder.is_dir()
        }
        # What `discover` made of a walked folder, by its arguments.
        self.discovered: dict[tuple[Path, Path, tuple[str, ...], str], tuple[list[SourceFile], list[Diagnostic]]] = {}

    @classmethod
    def of(cls, root: Path, walks: Mapping[Path, Walk]) -> Walks:
        """Folders walked already (by another process: scout.py)."""
        made = cls(root, ())
        made._walks = dict(walks)
        return made

    def walk(self, folder: Path) -> Walk:
        found = self._walks.get(folder)
        return found if found is not None else walk_files(folder, self.root)

    def holds(self, folder: Path) -> bool:
        """Whether `folder` was walked once for the run (`walk` walks any other anew)."""
        return folder in self._walks

    def walked(self) -> Mapping[Path, Walk]:
        return self._walks


def desk_folders(config: Config) -> tuple[Path | None, ...]:
    """The folders a build reads: articles, entries, pages, templates."""
    return (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir)


def walk_files(folder: Path, root: Path) -> Walk:
    """Every regular file below `folder`, hidden files and folders and
    editor backups left out. A link is followed only while it stays inside
    the desk (the folder of config.yaml, `root`); a link out of it, or
    anything that is neither a file nor a folder, is named and not read.
    (os.scandir: pathlib's rglob costs more than reading the files on a
    large corpus.)"""
    found: list[tuple[tuple[str, ...], tuple[int, int, int]]] = []
    problems: list[Diagnostic] = []
    top = real(root)

    def refuse(path: str, reason: str, hint: str) -> None:
        problems.append(refused(_shown(Path(path), root), Refused(reason, hint)))

    def visit(directory: str, prefix: tuple[str, ...], seen: frozenset[tuple[int, int]]) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            refuse(directory, f"the folder cannot be read ({exc.strerror})", "check its permissions")
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name.endswith("~"):
                continue
            parts = (*prefix, entry.name)
            try:
                if entry.is_symlink():
                    target = real(entry.path)
                    if not inside(top, target):
                        refuse(entry.path, f"it is a link to {target}, outside the desk folder", _LINK_HINT)
                        continue
                    try:
                        st = os.stat(entry.path)
                    except OSError:
                        shown = _shown(Path(entry.path), root)
                        problems.append(_ignored(shown, f"'{entry.name}' is a broken link", "fix or remove the link"))
                        continue
                    mode = st.st_mode
                else:
                    st = entry.stat(follow_symlinks=False)
                    mode = st.st_mode
            except OSError as exc:
                refuse(entry.path, f"it cannot be read ({exc.strerror})", "check its permissions")
                continue
            if stat.S_ISREG(mode):
                found.append((parts, (st.st_size, st.st_mtime_ns, st.st_ino)))
            elif stat.S_ISDIR(mode):
                if (st.st_dev, st.st_ino) not in seen:  # a link back up would never end
                    visit(entry.path, parts, seen | {(st.st_dev, st.st_ino)})
            else:
                refuse(entry.path, f"it is {kind_of(mode)}, not a regular file", "keep only regular files in a desk")

    target = real(folder)
    if not inside(top, target):
        refuse(str(folder), f"the folder leads through a link to {target}, outside the desk folder", _LINK_HINT)
        return Walk((), tuple(problems), ())
    start = os.stat(folder)
    visit(str(folder), (), frozenset({(start.st_dev, start.st_ino)}))
    found.sort()
    return Walk(tuple(parts for parts, _ in found), tuple(problems), tuple(sig for _, sig in found))


_LINK_HINT = "a desk's links may only point inside the desk folder; replace the link with what it points to"


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
