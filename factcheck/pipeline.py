"""The build, top to bottom: load -> validate -> resolve citations -> render -> write.

Everything is gathered and checked before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import Config, load_config
from .corpus import Article, load_corpus
from .diagnostics import Diagnostic, promote_warnings, sorted_diagnostics
from .entries import Check, load_checks
from .output import OutputError, write_site
from .render import render_site
from .resolve import Resolved, resolve_citations


@dataclass(frozen=True)
class Desk:
    """Everything the site is made from, checked."""

    config: Config
    articles: Mapping[str, Article]
    checks: Mapping[str, Check]
    citations: tuple[Resolved, ...]


@dataclass(frozen=True)
class Verification:
    desk: Desk | None  # None when config.yaml itself is unusable
    diagnostics: tuple[Diagnostic, ...]
    stats: Mapping[str, int]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def verify(config_path: Path, *, strict: bool = False) -> Verification:
    """What `check` does: load and check everything, write nothing."""
    config, diagnostics = load_config(config_path)
    if config is None:
        return Verification(None, tuple(diagnostics), {"articles": 0, "checks": 0, "citations": 0})
    articles, corpus_problems = load_corpus(config.articles_dir, config.root)
    entries, entry_problems = load_checks(config.checks_dir, config.root, [v.key for v in config.verdicts])
    resolved, citation_problems = resolve_citations(entries, articles)
    diagnostics = corpus_problems + entry_problems + citation_problems
    if strict:
        diagnostics = promote_warnings(diagnostics)
    stats = {
        "articles": len(articles),
        "checks": entries.count,
        "citations": entries.citation_count,
    }
    desk = Desk(config, articles, entries.checks, resolved)
    return Verification(desk, tuple(sorted_diagnostics(diagnostics)), stats)


def build(config_path: Path, *, out_dir: Path | None = None, strict: bool = False) -> Verification:
    """What `build` does: verify exactly as `check`, and write only if clean."""
    result = verify(config_path, strict=strict)
    if not result.ok or result.desk is None:
        return result
    desk = result.desk
    target = out_dir if out_dir is not None else desk.config.output_dir
    try:
        files = render_site(desk)
        write_site(files, target, protect=(desk.config.root,))
    except OutputError as exc:
        problem = Diagnostic("output", str(exc), hint=exc.hint)
        return Verification(desk, (*result.diagnostics, problem), result.stats)
    return result
