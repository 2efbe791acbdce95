"""Whatever an editor saves, `check` answers with diagnostics, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.cli import main

from .conftest import FIXTURES, REPO

# Bits of entries, YAML punctuation and awkward characters, shuffled together.
FRAGMENTS = st.sampled_from(
    [
        "claim: x\n",
        "claimant: y\n",
        "verdict: accurate\n",
        "summary: |\n  text\n",
        "published: 2026-11-05\n",
        "citations:\n",
        "  - article: cnn-2016-12-05\n",
        "    quote: Venezuela also rejected the resolution.\n",
        "    prefix: x\n",
        "    stance: claim\n",
        "tags: [a, b]\n",
        "corrections:\n  - date: 2026-11-06\n    note: n\n",
        ": ",
        "- ",
        "  ",
        "\t",
        '"',
        "'",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "!!python/object:os.system ",
        "!!binary ",
        "!!bool maybe",
        "!!bool ",
        "!!float ",
        "!!int abc",
        "!!str ",
        "!!map ",
        "<<: ",
        "---\n",
        "...\n",
        "%YAML 1.1\n",
        "\ufeff",
        "\x00",
        "\x85",
        "\u2028",
        "[...]",
        "é",
        "\n",
    ]
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("robust")
    (root / "content" / "checks").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content" / "articles", root / "content" / "articles")
    return root


def run_check(root: Path) -> tuple[int, dict]:
    out = io.StringIO()
    code = main(["check", "--format", "json", "--config", str(root / "config.yaml")], stdout=out, stderr=io.StringIO())
    return code, json.loads(out.getvalue())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
def test_any_entry_text_gets_a_report(scratch: Path, text: str) -> None:
    (scratch / "content" / "checks" / "fuzz.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    code, report = run_check(scratch)
    assert code in (0, 1)
    assert report["ok"] == (code == 0)
    for problem in report["errors"]:
        assert problem["file"] == "content/checks/fuzz.yaml"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_get_a_report(scratch: Path, data: bytes) -> None:
    (scratch / "content" / "checks" / "fuzz.yaml").write_bytes(data)
    code, _ = run_check(scratch)
    assert code in (0, 1)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.lists(FRAGMENTS, max_size=20).map("".join), st.text(max_size=200))
def test_any_article_text_gets_a_report(scratch: Path, front: str, body: str) -> None:
    shutil.copy(FIXTURES / "entries" / "elided-quote.yaml", scratch / "content" / "checks" / "fuzz.yaml")
    (scratch / "content" / "articles" / "fuzz.txt").write_text(
        f"---\n{front}\n---\n{body}", encoding="utf-8", errors="surrogatepass"
    )
    try:
        code, _ = run_check(scratch)
        assert code in (0, 1)
    finally:
        (scratch / "content" / "articles" / "fuzz.txt").unlink()


CONFIG_FRAGMENTS = st.sampled_from(
    [
        "title: T\n",
        "base_url: https://example.org/\n",
        "base_url: example.org\n",
        "publisher: {name: P}\n",
        "publisher: P\n",
        "paths: {articles: content/articles}\n",
        "paths: {checks: nowhere}\n",
        "verdicts:\n",
        "  - key: accurate\n    label: A\n    description: d\n    rating: 5\n",
        "  - key: Bad Key\n    rating: high\n",
        "language: 3\n",
        ": ",
        "- ",
        "\t",
        "!!bool x",
        "\x00",
    ]
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(st.lists(CONFIG_FRAGMENTS, max_size=14).map("".join))
def test_any_config_gets_a_report(scratch: Path, text: str) -> None:
    config = scratch / "fuzz-config.yaml"
    config.write_text(text, encoding="utf-8")
    out = io.StringIO()
    code = main(["check", "--format", "json", "--config", str(config)], stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    assert code in (0, 1, 2)
    assert report["ok"] == (code == 0)
