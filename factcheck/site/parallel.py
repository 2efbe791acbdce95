"""Rendering on two cores: a forked process renders a share of the pages.

A build from nothing renders every page, and rendering is most of its time.
After the desk is loaded, checked and worked into a `Site`, the build forks
once (before any thread is started: the search indexer's come after).
Both processes walk the same pages in the same order and work out every
page's key; each renders only the pages of its share (`share`, by a hash of
the path, so the split is the same on every run and in every checkout) and
the parent renders the site-wide files (feeds, sitemap, exports, static
files). The child sends each page it renders through a pipe; the parent
hands it to the writer, as its own pages, between two of its own. So
writing, link checking and the manifest stay in one process, and a page's
bytes do not depend on which process made it (the golden files are made
both ways).

A failure in the child is the build's failure: a template's error comes
back as the same diagnostic a single process gives; a child that dies
(killed, out of memory) is a `render-worker` error. Either way the build
writes nothing, as for any other error. What the child added to the cache
(Markdown, fragments) comes back with its last message, so the next build
finds it.

Only a build from nothing forks (`build` in a fresh checkout, which is what
CI runs; `build --jobs 1` never does): a rebuild renders the few pages that
changed, and the preview never forks (its watcher's threads are running).
"""

from __future__ import annotations

import os
import select
import signal
import struct
import zlib
from collections.abc import Callable
from typing import Any

import msgspec

from ..diagnostics import Diagnostic

# The child's share of the pages, in hundredths. The parent also writes
# every file, checks its links and makes the search documents, so the
# child takes more than half.
CHILD_SHARE = 60
# The cache's tables that rendering reads and adds to.
SPACES = ("markdown", "fragment")
_LENGTH = struct.Struct("<Q")
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode
_diagnostic = msgspec.msgpack.Decoder(Diagnostic).decode


def available() -> bool:
    """Whether this machine can fork a renderer and has a core to run it on."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def share(path: str) -> int:
    """Which process renders the page at `path`: 1, the child, or 0. The
    site-wide files are the parent's."""
    if not path.endswith("index.html"):
        return 0
    return 1 if zlib.crc32(path.encode("utf-8")) % 100 < CHILD_SHARE else 0


class WorkerError(Exception):
    """The child could not render its share: its diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Worker:
    """The forked renderer, as the parent sees it."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self._fd = fd
        self._buffer = bytearray()
        self._done: tuple[Any, ...] | None = None

    @classmethod
    def start(cls, run: Callable[[Callable[[str, bytes], None]], object]) -> Worker:
        """Fork; the child calls `run(emit)` and sends what it emits, then
        what `run` returns (msgpack-encodable), and exits."""
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(write, run)
        os.close(write)
        os.set_blocking(read, False)
        return cls(pid, read)

    def drain(self, emit: Callable[[str, bytes], None], wait: bool = False) -> object | None:
        """Hand the pages the child has sent so far to `emit`; with `wait`,
        until it is done. Returns what `run` returned once the child is done."""
        while self._done is None:
            chunk = self._read(wait)
            if chunk is None:
                return None
            if not chunk:
                self._ended()
            self._buffer += chunk
            for message in self._messages():
                kind = message[0]
                if kind == "page":
                    emit(message[1], message[2])
                elif kind == "done":
                    self._done = tuple(message[1:])
                elif kind == "error":
                    self._reap()
                    raise WorkerError(_diagnostic(message[1]))
        self._reap()
        return self._done[0]

    def stop(self) -> None:
        """Kill the child (the build failed or was interrupted)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def _read(self, wait: bool) -> bytes | None:
        while True:
            try:
                return os.read(self._fd, 1 << 20)
            except BlockingIOError:
                if not wait:
                    return None
                select.select([self._fd], [], [])

    def _messages(self) -> list[list[Any]]:
        found = []
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(buffer, start)
            end = start + _LENGTH.size + length
            if len(buffer) < end:
                break
            found.append(_decode(bytes(buffer[start + _LENGTH.size : end])))
            start = end
        del buffer[:start]
        return found

    def _ended(self) -> None:
        status = self._reap()
        if status is not None and os.WIFSIGNALED(status):
            why = f"was stopped by signal {os.WTERMSIG(status)}"
        else:
            code = os.waitstatus_to_exitcode(status) if status is not None else "unknown"
            why = f"ended (exit status {code})"
        raise WorkerError(
            Diagnostic(
                "render-worker",
                f"the process rendering half of the pages {why} before it was done; nothing was written",
                hint="run the build again; if it stops again, the machine may be short of memory: "
                "`build --jobs 1` renders in one process",
            )
        )

    def _reap(self) -> int | None:
        if not self.pid:
            return None
        pid, self.pid = self.pid, 0
        os.close(self._fd)
        _, status = os.waitpid(pid, 0)
        return status


def _child(fd: int, run: Callable[[Callable[[str, bytes], None]], object]) -> None:
    """The forked process: render, send, exit without running anything of
    the parent's clean-up (its writer, its lock, its cache)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        os.set_blocking(fd, True)

        def send(message: list[object]) -> None:
            data = _encode(message)
            view = memoryview(_LENGTH.pack(len(data)) + data)
            while view:
                view = view[os.write(fd, view) :]

        try:
            result = run(lambda path, data: send(["page", path, data]))
        except WorkerError as exc:
            send(["error", _encode(exc.diagnostic)])
        else:
            send(["done", result])
            code = 0
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close and says so
        pass
    finally:
        os._exit(code)
