"""Reading the desk's files as data, whatever a pull request put there.

A desk is often checked in CI on pull requests from outside the desk, and
git stores symbolic links: a link in a content or theme folder could make
the build publish (or print in an error) a file from anywhere on the
machine, and a named pipe or a device would hang or exhaust it. So every
file the tool reads from a desk goes through here: a link is followed only
while its target, with every folder on the way resolved, lies inside the
desk; anything that is not a regular file is refused before it is opened
for reading.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass


class Refused(Exception):
    """A path the tool will not read; `reason` says why, in a reader's words."""

    def __init__(self, reason: str, hint: str):
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


@dataclass(frozen=True)
class Read:
    data: bytes
    signature: tuple[int, int, int]  # size, mtime_ns, inode, as the file stood when it was read
    stable: bool  # False if the file changed while it was being read


def real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(path)


def inside(top: str, path: str) -> bool:
    """Is the (real) path `path` the folder `top` or below it?"""
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def kind_of(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_path(path: str, top: str | None) -> os.stat_result:
    """The stat of what `path` names, if the tool may read it as a file:
    a regular file whose real path lies inside `top` (when given)."""
    if top is not None:
        target = real(path)
        if not inside(top, target):
            raise Refused(
                f"it leads through a link to {target}, outside the desk folder",
                "a desk's links may only point inside the desk; replace the link with the file itself",
            )
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise Refused("it is a link to nothing (a broken link)", "fix or remove the link") from None
        raise
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"it is {kind_of(st.st_mode)}, not a regular file", "keep only regular files in a desk")
    return st


def read_regular(path: str | os.PathLike[str], top: str | None = None, *, walked: bool = False) -> Read:
    """The bytes of a regular file, refusing links out of `top` and special
    files (a FIFO would block forever, /dev/zero would never end). The file
    is checked again on the descriptor that is read, so nothing swapped in
    between is read either. `walked`: the path comes from a walk that has
    already refused links out of the desk and special files."""
    path = os.fspath(path)
    if not walked:
        check_path(path, top)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise Refused(f"it is {kind_of(before.st_mode)}, not a regular file", "keep only regular files in a desk")
        chunks = []
        size = 0
        wanted = max(before.st_size + 1, 1 << 16)
        while True:
            chunk = os.read(fd, wanted)
            chunks.append(chunk)
            size += len(chunk)
            # Less than asked for, once the file's whole size is in, is its
            # end: not read again to be told so (one of six system calls a
            # file). A short read before that (a network file system) is not.
            if not chunk or (len(chunk) < wanted and size >= before.st_size):
                break
        after = os.fstat(fd)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    signature = (before.st_size, before.st_mtime_ns, before.st_ino)
    stable = signature == (after.st_size, after.st_mtime_ns, after.st_ino) and len(data) == before.st_size
    return Read(data, signature, stable)


def signature_of(path: str) -> tuple[int, int, int] | None:
    """A file's size, modification time and inode, following links (the
    walk has already refused links that leave the desk); None if missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)
