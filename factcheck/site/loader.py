"""The templates and static files a site is rendered with: the built-in
theme (`factcheck/theme/`), overridden file by file by the desk's own
templates folder.

A file of the desk's folder replaces the built-in file of the same name;
the rest stays built in. A desk template can extend or import the built-in
one it replaces by the prefix `theme/` (`{% extends "theme/base.html" %}`),
which names only built-in files. The same goes for static files: the
desk's `static/x.css` replaces the theme's, and adds any others.

The desk's files are read through `safefs` like every other desk file: one
that is a link out of the desk, or not a regular file, is refused and named,
never read. Compiled templates are kept between runs only signed with a key
that lives outside the desk (SignedBytecodeCache).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import posixpath
import secrets
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.loaders import split_template_path

from ..diagnostics import Diagnostic
from ..safefs import Refused, inside, read_regular, real
from ..verify.sources import walk_files
from .builtin import BUILTIN, BUILTIN_SHOWN, PREFIX, builtin_files

__all__ = ["BUILTIN", "BUILTIN_SHOWN", "PREFIX", "ThemeLoader", "builtin_files"]

STATIC = "static"  # templates/static/ is copied to the site as it is


class RefusedTemplate(jinja2.TemplateError):
    """A template file the tool will not read (a link out of the desk, a pipe)."""

    def __init__(self, name: str, refused: Refused):
        super().__init__(f"'{name}' is not read: {refused.reason}")
        self.name = name
        self.hint = refused.hint


class ThemeLoader(jinja2.BaseLoader):
    """Jinja2's loader: the desk's templates folder (read through safefs)
    over the built-in theme."""

    def __init__(self, folder: Path, root: Path, builtin: Path = BUILTIN):
        self.folder = folder
        self.root = root
        self.builtin = builtin
        self._top = real(root)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith(PREFIX):
            return self._builtin(template[len(PREFIX) :], template)
        path = self.folder.joinpath(*split_template_path(template))
        try:
            read = read_regular(path, self._top)
        except FileNotFoundError:
            return self._builtin(template, template)
        except NotADirectoryError:
            return self._builtin(template, template)
        except Refused as exc:
            raise RefusedTemplate(template, exc) from None
        return read.data.decode("utf-8"), str(path), lambda: True

    def _builtin(self, name: str, asked: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.builtin.joinpath(*split_template_path(name))
        try:
            return path.read_text(encoding="utf-8"), str(path), lambda: True
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise jinja2.TemplateNotFound(asked) from None

    def list_templates(self) -> list[str]:
        names = set(desk_files(self.folder, self.root)) | set(builtin_files(self.builtin))
        return sorted(names)

    def is_desks(self, name: str) -> bool:
        """Does the desk's folder hold this template (or is it built in)?"""
        return not name.startswith(PREFIX) and self.folder.joinpath(*name.split("/")).is_file()


def desk_files(folder: Path, root: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return ["/".join(parts) for parts in walk_files(folder, root).files]


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Jinja2's compiled templates kept between runs, each file signed with
    a key kept outside the desk, in the user's own cache folder. Compiled
    templates are code: one planted in the desk by a pull request does not
    carry a valid signature (CI starts with a new key), so it is never
    loaded; the template is compiled from its source instead."""

    def __init__(self, folder: Path, key: bytes, salt: Callable[[], str] = lambda: ""):
        """`salt`: what a compiled template depends on beyond its source
        (the messages folded into it, and whether any template keeps them
        from being folded: i18n.ConstantMessages), asked once, when the
        first template is compiled or loaded."""
        self.folder = folder
        self.key = key
        self._salt = salt
        self._salted: str | None = None

    def get_source_checksum(self, source: str) -> str:
        if self._salted is None:
            self._salted = self._salt()
        return hashlib.sha256(f"{self._salted}\0{source}".encode()).hexdigest()

    def _file(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.signed"

    def _mac(self, bucket: jinja2.bccache.Bucket, payload: bytes) -> bytes:
        return hmac.new(self.key, bucket.key.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = read_regular(self._file(bucket), real(self.folder)).data
        except (OSError, Refused):
            return
        mac, payload = data[:32], data[32:]
        if len(mac) == 32 and hmac.compare_digest(mac, self._mac(bucket, payload)):
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = bucket.bytecode_to_string()
        try:
            fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".")
            with os.fdopen(fd, "wb") as f:
                f.write(self._mac(bucket, payload) + payload)
            os.replace(temporary, self._file(bucket))
        except OSError:
            pass  # only a shortcut


def signing_key(desk: Path) -> bytes | None:
    """This user's key for signing compiled templates: 32 random bytes in
    $XDG_CACHE_HOME/factcheck/key (made on first use, readable only by the
    user). None if there is no such place outside the desk."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "factcheck"
    key = folder / "key"
    if not os.path.isabs(base) or inside(real(desk), real(folder)):
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        st = os.lstat(key)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        data = key.read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


def theme_problems(folder: Path, root: Path) -> list[Diagnostic]:
    """Links out of the desk and special files in the templates folder."""
    if not folder.is_dir():
        return []
    return list(walk_files(folder, root).problems)


def static_files(folder: Path, root: Path, builtin: Path = BUILTIN) -> list[tuple[str, Path, bool]]:
    """(site path, file, from the desk?) for every static file: the theme's
    `static/` with the desk's `static/` over it. Hidden files and folders
    are not published."""
    files: dict[str, tuple[Path, bool]] = {}
    theirs = builtin / STATIC
    for name in builtin_files(theirs) if theirs.is_dir() else []:
        files[posixpath.join(STATIC, name)] = (theirs / name, False)
    ours = folder / STATIC
    if ours.is_dir():
        for parts in walk_files(ours, root).files:
            files[posixpath.join(STATIC, *parts)] = (ours.joinpath(*parts), True)
    return [(path, file, desk) for path, (file, desk) in sorted(files.items())]


def read_static(path: Path, root: Path, desk: bool = True) -> bytes:
    return read_regular(path, real(root)).data if desk else path.read_bytes()


def template_files(folder: Path, root: Path, builtin: Path = BUILTIN) -> list[tuple[str, bytes]]:
    """Every file of the theme and of the desk's templates folder, by name
    and bytes, for the pages' keys."""
    found = [(PREFIX + name, (builtin / name).read_bytes()) for name in builtin_files(builtin)]
    if folder.is_dir():
        top = real(root)
        for parts in walk_files(folder, root).files:
            try:
                data = read_regular(folder.joinpath(*parts), top, walked=True).data
            except (OSError, Refused):
                data = b""
            found.append(("/".join(parts), data))
    return found
