"""Shared test helpers: a scratch copy of the sample desk to break at will."""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from factcheck.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Desk:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def checks(self) -> Path:
        return self.root / "content" / "checks"

    @property
    def articles(self) -> Path:
        return self.root / "content" / "articles"

    def write_check(self, name: str, text: str | bytes) -> Path:
        path = self.checks / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = main([*args, "--config", str(self.config)], stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """The sample desk's config, templates and corpus, with no entries."""
    root = tmp_path / "desk"
    (root / "content" / "checks").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "content" / "articles", root / "content" / "articles")
    return Desk(root)


@pytest.fixture
def sample_desk(desk: Desk) -> Desk:
    """The whole sample desk, entries included."""
    shutil.rmtree(desk.checks)
    shutil.copytree(REPO / "content" / "checks", desk.checks)
    return desk


# Property tests run 200 examples each; HYPOTHESIS_PROFILE=thorough runs 5,000.
settings.register_profile("default", max_examples=200)
settings.register_profile("thorough", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
