"""Progress of a long run, on a terminal only: one line, rewritten in place.

CI logs and pipes stay quiet (a log full of carriage returns helps nobody),
so a `Progress` that is not on a terminal does nothing.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

_EVERY = 0.1  # seconds between redraws
EVERY_FILES = 256  # loaders report (and may be stopped) after this many files


class Cancelled(Exception):  # noqa: N818 - not an error: what stops a build nobody waits for any more
    """Raised by a progress callback to stop the build it follows: the
    build writes nothing (the preview stops a build behind a quick one when
    the editor saves again)."""


class Progress:
    def __init__(self, stream: TextIO | None):
        self.stream = stream if stream is not None and _is_terminal(stream) else None
        self._last = 0.0
        self._width = 0

    def __call__(self, what: str, done: int = 0, total: int = 0) -> None:
        """Say what is going on; `done` of `total` when that is known."""
        if self.stream is None:
            return
        now = time.monotonic()
        if done and done != total and now - self._last < _EVERY:
            return
        self._last = now
        line = what
        if total:
            line += f" {done:,}/{total:,}"
        elif done:
            line += f" {done:,}"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def clear(self) -> None:
        if self.stream is not None and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def _is_terminal(stream: TextIO) -> bool:
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def quiet(what: str, done: int = 0, total: int = 0) -> None:
    """The progress callback for callers that show none."""
