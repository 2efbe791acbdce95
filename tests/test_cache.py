"""The cache: what is put is what a later run gets, whether its table is
read whole or row by row; pruning forgets what a build no longer uses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from factcheck import cache as cache_module
from factcheck.cache import DATABASE, FOLDER, Cache, Space

WHOLE = Space[str]("whole", str)
BY_ROW = Space[str]("byrow", str, by_row=True)


def _saved(root: Path, space: Space[str], values: dict[str, str]) -> None:
    cache = Cache.open(root)
    for key, value in values.items():
        cache.put(space, key, value)
    cache.save()
    cache.close()


@pytest.mark.parametrize("space", [WHOLE, BY_ROW], ids=["whole", "by row"])
def test_a_value_put_and_saved_is_what_the_next_run_gets(tmp_path: Path, space: Space[str]) -> None:
    _saved(tmp_path, space, {f"k{i}": f"value {i}" for i in range(50)})
    cache = Cache.open(tmp_path)
    assert cache.get(space, "k7") == "value 7"
    assert cache.get(space, "k7") == "value 7"  # again, from memory
    assert cache.get(space, "missing") is None
    assert cache.count(space.name) == 50


def test_a_table_read_row_by_row_reads_the_rest_at_once_when_most_is_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_ROW_READS", 5)
    values = {f"k{i:02}": f"value {i}" for i in range(40)}
    _saved(tmp_path, BY_ROW, values)
    cache = Cache.open(tmp_path)
    cache.put(BY_ROW, "new", "made in this run")
    assert {key: cache.get(BY_ROW, key) for key in values} == values
    assert cache.get(BY_ROW, "new") == "made in this run"
    cache.save(prune=[BY_ROW.name])
    cache.close()
    again = Cache.open(tmp_path)
    assert again.count(BY_ROW.name) == 41


@pytest.mark.parametrize("space", [WHOLE, BY_ROW], ids=["whole", "by row"])
def test_pruning_forgets_rows_not_used_even_in_a_table_only_written(tmp_path: Path, space: Space[str]) -> None:
    # A build's report is put and never read by the builds that follow:
    # each would otherwise stay for good (megabytes each at 10,000 checks).
    _saved(tmp_path, space, {"old": "the last build's"})
    cache = Cache.open(tmp_path)
    cache.put(space, "new", "this build's")
    cache.save(prune=[space.name])
    cache.close()
    again = Cache.open(tmp_path)
    assert again.get(space, "old") is None
    assert again.get(space, "new") == "this build's"


def test_a_table_neither_read_nor_written_is_not_pruned(tmp_path: Path) -> None:
    _saved(tmp_path, BY_ROW, {"kept": "from an earlier run"})
    cache = Cache.open(tmp_path)
    cache.put(WHOLE, "other", "another table")
    cache.save(prune=[BY_ROW.name, WHOLE.name])
    cache.close()
    assert Cache.open(tmp_path).get(BY_ROW, "kept") == "from an earlier run"


@pytest.mark.parametrize("space", [WHOLE, BY_ROW], ids=["whole", "by row"])
def test_a_row_that_does_not_decode_is_a_miss_and_is_dropped(tmp_path: Path, space: Space[str]) -> None:
    _saved(tmp_path, space, {"good": "fine", "bad": "to be damaged"})
    db = sqlite3.connect(tmp_path / FOLDER / DATABASE)
    with db:
        db.execute("UPDATE entries SET value = ? WHERE key = 'bad'", (b"\xc1",))  # not msgpack
    db.close()
    cache = Cache.open(tmp_path)
    assert cache.get(space, "bad") is None
    assert cache.get(space, "good") == "fine"
    cache.save()
    cache.close()
    assert Cache.open(tmp_path).count(space.name) == 1
