"""Fact-check entries: one YAML file each, read into frozen records."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..cache import Cache, Space
from ..diagnostics import Diagnostic, Location
from ..model import Check, Citation, Correction
from ..progress import EVERY_FILES, quiet
from .editorial import editorial
from .fields import FieldSpec, Record, read_record
from .hints import did_you_mean
from .ids import tag_slug
from .match import split_at_elisions
from .normalize import normalize_quote
from .sources import SourceFile, Walks, decode, discover, load_source, read_text, source_key
from .yamlsource import Node, parse

STANCES = ("claim", "supports", "contradicts", "context")

CITATION_FIELDS = (
    FieldSpec("article", "string", True, "the id of an article in the corpus (its file name without .txt)"),
    FieldSpec("quote", "quote", True, "the cited span, exactly as the article has it; [...] marks text left out"),
    FieldSpec("prefix", "string", False, "text right before the quote, to pick one occurrence"),
    FieldSpec("suffix", "string", False, "text right after the quote, to pick one occurrence"),
    FieldSpec("stance", "choice", False, "what this span does for the verdict (default: context)", choices=STANCES),
    FieldSpec("note", "markdown", False, "the editor's comment on this source (Markdown)"),
)
CORRECTION_FIELDS = (
    FieldSpec("date", "date", True, "when the correction was made (YYYY-MM-DD)"),
    FieldSpec("note", "markdown", True, "what was corrected (Markdown)"),
)
ENTRY_FIELDS = (
    FieldSpec("claim", "string", True, "the claim being checked, as stated"),
    FieldSpec("claimant", "string", True, "who made the claim"),
    FieldSpec("claim_date", "date", False, "when the claim was made (YYYY-MM-DD)"),
    FieldSpec("verdict", "string", True, "a verdict key from config.yaml"),
    FieldSpec("summary", "markdown", True, "the reasoning, shown to readers (Markdown)"),
    FieldSpec("published", "date", True, "when this check was published (YYYY-MM-DD)"),
    FieldSpec("updated", "date", False, "the last substantive update (YYYY-MM-DD)"),
    FieldSpec("author", "string", False, "who wrote the check"),
    FieldSpec("tags", "strings", False, "topics"),
    FieldSpec("draft", "boolean", False, "true while the check is not ready: checked, previewed, never published"),
    FieldSpec("corrections", "maps", False, "public corrections log, newest last", fields=CORRECTION_FIELDS),
    FieldSpec("citations", "maps", True, "the evidence: at least one citation", fields=CITATION_FIELDS, min_items=1),
)


@dataclass(frozen=True)
class Entries:
    """What the entries folder holds.

    `checks` has only the entries without errors; `citations` has the
    well-formed citations of every entry, so that a broken field in one
    place does not hide a broken quote in another.
    """

    checks: dict[str, Check]
    citations: dict[str, tuple[Citation, ...]]
    # Citations of files whose names are not valid ids: verified, never used.
    unlisted: tuple[tuple[Citation, ...], ...] = ()

    @property
    def count(self) -> int:
        return len(self.citations) + len(self.unlisted)

    @property
    def citation_count(self) -> int:
        return sum(len(c) for c in self.citations.values()) + sum(len(c) for c in self.unlisted)


@dataclass(frozen=True)
class EntryFile:
    """One entry file read and checked on its own: no corpus, no config.

    `check` is None when the file has errors; its well-formed citations are
    kept all the same, so that a broken field does not hide a broken quote.
    """

    source: SourceFile
    check: Check | None
    citations: tuple[Citation, ...]
    verdict: tuple[str, Location] | None  # checked against config.yaml later
    diagnostics: tuple[Diagnostic, ...]
    # Where the fields the editorial checks point at are (editorial.py):
    # they depend on the day of the build, which a parse never stores.
    locs: tuple[tuple[str, Location], ...] = ()

    def loc(self, name: str) -> Location:
        return dict(self.locs).get(name) or Location(self.source.shown, 1, 1)


# An entry file's parse without its SourceFile (which holds this checkout's
# absolute path): the check, its well-formed citations, its verdict and problems.
_Parsed = tuple[
    Check | None,
    tuple[Citation, ...],
    tuple[str, Location] | None,
    tuple[Diagnostic, ...],
    tuple[tuple[str, Location], ...],
]
ENTRIES = Space[_Parsed]("entry", _Parsed, by_row=True)


def load_entries(
    folder: Path,
    root: Path,
    cache: Cache | None = None,
    progress: Callable[[str, int, int], None] = quiet,
    walks: Walks | None = None,
) -> tuple[list[EntryFile], list[Diagnostic]]:
    sources, diagnostics = discover(folder, root, (".yaml", ".yml"), "check", walks)
    cache = cache or Cache.disabled()
    files = []
    for n, source in enumerate(sources):
        if n % EVERY_FILES == 0:
            progress("reading entries", n, len(sources))
        files.append(load_entry_file(source, cache))
    return files, diagnostics


def load_entry_file(source: SourceFile, cache: Cache) -> EntryFile:
    """One entry file, as `load_entries` reads each (the preview's quick
    rebuild reads the files it was told changed, alone)."""
    check, citations, verdict, problems, locs = load_source(source, cache, ENTRIES, partial(_parsed, source))
    if check is not None and not citations:
        citations = check.citations  # kept once (_parsed)
    return EntryFile(source, check, citations, verdict, problems, locs)


def _parsed(source: SourceFile, data: bytes | None, problems: list[Diagnostic], key: str, sha256: str) -> _Parsed:
    text = None
    if data is not None:
        text, decoding = decode(data, source.shown)
        problems = [*problems, *decoding]
    f = parse_entry(source, text, problems, key)
    # A check holds its citations: kept there alone, or the cache would
    # decode them twice (a fifth of an entry's memory).
    citations = () if f.check is not None and f.citations is f.check.citations else f.citations
    return f.check, citations, f.verdict, f.diagnostics, f.locs


def load_entry(source: SourceFile, key: str | None = None) -> EntryFile:
    """One entry file, read and checked on its own. `key`: what its pages
    depend on (see sources.source_key)."""
    text, problems = read_text(source.path, source.shown)
    return parse_entry(source, text, problems, key)


def parse_entry(source: SourceFile, text: str | None, problems: list[Diagnostic], key: str | None = None) -> EntryFile:
    diagnostics: list[Diagnostic] = list(problems)
    node, problems = parse(text, source.shown) if text is not None else (None, [])
    diagnostics.extend(problems)
    if node is None or node.kind == "null":
        if not diagnostics:
            diagnostics.append(
                Diagnostic.at(
                    Location(source.shown, 1, 1),
                    "schema",
                    "the entry is empty",
                    hint="start from a copy of an existing entry; the fields are listed in the README",
                )
            )
        return EntryFile(source, None, (), None, tuple(diagnostics))
    record, citations = read_entry(node, diagnostics)
    verdict = (record.values["verdict"], record.locs["verdict"]) if record and "verdict" in record.values else None
    if record is None or any(d.is_error for d in diagnostics):
        return EntryFile(source, None, citations, verdict, tuple(diagnostics))
    locs = tuple(
        (name, record.locs[name])
        for name in ("claim", "verdict", "published", "updated", "citations")
        if name in record.locs
    )
    v = record.values
    check = Check(
        id=source.id,
        path=source.shown,
        claim=v["claim"],
        claimant=v["claimant"],
        verdict=v["verdict"],
        summary=v["summary"],
        published=v["published"],
        citations=citations,
        claim_date=v.get("claim_date"),
        updated=v.get("updated"),
        author=v.get("author"),
        tags=v.get("tags", ()),
        corrections=tuple(Correction(c.values["date"], c.values["note"]) for c in v.get("corrections", ())),
        digest=key or source_key(source, hashlib.sha256(text.encode("utf-8")).hexdigest()),
        draft=v.get("draft", False),
    )
    return EntryFile(source, check, citations, verdict, tuple(diagnostics), locs)


def validate_entries(
    files: Sequence[EntryFile], verdicts: Sequence[str], today: dt.date | None = None
) -> tuple[Entries, list[Diagnostic]]:
    """What needs the config (verdicts, best first) or the day of the build
    (`today`): the verdict, and the editorial checks. Keeps the checks that
    pass everything."""
    diagnostics: list[Diagnostic] = []
    checks: dict[str, Check] = {}
    citations: dict[str, tuple[Citation, ...]] = {}
    unlisted: list[tuple[Citation, ...]] = []
    for f in files:
        diagnostics.extend(f.diagnostics)
        verdict_ok = _check_verdict(f, verdicts, diagnostics)
        if not f.source.registered:
            unlisted.append(f.citations)
            continue
        citations[f.source.id] = f.citations
        if f.check is not None and verdict_ok:
            checks[f.source.id] = f.check
            diagnostics.extend(editorial(f.check, f.loc, verdicts, today))
    return Entries(checks, citations, tuple(unlisted)), diagnostics


def _check_verdict(f: EntryFile, verdicts: Sequence[str], diagnostics: list[Diagnostic]) -> bool:
    if f.verdict is None or f.verdict[0] in verdicts:
        return True
    verdict, loc = f.verdict
    meant = did_you_mean(verdict, verdicts)
    hint = f"did you mean '{meant}'?" if meant else "the verdicts in config.yaml are: " + ", ".join(verdicts)
    diagnostics.append(Diagnostic.at(loc, "unknown-verdict", f"verdict '{verdict}' is not in config.yaml", hint=hint))
    return False


def read_entry(node: Node, diagnostics: list[Diagnostic]) -> tuple[Record | None, tuple[Citation, ...]]:
    """Everything about an entry that needs no corpus and no config."""
    record = read_record(node, ENTRY_FIELDS, diagnostics)
    if record is None:
        return None, ()
    citations = _citations(record, diagnostics)
    _check_dates(record, diagnostics)
    _check_tags(record, diagnostics)
    for name in ("claim", "claimant", "author", "summary"):
        _cut_by_comment(record, name, diagnostics)
    if "tags" in record.nodes and record.nodes["tags"].kind == "seq":
        for item in record.nodes["tags"].value:  # type: ignore[union-attr]
            if item.comment_follows:
                diagnostics.append(_comment_warning(item.loc, "tag"))
    return record, citations


def _cut_by_comment(record: Record, name: str, diagnostics: list[Diagnostic]) -> None:
    """`claim: South Dakota is #1` is the claim "South Dakota is": a plain
    value ends where a ` #` comment begins. Say so, wherever it happens."""
    node = record.nodes.get(name)
    if node is not None and node.comment_follows:
        diagnostics.append(_comment_warning(record.locs[name], name))


def _comment_warning(loc: Location, name: str) -> Diagnostic:
    return Diagnostic.at(
        loc,
        "quote-comment",
        f"the '{name}' ends where a YAML comment (' #') begins on its line",
        hint=f"if the {name} goes on past the '#', put it in double quotes",
        severity="warning",
    )


def _citations(record: Record, diagnostics: list[Diagnostic]) -> tuple[Citation, ...]:
    citations = []
    seen: dict[tuple[str, str, str | None, str | None], int] = {}
    for index, item in enumerate(record.get("citations", ())):
        if item is None or not {"article", "quote"} <= item.values.keys():
            continue
        quote = item.values["quote"]
        normalized = normalize_quote(quote)
        parts = split_at_elisions(normalized)
        if len(parts) > 1 and not all(parts):
            at_edge = not parts[0] or not parts[-1]
            diagnostics.append(
                Diagnostic.at(
                    item.locs["quote"],
                    "schema",
                    "an elision marker [...] must stand between two parts of the quote",
                    hint="remove the [...] at the start or end; a quote may begin and end anywhere"
                    if at_edge
                    else "two markers stand together with nothing between them; keep one",
                )
            )
            continue
        for name in ("quote", "prefix", "suffix", "note"):
            if name in item.nodes and item.nodes[name].comment_follows:
                diagnostics.append(_comment_warning(item.locs[name], name))
        key = (item.values["article"], normalized, item.get("prefix"), item.get("suffix"))
        if key in seen:
            diagnostics.append(
                Diagnostic.at(
                    item.locs["quote"],
                    "duplicate-citation",
                    f"this citation repeats citation {seen[key] + 1} of the entry",
                    hint="remove one of them",
                    severity="warning",
                )
            )
        seen.setdefault(key, index)
        citations.append(
            Citation(
                index=index,
                article=item.values["article"],
                quote=quote,
                prefix=item.values.get("prefix"),
                suffix=item.values.get("suffix"),
                stance=item.values.get("stance", "context"),
                note=item.values.get("note"),
                article_loc=item.locs["article"],
                quote_loc=item.locs["quote"],
            )
        )
    return tuple(citations)


def _check_tags(record: Record, diagnostics: list[Diagnostic]) -> None:
    """Tags become pages: two that differ only in case or punctuation would share one."""
    seen: dict[str, str] = {}
    items = {n.value: n.loc for n in record.nodes["tags"].value} if "tags" in record.values else {}  # type: ignore[union-attr]
    for tag in record.get("tags", ()):
        key = tag_slug(tag)
        if key in seen:
            diagnostics.append(
                Diagnostic.at(
                    items.get(tag, record.locs["tags"]),
                    "duplicate-tag",
                    f"tags '{seen[key]}' and '{tag}' are the same tag",
                    hint="keep one of them",
                    severity="warning",
                )
            )
        seen.setdefault(key, tag)


def _check_dates(record: Record, diagnostics: list[Diagnostic]) -> None:
    published = record.get("published")
    updated = record.get("updated")
    claim_date = record.get("claim_date")
    if published and updated and updated < published:
        diagnostics.append(
            Diagnostic.at(
                record.locs["updated"],
                "date-order",
                f"'updated' ({updated}) is before 'published' ({published})",
                hint="'updated' is the date of the last substantive change, on or after 'published'; "
                "check both dates (YYYY-MM-DD)",
                severity="warning",
            )
        )
    previous = None
    for correction in record.get("corrections", ()):
        if correction is None or "date" not in correction.values:
            continue
        when = correction.values["date"]
        if published and when < published:
            diagnostics.append(
                Diagnostic.at(
                    correction.locs["date"],
                    "date-order",
                    f"correction dated {when}, before the check was published ({published})",
                    hint="a correction is made after publication: check the two dates (YYYY-MM-DD)",
                    severity="warning",
                )
            )
        elif previous and when < previous:
            diagnostics.append(
                Diagnostic.at(
                    correction.locs["date"],
                    "date-order",
                    f"correction dated {when} comes after one dated {previous}",
                    hint="list corrections oldest first, newest last",
                    severity="warning",
                )
            )
        previous = when
    if published and claim_date and claim_date > published:
        diagnostics.append(
            Diagnostic.at(
                record.locs["claim_date"],
                "date-order",
                f"'claim_date' ({claim_date}) is after 'published' ({published})",
                hint="'claim_date' is when the claim was made, before the check of it was published; "
                "check both dates (YYYY-MM-DD)",
                severity="warning",
            )
        )
