"""Diagnostics are data: collected across a whole run, printed by one formatter."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import quote

from .safefs import Refused, read_regular, real

Severity = Literal["error", "warning"]

# Every code a run can report, with what it means: the SARIF rules and the
# README's table are made from this.
CODES: dict[str, str] = {
    "config": "config.yaml missing, unreadable or invalid",
    "encoding": "a file that is not valid UTF-8",
    "yaml-syntax": "a file that does not parse as YAML, or uses a tag that constructs objects",
    "duplicate-key": "a mapping key given twice",
    "schema": "a required field missing, or a value of the wrong type or form",
    "unknown-field": "a key the format does not have",
    "invalid-id": "a file name that is not a valid id",
    "duplicate-id": "two files that give the same id",
    "unknown-article": "a citation's article is not in the corpus",
    "unknown-verdict": "a verdict not in config.yaml",
    "quote-not-found": "a quote that does not occur in its article",
    "quote-ambiguous": "a quote that occurs more than once, not told apart by prefix or suffix",
    "article-hash-mismatch": "an article body that no longer matches its sha256",
    "template": "a template that does not compile or fails to render (exit 2)",
    "search": "the search index could not be made (exit 2)",
    "render-worker": "the second process rendering a build from nothing stopped before it was done (exit 2)",
    "changed-during-build": "an article changed while the site was being built: nothing is written (exit 2)",
    "output": "the site could not be written",
    "import": "a web page that cannot be archived (import)",
    "article-unpinned": "(warning) an article with no sha256",
    "empty-article": "(warning) an article with no text",
    "ignored-file": "(warning) a file in a content folder that is not read as content",
    "date-order": "(warning) dates of an entry or its corrections out of order",
    "future-date": "(warning) a published or updated date after the day of the build",
    "verdict-evidence": "(warning) the best rating with only contradicting evidence, or the worst with only supporting",
    "unsourced-claim": "(warning) no citation shows where the claim was made",
    "duplicate-tag": "(warning) two tags of an entry that make the same tag page",
    "duplicate-citation": "(warning) the same citation given twice in an entry",
    "elision-empty": "(warning) an elision marker [...] that leaves nothing out",
    "quote-comment": "(warning) a plain value (a quote, the claim, a tag...) cut short by a ' #' comment",
    "broken-link": "a page of the built site links to a local file that the site does not have",
    "control-character": "(warning) an article whose text holds a control character no page can show",
    "untranslated": "(warning) the desk's language has no catalogue, and config.yaml does not translate every message",
    "unsafe-file": "a link out of the desk, or a special file (a pipe, a device), which is never read",
}


class Location(NamedTuple):
    """A place in a source file; `line` and `column` are 1-based. (A tuple:
    made for every node of every entry's YAML, it costs a third of what a
    frozen dataclass does.)"""

    file: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: Severity = "error"
    end_line: int | None = None
    end_column: int | None = None

    @classmethod
    def at(
        cls,
        where: Location | None,
        code: str,
        message: str,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> Diagnostic:
        if where is None:
            return cls(code, message, hint=hint, severity=severity)
        return cls(
            code,
            message,
            file=where.file,
            line=where.line,
            column=where.column,
            hint=hint,
            severity=severity,
            end_line=where.end_line,
            end_column=where.end_column,
        )

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.code)


def promote_warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """What `--strict` does: every warning becomes an error."""
    return [replace(d, severity="error") for d in diagnostics]


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


# --- formatters -------------------------------------------------------------


def printable(text: str, limit: int = 2000, breaks: bool = False) -> str:
    """Text safe to print on a terminal or in a CI log: control characters
    (escape sequences among them) shown as symbols, never sent; halves of
    surrogate pairs written as escapes; very long text cut in the middle.
    `breaks`: keep CR and LF (for a format that escapes them itself)."""
    if len(text) > limit:
        text = text[: limit // 2] + " … " + text[-limit // 2 :]
    if text.isascii() and text.isprintable():
        return text
    return text.translate(_KEEP_BREAKS if breaks else _VISIBLE_TEXT)


def printable_json(text: str) -> str:
    """For JSON output: JSON escapes control characters itself, but a lone
    surrogate cannot be written as UTF-8."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_text(diagnostics: Sequence[Diagnostic], root: Path, color: bool = False) -> str:
    """Compiler-style report: location, message, the source line with a caret, help."""
    lines_cache: dict[str, list[str] | None] = {}
    out: list[str] = []
    for d in diagnostics:
        label = _paint(f"{d.severity}[{d.code}]", "31;1" if d.is_error else "33;1", color)
        where = printable(_location(d))
        message = printable(d.message)
        out.append(f"{where}: {label}: {message}" if where else f"{label}: {message}")
        source = _source_line(root, d, lines_cache)
        if source is not None and d.line is not None:
            source, column = _window(source, max((d.column or 1) - 1, 0))
            gutter = " " * len(str(d.line))
            caret_at = _display_width(source[:column])
            out.append(f"{gutter} |")
            out.append(f"{d.line} | {source}")
            out.append(f"{gutter} | {' ' * caret_at}{_paint('^', '31;1' if d.is_error else '33;1', color)}")
        if d.hint:
            first, *rest = d.hint.splitlines() or [""]
            out.append(f"  {_paint('help', '36;1', color)}: {printable(first)}")
            out.extend(f"        {printable(line)}" for line in rest)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        out.append(f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}")
    return "\n".join(out)


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands, escaped as @actions/core escapes them."""
    out = []
    for d in diagnostics:
        # The spec's order (file, line, col, title), with the span's end
        # before the title: GitHub reads the properties in any order.
        props = []
        if d.file:
            props.append(("file", d.file))
            if d.line is not None:
                props.append(("line", str(d.line)))
            if d.column is not None:
                props.append(("col", str(d.column)))
            if d.line is not None and d.end_line is not None:
                props.append(("endLine", str(d.end_line)))
            if d.column is not None and d.end_column is not None:
                props.append(("endColumn", str(d.end_column)))
        props.append(("title", d.code))
        prop_text = ",".join(f"{k}={_escape_property(printable(v, breaks=True))}" for k, v in props)
        message = d.message if not d.hint else f"{d.message}\nhelp: {d.hint}"
        out.append(f"::{d.severity} {prop_text}::{_escape_data(printable(message, 8000, breaks=True))}")
    return "\n".join(out)


def format_markdown(diagnostics: Sequence[Diagnostic], stats: dict[str, int]) -> str:
    """The whole report as Markdown, for a CI job's summary page (GitHub
    Actions shows only the first few annotations of a step)."""
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    verified = (
        f"{_plural(stats.get('citations', 0), 'citation')} in {_plural(stats.get('checks', 0), 'check')} "
        f"against {_plural(stats.get('articles', 0), 'article')}"
    )
    if not errors:
        head = f"### Fact-check citations: all verified\n\n{verified}"
        if warnings:
            head += f"; {_plural(warnings, 'warning')}"
    else:
        head = f"### Fact-check citations: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}\n\n{verified}"
    if not diagnostics:
        return head + "\n"
    rows = ["| | where | problem | help |", "|---|---|---|---|"]
    for d in diagnostics:
        mark = "error" if d.is_error else "warning"
        where = _location(d) or "(the site)"
        rows.append(f"| {mark} | {_cell(where)} | **{d.code}**: {_cell(d.message)} | {_cell(d.hint or '')} |")
    return head + "\n\n" + "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks, no
    HTML (GitHub renders the summary's HTML)."""
    text = "\n".join(printable(line) for line in text.split("\n"))
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\r\n", " ")
        .replace("\n", "<br>")
        .replace("\r", " ")
        .replace("`", "'")
    )


def format_json(
    diagnostics: Sequence[Diagnostic],
    citations: Sequence[dict[str, object]],
    stats: dict[str, int],
) -> str:
    errors = [_as_json(d) for d in diagnostics if d.is_error]
    warnings = [_as_json(d) for d in diagnostics if not d.is_error]
    document = {
        "ok": not errors,
        "errors": errors,
        "warnings": warnings,
        "citations": list(citations),
        "stats": stats,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def format_sarif(diagnostics: Sequence[Diagnostic], tool_version: str, default_file: str = "config.yaml") -> str:
    """SARIF 2.1.0, one rule per code, for code scanning tools."""
    rules = [{"id": code, "shortDescription": {"text": text}} for code, text in CODES.items()]
    index = {code: i for i, code in enumerate(CODES)}
    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": d.severity,
            "message": {"text": printable_json(d.message if not d.hint else f"{d.message}\nhelp: {d.hint}")},
        }
        # Code scanning needs a location on every result: a problem with no
        # file of its own (config.yaml missing) is placed on the config file.
        region = {
            k: v
            for k, v in (
                ("startLine", d.line),
                ("startColumn", d.column),
                ("endLine", d.end_line),
                ("endColumn", d.end_column),
            )
            if v is not None and d.file
        }
        uri = quote(d.file or default_file, errors="surrogateescape")
        location: dict[str, object] = {"artifactLocation": {"uri": uri}}
        if region:
            location["region"] = region
        result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "factcheck", "version": tool_version, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _as_json(d: Diagnostic) -> dict[str, object]:
    fields = asdict(d)
    del fields["severity"]
    return {
        k: printable_json(fields[k]) if isinstance(fields[k], str) else fields[k]
        for k in ("code", "file", "line", "column", "message", "hint")
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _location(d: Diagnostic) -> str:
    if not d.file:
        return ""
    if d.line is None:
        return d.file
    return f"{d.file}:{d.line}:{d.column or 1}"


def _source_line(root: Path, d: Diagnostic, cache: dict[str, list[str] | None]) -> str | None:
    if not d.file or d.line is None:
        return None
    if d.file not in cache:
        try:
            # Read as the loaders read: never through a link out of the desk.
            text = read_regular(root / d.file, real(root)).data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError, Refused):
            cache[d.file] = None
        else:
            cache[d.file] = text.splitlines()
    lines = cache[d.file]
    if lines is None or not 1 <= d.line <= len(lines):
        return None
    # Tabs become one space so the caret lines up; other control characters
    # are shown as their Unicode pictures (␁) rather than sent to the terminal.
    return lines[d.line - 1].translate(_VISIBLE)


_VISIBLE = {i: 0x2400 + i for i in range(32)} | {9: " ", 127: "\u2421"} | dict.fromkeys(range(0x80, 0xA0), "\ufffd")
# The same, and C1 controls and surrogates as escapes, for messages.
_VISIBLE_TEXT = (
    {i: 0x2400 + i for i in range(32)}
    | {9: " ", 127: "\u2421"}
    | {i: f"\\x{i:02x}" for i in range(0x80, 0xA0)}
    | {i: f"\\u{i:04x}" for i in range(0xD800, 0xE000)}
)
_KEEP_BREAKS = {k: v for k, v in _VISIBLE_TEXT.items() if k not in (10, 13)}
_SURROGATE = re.compile("[\ud800-\udfff]")
_WIDE_LINE = 200  # display columns of a source line shown whole


def _window(line: str, column: int) -> tuple[str, int]:
    """A long source line (a 5 MB line of minified text) shown around the
    caret only: (the part shown, the caret's place in it)."""
    if len(line) <= _WIDE_LINE:
        return line, column
    start = max(0, min(column - _WIDE_LINE // 2, len(line) - _WIDE_LINE))
    shown = line[start : start + _WIDE_LINE]
    lead = "…" if start > 0 else ""
    tail = "…" if start + _WIDE_LINE < len(line) else ""
    return lead + shown + tail, column - start + len(lead)


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _paint(text: str, sgr: str, color: bool) -> str:
    return f"\x1b[{sgr}m{text}\x1b[0m" if color else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
