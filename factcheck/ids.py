"""Ids of articles and checks, and slugs of tags: the names that become URLs."""

from __future__ import annotations

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


def tag_slug(tag: str) -> str:
    """A tag's page name. Letters of any script are kept ("Россия" stays
    "россия"), so tags in other languages do not collide; a tag with no
    letter or digit at all ("++") is named by a hash of itself."""
    words = _NOT_WORD.sub("-", unicodedata.normalize("NFKC", tag).casefold()).strip("-")
    if words:
        return words[:80]
    return "tag-" + hashlib.sha256(tag.encode("utf-8")).hexdigest()[:8]
