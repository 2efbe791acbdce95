"""Ids of articles and checks, and slugs of tags: the names that become URLs."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
ID_RE = re.compile(ID_PATTERN)
_NOT_ID = re.compile(r"[^a-z0-9]+")
_NOT_WORD = re.compile(r"[\W_]+")


def id_slug(text: str) -> str:
    """The valid id closest to a file name: for "rename it to ..." hints."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ID.sub("-", ascii_text.lower()).strip("-")[:80] or "untitled"


_SLUG_BYTES = 120  # a folder name on disk: most file systems allow 255 bytes


# A pure function of its text, asked for every tag and claimant of every
# check on each build (a desk's few hundred names, tens of thousands of times).
@functools.lru_cache(maxsize=1 << 16)
def tag_slug(tag: str) -> str:
    """A tag's (or claimant's) page name, a folder name on disk. Letters of
    any script are kept ("Россия" stays "россия"), so tags in other
    languages do not collide; a tag with no letter or digit at all ("++")
    is named by a hash of itself. A long one is cut to fit a file name
    (in UTF-8 bytes, since Cyrillic or Chinese letters take 2 or 3), and
    ends in a hash of the whole, so two long names that begin alike still
    get pages of their own."""
    words = _NOT_WORD.sub("-", unicodedata.normalize("NFKC", tag).casefold()).strip("-")
    if not words:
        return "tag-" + _short_hash(tag)
    if len(words.encode("utf-8")) <= _SLUG_BYTES:
        return words
    cut = words.encode("utf-8")[: _SLUG_BYTES - 9].decode("utf-8", "ignore").rstrip("-")
    return f"{cut}-{_short_hash(words)}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
