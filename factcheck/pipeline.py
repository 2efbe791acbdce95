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
from .entries import Check, load_entries, validate_entries
from .output import OutputError, write_site
from .render import RenderError, check_templates, render_site
from .resolve import Resolved, resolve_citations
from .search import SearchError, search_bundle


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
    # load
    articles, corpus_problems = load_corpus(config.articles_dir, config.root)
    entry_files, entry_problems = load_entries(config.checks_dir, config.root)
    # validate
    entries, validation_problems = validate_entries(entry_files, [v.key for v in config.verdicts])
    template_problems = check_templates(config)
    # resolve citations
    resolved, citation_problems = resolve_citations(entries, articles)

    diagnostics = corpus_problems + entry_problems + validation_problems + template_problems + citation_problems
    if strict:
        diagnostics = promote_warnings(diagnostics)
    stats = {"articles": len(articles), "checks": entries.count, "citations": entries.citation_count}
    desk = Desk(config, articles, entries.checks, tuple(r for r in resolved if r.check in entries.checks))
    return Verification(desk, tuple(sorted_diagnostics(diagnostics)), stats)


def build(config_path: Path, *, out_dir: Path | None = None, strict: bool = False) -> Verification:
    """What `build` does: verify exactly as `check`, then render and write only if clean."""
    result = verify(config_path, strict=strict)
    if not result.ok or result.desk is None:
        return result
    desk = result.desk
    target = out_dir if out_dir is not None else desk.config.output_dir
    try:
        files = render_site(desk)
        files |= search_bundle(files, desk.config.language)
        write_site(files, target, protect=(desk.config.root,))
    except (RenderError, OutputError) as exc:
        return Verification(desk, (*result.diagnostics, exc.diagnostic), result.stats)
    except SearchError as exc:
        return Verification(desk, (*result.diagnostics, Diagnostic("search", str(exc))), result.stats)
    return result
