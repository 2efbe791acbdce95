"""Each fixture entry, checked alone against the sample corpus, must produce
exactly the report in its `.expected` file (the `text` format, no colour).

To review a changed report: UPDATE_EXPECTED=1 pytest tests/test_diagnostics_fixtures.py,
then read the diff of tests/fixtures/entries/*.expected before committing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, Desk

ENTRIES = sorted(p for p in (FIXTURES / "entries").iterdir() if p.suffix == ".yaml")


@pytest.mark.parametrize("entry", ENTRIES, ids=[p.stem for p in ENTRIES])
def test_fixture_entry_gives_its_expected_report(desk: Desk, entry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # the day of the build: 2027-01-01
    shutil.copy(entry, desk.checks / entry.name)
    result = desk.run("check")
    report = f"exit {result.code}\n{result.out}"
    expected_file = entry.with_suffix(".expected")
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text(report, encoding="utf-8")
    assert report == expected_file.read_text(encoding="utf-8")


def test_every_fixture_has_an_expected_report() -> None:
    assert all(p.with_suffix(".expected").exists() for p in ENTRIES)
