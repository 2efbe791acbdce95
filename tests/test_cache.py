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


def test_a_first_save_puts_a_whole_database_in_place_and_nothing_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def through_the_journal(self: Cache, create: bool) -> None:
        raise AssertionError("a first save wrote through the journal")

    monkeypatch.setattr(Cache, "_connect", through_the_journal)
    _saved(tmp_path, WHOLE, {f"k{i}": f"value {i}" for i in range(20)})
    monkeypatch.undo()
    folder = tmp_path / FOLDER
    assert sorted(p.name for p in folder.iterdir()) == [DATABASE]  # no copy being made, no journal
    assert (folder / DATABASE).stat().st_mode & 0o777 == 0o644
    db = sqlite3.connect(folder / DATABASE)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # as the usual save writes it
    assert db.execute("PRAGMA page_size").fetchone() == (16384,)  # rows of entries are 2.5 KB
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()
    _saved(tmp_path, WHOLE, {"more": "a second save, through the journal"})
    again = Cache.open(tmp_path)
    assert again.get(WHOLE, "k3") == "value 3"
    assert again.get(WHOLE, "more") == "a second save, through the journal"


def test_a_journal_left_by_a_database_that_is_gone_is_not_taken_for_the_new_ones(tmp_path: Path) -> None:
    # A database deleted by hand while its write-ahead log stayed: SQLite
    # would replay that log into a new database of the same name.
    other = tmp_path / "other"
    other.mkdir()
    db = sqlite3.connect(other / DATABASE, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("CREATE TABLE entries (space TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL)")
    db.execute("INSERT INTO entries VALUES ('whole', 'k', x'a3626164')")
    folder = tmp_path / FOLDER
    folder.mkdir()
    (folder / (DATABASE + "-wal")).write_bytes((other / (DATABASE + "-wal")).read_bytes())
    db.close()
    _saved(tmp_path, WHOLE, {"k": "this run's"})
    assert Cache.open(tmp_path).get(WHOLE, "k") == "this run's"
    check = sqlite3.connect(folder / DATABASE)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


def test_a_database_another_run_put_in_place_meanwhile_is_written_to_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    _saved(tmp_path / "elsewhere", WHOLE, {"theirs": "another run's"})
    made = tmp_path / "elsewhere" / FOLDER / DATABASE
    real_discard = cache_module.discard_journals

    def another_run_saves_meanwhile(path: Path) -> None:  # the last step before the database is put in place
        real_discard(path)
        path.write_bytes(made.read_bytes())

    monkeypatch.setattr(cache_module, "discard_journals", another_run_saves_meanwhile)
    _saved(tmp_path, WHOLE, {"mine": "this run's"})
    monkeypatch.undo()
    again = Cache.open(tmp_path)
    assert again.get(WHOLE, "theirs") == "another run's"
    assert again.get(WHOLE, "mine") == "this run's"
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir() if p.name.endswith(".new")) == []


def _written_here(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The rows this process encodes for SQLite from now on (not those a
    forked process writes: its list is its own copy)."""
    written: list[tuple[str, str]] = []
    encode = cache_module._encode_rows

    def recorded(rows, unwritable=None):  # type: ignore[no-untyped-def]
        for row in encode(rows, unwritable):
            written.append(row[:2])
            yield row

    monkeypatch.setattr(cache_module, "_encode_rows", recorded)
    return written


def test_changes_taken_in_parts_are_each_taken_once_and_merge_into_the_whole(tmp_path: Path) -> None:
    # A cold check's forked reader sends what it makes as it goes.
    (tmp_path / "child").mkdir()
    (tmp_path / "parent").mkdir()
    child = Cache.open(tmp_path / "child")
    parent = Cache.open(tmp_path / "parent")
    child.put(WHOLE, "a", "first")
    child.put(BY_ROW, "b", "second")
    parts = [child.take_changes(["whole", "byrow"])]
    child.put(WHOLE, "c", "third")
    parts += [child.take_changes(["whole", "byrow"]), child.take_changes(["whole", "byrow"])]
    assert [[key for _, key, _ in part] for part in parts] == [["a", "b"], ["c"], []]
    for part in parts:
        parent.merge(part, {})
    parent.merge((), child.used_keys(["whole", "byrow"]))
    assert [parent.get(WHOLE, "a"), parent.get(BY_ROW, "b"), parent.get(WHOLE, "c")] == ["first", "second", "third"]
    parent.save()
    assert Cache.open(tmp_path / "parent").get(WHOLE, "c") == "third"


def test_rows_written_ahead_are_saved_once_and_what_changed_meanwhile_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold `check` starts writing its new cache in a forked process while
    # it checks the citations; a row made or deleted meanwhile must still be
    # saved, and no row it wrote written again.
    cache = Cache.open(tmp_path)
    for i in range(30):
        cache.put(WHOLE, f"k{i}", f"value {i}")
        cache.put(BY_ROW, f"r{i}", f"row {i}")
    written_here = _written_here(monkeypatch)
    cache.write_ahead()
    cache.put(WHOLE, "later", "made while the other process wrote")
    cache.delete(BY_ROW, "r3")
    cache.put(WHOLE, "k5", "value 5")  # made again, the same (keys are made from inputs)
    cache.save()
    cache.close()
    assert written_here == [("whole", "later")]
    again = Cache.open(tmp_path)
    assert again.count(WHOLE.name) == 31 and again.count(BY_ROW.name) == 29
    assert again.get(WHOLE, "later") == "made while the other process wrote"
    assert again.get(WHOLE, "k29") == "value 29" and again.get(BY_ROW, "r29") == "row 29"
    assert again.get(BY_ROW, "r3") is None
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir() if p.name.endswith(".new")) == []


@pytest.mark.parametrize("how", ["fails", "dies"])
def test_a_writer_that_does_not_write_leaves_every_row_to_the_usual_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    import os
    import signal

    def does_not_write(*args: object) -> bool:
        if how == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        return False

    monkeypatch.setattr(cache_module, "_write_new", does_not_write)  # in the forked process
    cache = Cache.open(tmp_path)
    for i in range(10):
        cache.put(WHOLE, f"k{i}", f"value {i}")
    cache.write_ahead()
    monkeypatch.undo()
    cache.save()
    cache.close()
    assert Cache.open(tmp_path).count(WHOLE.name) == 10


@pytest.mark.parametrize("how", ["the writer dies", "Ctrl-C while it writes"])
def test_a_writer_stopped_half_way_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # Ctrl-C reaches the forked writer too, which dies where it stands
    # (fork.py); the file it was writing is this process's to remove.
    import os
    import signal
    import time

    from factcheck import fork

    def stopped(rows: object, *args: object) -> object:
        if how == "the writer dies":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(60)  # killed by the parent long before
        return iter(())

    monkeypatch.setattr(cache_module, "_encode_rows", stopped)  # in the forked process
    cache = Cache.open(tmp_path)
    for i in range(10):
        cache.put(WHOLE, f"k{i}", f"value {i}")
    cache.write_ahead()
    assert [p.name for p in (tmp_path / FOLDER).iterdir() if p.name.endswith(".new")] != []
    monkeypatch.undo()
    if how == "Ctrl-C while it writes":

        def interrupted(*args: object, **kwargs: object) -> object:
            raise KeyboardInterrupt

        assert cache._ahead is not None
        writer = cache._ahead[0].pid
        monkeypatch.setattr(fork.Worker, "drain", interrupted)
        with pytest.raises(KeyboardInterrupt):
            cache.close()
        monkeypatch.undo()
        with pytest.raises(ChildProcessError):
            os.waitpid(writer, os.WNOHANG)  # stopped (and reaped) before its file was removed
    else:
        cache.save()
        cache.close()
        assert Cache.open(tmp_path).count(WHOLE.name) == 10  # saved as usual instead
    assert [p.name for p in (tmp_path / FOLDER).iterdir() if p.name.endswith(".new")] == []


def test_nothing_is_written_ahead_where_a_database_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from factcheck import fork

    _saved(tmp_path, WHOLE, {"old": "an earlier run's"})
    cache = Cache.open(tmp_path)
    cache.put(WHOLE, "new", "this run's")
    monkeypatch.setattr(fork.Worker, "start", lambda *a: pytest.fail("forked to write a cache that is there"))
    cache.write_ahead()
    cache.save()
    cache.close()
    assert Cache.open(tmp_path).get(WHOLE, "new") == "this run's"
