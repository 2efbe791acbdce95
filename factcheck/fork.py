"""Two cores: a forked process does a share of a long task.

The parent forks once its inputs are in memory (before it starts any
thread: a fork takes only the thread that calls it), and the child sends
what it makes through a pipe, as msgpack messages: each `emit(path, data)`
as it comes, then what its task returns. A child started `listens` is
given an `Inbox` too, for what the parent `send`s it on the way. The child
never returns into the parent's code: whatever happens, it exits without
running the parent's clean-up (its writer, its lock, its cache). A child
that dies is a `WorkerError` in the parent, with a diagnostic.

Used to render a build from nothing (site/parallel.py), to load and match
a cold desk (verify/warm.py), and to walk the desk (scout.py).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
from collections.abc import Callable
from typing import Any

import msgspec

from . import interrupts
from .diagnostics import Diagnostic

_LENGTH = struct.Struct("<Q")
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder().decode
_diagnostic = msgspec.msgpack.Decoder(Diagnostic).decode
# How the child's last message, ["done", what `run` returned], begins.
_LAST = _encode(["done", None])[:-1]


def available() -> bool:
    """Whether this machine can fork and has a second core to run the child on."""
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class WorkerError(Exception):
    """The child could not do its share: its diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Worker:
    """The forked child, as the parent sees it."""

    def __init__(self, pid: int, fd: int, what: str, to_child: int | None = None):
        self.pid = pid
        self.what = what
        self._fd = fd
        self._to_child = to_child
        self._buffer = bytearray()
        self._done: list[Any] | None = None  # the child's last message: [what `run` returned]

    @classmethod
    def start(cls, run: Callable[..., object], what: str, *, listens: bool = False) -> Worker:
        """Fork; the child calls `run(emit)` and sends what it emits, then
        what `run` returns (msgpack-encodable), and exits. `what` names the
        child's task in a diagnostic ("the process rendering half of the pages").
        `listens`: the child calls `run(emit, inbox)`, and the parent may
        `send` it messages, which it takes from `inbox`."""
        pipe: tuple[int, int] | None = None
        inbox: tuple[int, int] | None = None
        worker = None
        try:
            # A Ctrl-C between the fork and the child's being known here would
            # leave it running, unknown to the clean-up that stops it.
            with interrupts.held():
                read, write = pipe = os.pipe()
                _widen(write)
                inbox = os.pipe() if listens else None
                pid = os.fork()
                if pid == 0:  # the child: never returns
                    os.close(read)
                    if inbox is not None:
                        os.close(inbox[1])
                    _child(write, run, Inbox(inbox[0]) if inbox is not None else None)
                worker = cls(pid, read, what, inbox[1] if inbox is not None else None)
                os.close(write)
                if inbox is not None:
                    os.close(inbox[0])
                os.set_blocking(read, False)
        except BaseException:
            if worker is not None:
                worker.stop()  # (a Ctrl-C held back, raised as the fork was done)
            else:
                for fd in (*(pipe or ()), *(inbox or ())):
                    _close(fd)
            raise
        return worker

    def send(self, message: object) -> None:
        """A message (msgpack-encodable) to a child started `listens`,
        waiting while its pipe is full. A child that has ended is a
        `WorkerError`."""
        assert self._to_child is not None, "the child was not started to listen"
        try:
            _write_message(self._to_child, message)
        except BrokenPipeError:
            self._ended()

    def drain(self, emit: Callable[..., None], wait: bool = False, leave_last: bool = False) -> object | None:
        """Hand what the child has emitted so far to `emit`; with `wait`,
        until it is done. Returns what `run` returned once the child is done
        (None before). `leave_last`, not waiting: the child's last message,
        what `run` returned, is left in the pipe for a drain that waits. A
        build's child returns its cache rows (50 MB at 10,000 checks), and
        taken as they came, while the parent still rendered its own pages,
        they took its peak from 377 to 407 MiB: the parent takes them once
        it has let go of what rendering held."""
        hold = leave_last and not wait
        while True:
            # What the buffer holds first (a last message left there before), then what comes.
            messages, last_waits = self._messages(stop_at_last=hold)
            for message in messages:
                kind = message[0]
                if kind == "page":
                    emit(*message[1:])  # path, bytes, and a key where the page has one
                elif kind == "done":
                    self._done = message[1:]
                elif kind == "error":
                    self._reap()
                    raise WorkerError(_diagnostic(message[1]))
            if self._done is not None:
                break
            if last_waits:
                return None  # the child is done: its last message waits
            chunk = self._read(wait)
            if chunk is None:
                return None
            if not chunk:
                self._ended()
            self._buffer += chunk
        self._reap()
        return self._done[0]

    def drain_until(self, emit: Callable[..., None], ready: Callable[[], bool]) -> None:
        """Hand what the child emits to `emit` until `ready()` says so, or
        the child is done."""
        while not ready() and self._done is None and self.pid:
            if self.drain(emit) is None and not ready() and self.pid:
                select.select([self._fd], [], [])

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

    def _messages(self, stop_at_last: bool = False) -> tuple[list[list[Any]], bool]:
        """The whole messages the buffer holds, decoded and taken out of it;
        with `stop_at_last`, those before the child's last message, and
        whether that message has begun (it stays in the buffer)."""
        found = []
        last_begun = False
        buffer = self._buffer
        start = 0
        # Decoded where they are in the buffer: a copy of each (the last is
        # the child's cache rows, 50 MB at 10,000 checks) would be held
        # beside the buffer and the values decoded from it.
        with memoryview(buffer) as whole:
            while len(buffer) - start >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(buffer, start)
                end = start + _LENGTH.size + length
                if stop_at_last and buffer[start + _LENGTH.size : start + _LENGTH.size + len(_LAST)] == _LAST:
                    last_begun = True
                    break
                if len(buffer) < end:
                    break
                with whole[start + _LENGTH.size : end] as message:
                    found.append(_decode(message))
                start = end
        del buffer[:start]
        return found, last_begun

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
                f"{self.what} {why} before it was done; nothing was written",
                hint="run the build again; if it stops again, the machine may be short of memory: "
                "`build --jobs 1` renders in one process",
            )
        )

    def _reap(self) -> int | None:
        if not self.pid:
            return None
        pid, self.pid = self.pid, 0
        os.close(self._fd)
        if self._to_child is not None:
            os.close(self._to_child)
        _, status = os.waitpid(pid, 0)
        return status


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


class Inbox:
    """What the parent `send`s a child started `listens`, as the child takes it."""

    def __init__(self, fd: int):
        self._fd = fd

    def waiting(self) -> bool:
        """Whether a message has begun to come (or the parent has gone):
        `take` would not wait long."""
        return bool(select.select([self._fd], [], [], 0)[0])

    def take(self) -> Any:
        """The next message, once it has come whole. EOFError: the parent
        has gone, or closed the pipe."""
        (length,) = _LENGTH.unpack(_read_exactly(self._fd, _LENGTH.size))
        return _decode(_read_exactly(self._fd, length))


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, min(size, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _write_message(fd: int, message: object) -> None:
    """A message as both ends read them: its length, then its msgpack."""
    data = _encode(message)
    for part in (_LENGTH.pack(len(data)), data):  # not joined: a copy of the largest message
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


def _widen(fd: int) -> None:
    """Let the pipe hold 1 MB (Linux), where it holds 64 KB by default:
    some 4 pages. The parent reads the child's pages only between two of
    its own, and a child that finds the pipe full waits: at 10,000 checks
    the child rendering pages spent a fifth of its time (6 s) waiting so."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (AttributeError, OSError):
        pass  # another system, or a lower limit: the default size


def _child(fd: int, run: Callable[..., object], inbox: Inbox | None) -> None:
    """The forked process: render, send, exit without running anything of
    the parent's clean-up (its writer, its lock, its cache)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        os.set_blocking(fd, True)

        def emit(path: str, data: bytes, *key: object) -> None:
            _write_message(fd, ["page", path, data, *key])

        try:
            result = run(emit) if inbox is None else run(emit, inbox)
        except WorkerError as exc:
            _write_message(fd, ["error", _encode(exc.diagnostic)])
        else:
            _write_message(fd, ["done", result])
            code = 0
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close and says so
        pass
    finally:
        os._exit(code)
