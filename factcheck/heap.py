"""Giving memory back to the system between the stages of a long run.

Python frees what a stage no longer holds, but glibc's allocator keeps the
freed pages for later and the process stays as large as its largest stage
(a build from nothing at 10,000 checks holds some 100 MB of pages freed by
decoding the cache rows of the desk it read on two cores). A process forked
after that stage (the one rendering half of the pages) starts from the
same size. `malloc_trim` gives back what is free at the end of each arena;
where there is no glibc it is not there, and this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _trim():  # type: ignore[no-untyped-def]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def give_back() -> None:
    """Hand the allocator's free pages back to the system."""
    trim = _trim()
    if trim is not None:
        trim(0)
