"""Ctrl-C held back for a few steps that must not be cut in two.

Python raises KeyboardInterrupt between any two steps of the main thread.
A few places must not stop half-way: between forking a process and
recording it (or it runs on, unknown to the clean-up that would stop it),
and while a build undoes what it began (or the site is left half undone).
`held()` keeps a Ctrl-C that comes meanwhile, and raises it once the block
is done. Only in the main thread, which is the only one Python raises it in.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def held() -> Iterator[None]:
    before = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or before is None:
        yield  # (None: a handler not set from Python, which could not be put back)
        return
    came: list[FrameType | None] = []
    signal.signal(signal.SIGINT, lambda signum, frame: came.append(frame))
    try:
        yield
    finally:
        _put_back(before)
        if came:
            if callable(before):
                before(signal.SIGINT, came[0])  # Python's own raises KeyboardInterrupt
            elif before == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def _put_back(handler: signal.Handlers | object) -> None:
    """Setting a handler runs the Python handlers of signals that came
    meanwhile; one of them may raise (serve.py's for SIGTERM does). The
    handler is put back whatever happens, and what was raised raised then."""
    raised: BaseException | None = None
    while True:
        try:
            signal.signal(signal.SIGINT, handler)  # type: ignore[arg-type]
            break
        except BaseException as exc:  # noqa: BLE001 - raised below, once the handler is back
            raised = exc
    if raised is not None:
        raise raised
