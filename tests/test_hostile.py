"""A pull request from anyone: whatever it adds to the desk (links, special
files, a cache, a manifest, odd text) is read as data, never followed out
of the desk, never run, and gets a clear error, never a traceback or a hang."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.cache import FOLDER
from factcheck.site.output import MARKER
from factcheck.site.render import _SHOWN_CONTROLS, _encoded

from .conftest import REPO, Desk
from .test_incremental import _claim, cold_build, tree

SECRET = "SECRET-TOKEN-3f9a1c"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A folder outside the desk, holding files a build must never publish."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\nsecond line\n", encoding="utf-8")
    (outside / "secret.yaml").write_text(f"claim: {SECRET}\n", encoding="utf-8")
    (outside / "base.html").write_text(f"{SECRET}\n", encoding="utf-8")
    return outside


def run_cli(desk: Desk, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """In a process of its own, so that a hang is a failure, not a stuck suite."""
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args, "--config", str(desk.config)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def everything_written(desk: Desk) -> str:
    site = desk.root / "site"
    if not site.is_dir():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


# --- links and special files ----------------------------------------------------

PLACES = {
    "article": ("content/articles", "env.txt"),
    "entry": ("content/checks", "env.yaml"),
    "template": ("templates", "base.html"),
    "static file": ("templates/static", "passwd.txt"),
}


@pytest.mark.parametrize("place", list(PLACES))
def test_a_link_to_a_file_outside_the_desk_is_refused_and_named(sample_desk: Desk, secret: Path, place: str) -> None:
    folder, name = PLACES[place]
    link = sample_desk.root / folder / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    target = secret / (
        "secret.yaml" if name.endswith(".yaml") else "base.html" if place == "template" else "secret.txt"
    )
    link.symlink_to(target)
    for command in ("check", "build"):
        proc = run_cli(sample_desk, command)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert f"error[unsafe-file]: '{folder}/{name}' is not read: it is a link to {target}" in proc.stdout
        assert SECRET not in proc.stdout + proc.stderr
    assert not (sample_desk.root / "site").exists()
    assert SECRET not in everything_written(sample_desk)


@pytest.mark.parametrize("folder", ["content/articles", "content/checks", "templates", "templates/static"])
def test_a_link_to_a_folder_outside_the_desk_is_not_walked(sample_desk: Desk, secret: Path, folder: str) -> None:
    (sample_desk.root / folder).mkdir(parents=True, exist_ok=True)
    (sample_desk.root / folder / "more").symlink_to(secret, target_is_directory=True)
    (sample_desk.root / folder / "sys").symlink_to("/sys", target_is_directory=True)
    proc = run_cli(sample_desk, "check", timeout=30)  # walking /sys would take minutes
    assert proc.returncode == 1
    assert f"'{folder}/more' is not read: it is a link to {secret}, outside the desk folder" in proc.stdout
    assert f"'{folder}/sys' is not read: it is a link to /sys, outside the desk folder" in proc.stdout
    assert SECRET not in proc.stdout


def test_links_inside_the_desk_are_followed(sample_desk: Desk) -> None:
    shared = sample_desk.root / "shared-corpus"
    shared.mkdir()
    shutil.move(sample_desk.articles / "cnn-2016-12-05.txt", shared / "cnn-2016-12-05.txt")
    (sample_desk.articles / "cnn-2016-12-05.txt").symlink_to(shared / "cnn-2016-12-05.txt")
    result = sample_desk.run("build")
    assert result.code == 0, result.out
    assert (sample_desk.root / "site" / "articles" / "cnn-2016-12-05" / "index.html").is_file()


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("kind", ["named pipe", "socket", "link to /dev/zero"])
def test_special_files_are_refused_without_hanging(sample_desk: Desk, place: str, kind: str) -> None:
    folder, name = PLACES[place]
    path = sample_desk.root / folder / ("special-" + name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "named pipe":
        os.mkfifo(path)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    else:
        path.symlink_to("/dev/zero")
    proc = run_cli(sample_desk, "check", timeout=30)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    shown = f"'{folder}/special-{name}' is not read: "
    if kind == "link to /dev/zero":
        assert shown + "it is a link to /dev/zero, outside the desk folder" in proc.stdout
    else:
        assert shown + f"it is a {kind}, not a regular file" in proc.stdout


def test_a_config_file_linked_from_outside_is_not_read(sample_desk: Desk, secret: Path) -> None:
    sample_desk.config.unlink()
    sample_desk.config.symlink_to(secret / "secret.txt")
    proc = run_cli(sample_desk, "check")
    assert proc.returncode == 2
    assert "is not read: it leads through a link to" in proc.stdout
    assert SECRET not in proc.stdout + proc.stderr


def test_hidden_files_and_folders_of_static_are_not_published(sample_desk: Desk) -> None:
    static = sample_desk.root / "templates" / "static"
    (static / ".git").mkdir(parents=True)
    (static / ".git" / "config").write_text("[remote]\n", encoding="utf-8")
    (static / "fonts" / ".cache").mkdir(parents=True)
    (static / "fonts" / ".cache" / "x.txt").write_text("x", encoding="utf-8")
    (static / "fonts" / "a.woff2").write_bytes(b"font")
    assert sample_desk.run("build").code == 0
    published = {p.relative_to(sample_desk.root / "site").as_posix() for p in (sample_desk.root / "site").rglob("*")}
    assert "static/fonts/a.woff2" in published
    assert not [p for p in published if "/." in "/" + p and not p.startswith(".factcheck")]


# --- the cache runs nothing --------------------------------------------------------


def test_a_planted_pickle_is_never_loaded(sample_desk: Desk, tmp_path: Path) -> None:
    import pickle

    ran = tmp_path / "pickle-ran"

    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (Path.write_text, (ran, "ran"))

    cache = sample_desk.root / FOLDER
    cache.mkdir()
    for space in ("entry", "article", "found", "stat", "report", "markdown", "fragment", "run"):
        for shard in range(8):
            (cache / f"{space}.{shard}.pickle").write_bytes(pickle.dumps(Payload()))
    for command in ("check", "build"):
        assert sample_desk.run(command).code == 0
    assert not ran.exists()


def test_a_planted_compiled_template_is_never_run(sample_desk: Desk, tmp_path: Path) -> None:
    import hashlib

    import jinja2
    from jinja2.bccache import Bucket

    ran = tmp_path / "template-ran"
    code = compile(f"import pathlib\npathlib.Path({str(ran)!r}).write_text('ran')\n", "<planted>", "exec")
    env = jinja2.Environment()
    folder = sample_desk.root / FOLDER / "templates"
    folder.mkdir(parents=True)
    for template in (sample_desk.root / "templates").glob("*.html"):
        source = template.read_text(encoding="utf-8")
        for filename in (str(template), str(template.resolve())):
            key = hashlib.sha1(f"{template.name}|{filename}".encode()).hexdigest()
            bucket = Bucket(env, key, hashlib.sha1(source.encode()).hexdigest())
            bucket.code = code
            payload = bucket.bytecode_to_string()
            (folder / f"__jinja2_{key}.cache").write_bytes(payload)  # Jinja2's own file cache
            (folder / f"{key}.signed").write_bytes(b"\0" * 32 + payload)  # ours, badly signed
    codes = [sample_desk.run(command).code for command in ("check", "build")]
    assert not ran.exists()  # the planted code never ran
    assert codes == [0, 0]


def test_a_planted_database_with_a_schema_of_its_own_is_set_aside(sample_desk: Desk, tmp_path: Path) -> None:
    cache = sample_desk.root / FOLDER
    cache.mkdir()
    db = sqlite3.connect(cache / "cache.sqlite")
    db.executescript(
        """
        CREATE TABLE entries (space TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
            PRIMARY KEY (space, key));
        CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE log (x);
        CREATE TRIGGER spy AFTER INSERT ON entries BEGIN INSERT INTO log VALUES (new.value); END;
        CREATE VIEW v AS SELECT load_extension('/tmp/nothing');
        """
    )
    db.commit()
    db.close()
    assert sample_desk.run("build").code == 0
    db = sqlite3.connect(cache / "cache.sqlite")
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert names == {"entries", "meta", "sqlite_autoindex_entries_1"}


@pytest.mark.parametrize("garbage", [b"", b"not a database", b"SQLite format 3\0" + b"\xff" * 4000])
def test_a_damaged_database_costs_time_not_correctness(sample_desk: Desk, garbage: bytes) -> None:
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    expected = tree(site)
    for part in (sample_desk.root / FOLDER).glob("cache.sqlite*"):
        part.write_bytes(garbage)
    shutil.rmtree(site)
    assert sample_desk.run("build").code == 0
    assert tree(site) == expected


def test_a_cache_folder_that_is_a_link_is_neither_read_nor_written(sample_desk: Desk, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (sample_desk.root / FOLDER).symlink_to(elsewhere, target_is_directory=True)
    assert sample_desk.run("build").code == 0
    assert list(elsewhere.iterdir()) == []


def test_links_planted_beside_the_database_are_not_written_through(sample_desk: Desk, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    cache = sample_desk.root / FOLDER
    cache.mkdir()
    for suffix in ("", "-wal", "-shm", "-journal"):
        (cache / f"cache.sqlite{suffix}").symlink_to(victim)
    assert sample_desk.run("build").code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"


def test_search_documents_an_earlier_version_kept_in_the_cache_are_removed_never_followed(
    sample_desk: Desk, tmp_path: Path
) -> None:
    """Earlier versions kept each part's search documents in the cache; a
    pull request could plant links and pages of its own among them. Now
    Pagefind is handed its documents and nothing there is read: the folder
    is removed, and what a link in it leads to is left alone."""
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    expected = tree(site)
    kept = sample_desk.root / FOLDER / "search"
    assert not kept.exists()
    victim = tmp_path / "victim.html"
    victim.write_text("keep me\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.html").write_text("mine\n", encoding="utf-8")
    part = kept / "0123456789abcdef" / "2016-1"
    part.mkdir(parents=True)
    (part / "russia-china-veto.html").symlink_to(victim)
    (part / f"{SECRET}.html").write_text(f"<html><body><main data-pagefind-body>{SECRET}</main></body></html>")
    (kept / "0123456789abcdef" / "list-1").symlink_to(elsewhere, target_is_directory=True)
    shutil.rmtree(site)
    assert sample_desk.run("build").code == 0
    assert tree(site) == expected
    assert not os.path.lexists(kept)
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert [p.name for p in elsewhere.iterdir()] == ["mine.html"]
    # A link in its place is removed, not followed (by a build that renders).
    kept.symlink_to(elsewhere, target_is_directory=True)
    shutil.rmtree(site)
    assert sample_desk.run("build").code == 0
    assert not os.path.lexists(kept) and [p.name for p in elsewhere.iterdir()] == ["mine.html"]


def test_a_file_changed_while_it_is_read_is_stored_as_read(sample_desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash and parse one and the same read: an edit that lands between the
    two must not store version B's parse under version A's hash."""
    import hashlib

    entry = sample_desk.checks / "russia-china-veto.yaml"
    good = entry.read_bytes()
    broken = good.replace(b'quote: "Russia and China on Monday', b'quote: "Russia and Chile on Monday', 1)
    assert broken != good
    entry.write_bytes(broken)
    real_sha256 = hashlib.sha256

    def sha256(data: bytes = b"", *args, **kwargs):  # type: ignore[no-untyped-def]
        if data == broken:  # the editor saves the fix right after the file was read
            entry.write_bytes(good)
        return real_sha256(data, *args, **kwargs)

    monkeypatch.setattr(hashlib, "sha256", sha256)
    sample_desk.run("check")
    monkeypatch.setattr(hashlib, "sha256", real_sha256)
    entry.write_bytes(broken)  # the broken version again: its parse must be its own
    result = sample_desk.run("check")
    assert result.code == 1 and "quote-not-found" in result.out


def test_a_file_is_read_whole_in_one_read_or_in_many_short_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A local file comes in one read, its end told by its size; a network
    # file system may give less than asked before the end, and is read on.
    from factcheck import safefs

    file = tmp_path / "article.txt"
    data = bytes(range(256)) * 1000
    file.write_bytes(data)
    asked: list[int] = []
    read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: asked.append(n) or read(fd, n))
    got = safefs.read_regular(file)
    assert (got.data, got.stable, len(asked)) == (data, True, 1)
    monkeypatch.setattr(os, "read", lambda fd, n: read(fd, min(n, 1000)))
    got = safefs.read_regular(file)
    assert (got.data, got.stable) == (data, True)


# --- the manifest is data ------------------------------------------------------------


def test_a_planted_manifest_deletes_nothing_outside_the_site(sample_desk: Desk, tmp_path: Path) -> None:
    site = sample_desk.root / "site"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    assert sample_desk.run("build").code == 0
    manifest = json.loads((site / MARKER).read_text(encoding="utf-8"))
    manifest["files"]["../config.yaml"] = "0" * 64
    manifest["files"][str(victim)] = "0" * 64
    manifest["files"]["checks/../../config.yaml"] = "0" * 64
    (site / MARKER).write_text(json.dumps(manifest), encoding="utf-8")
    _claim(sample_desk)
    result = sample_desk.run("build")
    assert result.code == 0, result.out
    assert sample_desk.config.is_file() and victim.is_file()
    assert tree(site) == cold_build(sample_desk, tmp_path / "cold")


@pytest.mark.parametrize(
    "manifest",
    [
        b"",
        b"[]",
        b'{"format": 4, "files": [], "keys": {}}',
        b'{"format": 4, "files": {"index.html": 1}, "keys": {}}',
        b'{"format": 4, "files": {}, "keys": []}',
        b'{"format": 4, "files": {"": ""}, "keys": {}}',
        b'{"format": 3, "files": {}, "keys": {}}',
        b"[" * 100000,
    ],
)
def test_a_manifest_that_does_not_validate_is_treated_as_absent(
    sample_desk: Desk, tmp_path: Path, manifest: bytes
) -> None:
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    (site / "CNAME").write_text("checks.example.org\n", encoding="utf-8")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    stale = site / "checks" / "gone-long-ago" / "index.html"
    stale.parent.mkdir()
    stale.write_text("stale", encoding="utf-8")
    (site / MARKER).write_bytes(manifest)
    result = sample_desk.run("build")
    assert result.code == 0, result.out + result.err
    assert (site / "CNAME").is_file() and (site / ".git" / "HEAD").is_file()  # what is not ours stays
    assert not stale.exists()  # what an earlier build left in our folders goes
    expected = cold_build(sample_desk, tmp_path / "cold")
    assert {p: b for p, b in tree(site).items() if p != "CNAME" and not p.startswith(".git/")} == expected


_PARTS = st.sampled_from(["a", "b.html", ".", "..", "", ".factcheck-site", ".factcheck-lock", "x\x00", "...", ".a"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(_PARTS, max_size=4).map("/".join) | st.text(max_size=8), max_size=6))
def test_a_manifests_paths_are_checked_at_once_as_one_by_one(paths: list[str]) -> None:
    """The manifest's paths are checked by one search over them all
    (`valid_paths`), held here to the plain check of each (`valid_path`)."""
    from factcheck.site.output import valid_path, valid_paths

    assert valid_paths(paths) == all(valid_path(p) for p in paths)


def test_a_link_inside_the_site_is_not_written_through(sample_desk: Desk, tmp_path: Path) -> None:
    site = sample_desk.root / "site"
    assert sample_desk.run("build").code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(site / "checks")
    (site / "checks").symlink_to(elsewhere, target_is_directory=True)
    _claim(sample_desk)
    result = sample_desk.run("build")
    assert result.code == 2
    assert "error[output]" in result.out and "a link that leads out of it" in result.out
    assert list(elsewhere.iterdir()) == []


def test_a_first_build_makes_its_folders_only_where_they_stay_inside_the_site(tmp_path: Path) -> None:
    # A first build makes each page's folder at once where its parent is one
    # it made or checked (output.SiteWriter._mkdirs); a link in the way is
    # still looked at, wherever it is.
    from factcheck.site.output import OutputError, SiteWriter

    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    writer = SiteWriter(out)
    assert writer.fresh
    # Planted while it writes (a first build takes only an empty folder).
    (out / "tags").mkdir()
    elsewhere.mkdir()
    (out / "tags" / "planted").symlink_to(elsewhere, target_is_directory=True)
    (out / "tags" / "a-file").write_text("in the way\n", encoding="utf-8")
    writer.put("tags/made/index.html", b"page")  # tags/ checked, tags/made/ made
    writer.put("tags/a-file/index.html", b"page")  # a file where a folder goes: replaced
    assert (out / "tags" / "a-file" / "index.html").read_bytes() == b"page"
    with pytest.raises(OutputError, match="a link that leads out of it"):
        writer.put("tags/planted/index.html", b"page")
    writer.abort()
    assert list(elsewhere.iterdir()) == []


# --- where the site may go --------------------------------------------------------


@pytest.mark.parametrize("inside", ["content/articles", "content/checks", "templates", "templates/static", FOLDER])
def test_the_site_cannot_go_inside_the_desks_folders(sample_desk: Desk, inside: str) -> None:
    (sample_desk.root / inside).mkdir(parents=True, exist_ok=True)
    out = sample_desk.root / inside / "site"
    result = sample_desk.run("build", "--out", str(out))
    assert result.code == 2
    assert "error[output]: refusing to write the site to" in result.out and "overlaps" in result.out
    assert not out.exists()


def test_an_empty_folder_is_used_as_it_is(sample_desk: Desk, tmp_path: Path) -> None:
    """A mount point cannot be renamed: the site is written into the folder."""
    out = tmp_path / "mounted"
    out.mkdir()
    inode = out.stat().st_ino
    assert sample_desk.run("build", "--out", str(out)).code == 0
    assert out.stat().st_ino == inode and (out / "index.html").is_file()


def test_a_folder_with_only_host_files_is_taken(sample_desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "CNAME").write_text("checks.example.org\n", encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")
    assert sample_desk.run("build", "--out", str(out)).code == 0
    assert (out / "CNAME").is_file() and (out / ".nojekyll").is_file()


def test_search_scratch_space_is_the_sites_own(sample_desk: Desk, tmp_path: Path) -> None:
    import tempfile

    site = sample_desk.root / "site"
    before = set(Path(tempfile.gettempdir()).glob("factcheck-search-*"))
    assert sample_desk.run("build").code == 0
    (site / ".factcheck-work" / "search-0").mkdir(parents=True)  # as a killed build leaves it
    _claim(sample_desk)
    assert sample_desk.run("build").code == 0
    assert not (site / ".factcheck-work").exists()
    assert set(Path(tempfile.gettempdir()).glob("factcheck-search-*")) == before


def test_a_killed_previews_folder_is_removed_by_the_next_preview() -> None:
    import tempfile

    from factcheck.editor.serve import _clear_dead_previews

    top = Path(tempfile.gettempdir())
    dead = top / "factcheck-preview-999999999-x"
    alive = top / f"factcheck-preview-{os.getpid()}-x"
    for folder in (dead, alive):
        (folder / "site").mkdir(parents=True, exist_ok=True)
    try:
        _clear_dead_previews()
        assert not dead.exists() and alive.exists()
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        shutil.rmtree(dead, ignore_errors=True)


# --- odd text ---------------------------------------------------------------------------


ENTRY = """claim: "{claim}"
claimant: "{claimant}"
verdict: accurate
summary: Text.
published: 2026-11-05
tags: [{tags}]
citations:
  - article: cnn-2016-12-05
    quote: "{quote}"
"""


def entry(
    claim: str = "A claim", claimant: str = "CNN", tags: str = "a", quote: str = "Venezuela also rejected"
) -> str:
    return ENTRY.format(claim=claim, claimant=claimant, tags=tags, quote=quote)


def test_pages_of_non_latin_tags_and_claimants_are_where_their_links_lead(desk: Desk) -> None:
    from .test_faults import links_to_missing_pages

    long_name = "Министерство иностранных дел Российской Федерации и другие"  # 48+ Cyrillic letters
    desk.write_check("ru.yaml", entry(claimant=long_name, tags="Россия, 中国"))
    twin_a = "A" * 80 + " first"
    twin_b = "A" * 80 + " second"
    desk.write_check("twin-a.yaml", entry(claimant=twin_a))
    desk.write_check("twin-b.yaml", entry(claimant=twin_b))
    assert desk.run("check").code == 0
    result = desk.run("build")
    assert result.code == 0, result.out
    site = desk.root / "site"
    assert (site / "tags" / "россия" / "index.html").is_file()
    assert (site / "tags" / "中国" / "index.html").is_file()
    assert links_to_missing_pages(site) == []
    claimant_pages = [p for p in (site / "claimants").iterdir() if p.is_dir()]
    assert all(len(p.name.encode("utf-8")) <= 120 for p in claimant_pages)
    headings = {
        (p / "index.html").read_text(encoding="utf-8").split("<h1>")[1].split("</h1>")[0] for p in claimant_pages
    }
    assert {f"Claims by {twin_a}", f"Claims by {twin_b}", f"Claims by {long_name}"} <= headings


@pytest.mark.parametrize("where", ["summary", "quote", "key"])
@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_lone_surrogate_is_an_error_in_every_format(desk: Desk, where: str, fmt: str) -> None:
    text = entry()
    if where == "summary":
        text = text.replace("summary: Text.", 'summary: "Text \\ud800."')
    elif where == "quote":
        text = text.replace('quote: "Venezuela also rejected"', 'quote: "Venezuela \\ud800 rejected"')
    else:
        text += '"\\ud800": x\n'
    desk.write_check("odd.yaml", text)
    proc = run_cli(desk, "check", "--format", fmt)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "half of a surrogate pair" in proc.stdout
    if fmt in ("json", "sarif"):
        json.loads(proc.stdout)
    if where != "key":
        assert run_cli(desk, "build").returncode == 1


def test_control_characters_from_escapes_are_errors(desk: Desk) -> None:
    desk.write_check("odd.yaml", entry(claim="A \\x07 bell and an \\x1b[31m escape"))
    result = desk.run("check")
    assert result.code == 1
    assert "the control character U+0007" in result.out
    assert "\x1b" not in result.out and "\x07" not in result.out


@pytest.mark.parametrize("depth", [70, 500, 200_000])
def test_deep_nesting_is_a_syntax_error(desk: Desk, depth: int) -> None:
    desk.write_check("deep.yaml", entry() + "extra: " + "[" * depth + "]" * depth + "\n")
    proc = run_cli(desk, "check")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "error[yaml-syntax]: invalid YAML: nested more than 64 levels deep" in proc.stdout


def test_the_feed_is_well_formed_whatever_the_text(desk: Desk) -> None:
    desk.write_check("odd.yaml", entry(claim='Tom & \\"Jerry\\" <script>alert(1)</script> ]]>', claimant="A & B <c>"))
    assert desk.run("build").code == 0
    ET.parse(desk.root / "site" / "feed.xml")
    ET.parse(desk.root / "site" / "sitemap.xml")


@pytest.mark.parametrize("base_url", ['https://example.org/a"b/', "https://example.org/a b/", "https://ex.org/<x>/"])
def test_a_base_url_that_is_not_a_url_is_a_config_error(desk: Desk, base_url: str) -> None:
    text = desk.config.read_text(encoding="utf-8")
    desk.config.write_text(text.replace("base_url: https://example.org/factchecks/", f"base_url: '{base_url}'"))
    result = desk.run("check")
    assert result.code == 2 and "error[config]" in result.out
    assert "which a URL cannot hold" in result.out or "not an absolute http(s) URL" in result.out


@pytest.mark.parametrize("language", ['en" onload="x', "../../etc", "en_US", "e"])
def test_languages_must_be_bcp47_tags(desk: Desk, language: str) -> None:
    text = desk.config.read_text(encoding="utf-8")
    desk.config.write_text(re.sub(r"^language: .*$", f"language: '{language}'", text, flags=re.M), encoding="utf-8")
    result = desk.run("check")
    assert result.code == 2 and "is not a language tag" in result.out
    desk.config.write_text(text, encoding="utf-8")
    article = desk.articles / "cnn-2016-12-05.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("language: en", f"language: '{language}'"))
    result = desk.run("check")
    assert result.code == 1 and "error[schema]" in result.out and "is not a language tag" in result.out


def test_reports_show_a_window_of_a_very_long_line_and_no_escape_sequences(desk: Desk) -> None:
    filler = "x" * 5_000_000
    name = "evil\x1b[2J.yaml"
    desk.write_check(name, f"claim: {filler}\nbogus: 1\n")
    result = desk.run("check")
    assert result.code == 1
    assert len(result.out) < 20_000
    assert "\x1b" not in result.out and "evil␛[2J.yaml" in result.out


def pagefind_filters(site: Path) -> dict[str, set[str]]:
    """Filter -> its values, over every search bundle of a built site."""
    from factcheck.site.search import _unpack

    found: dict[str, set[str]] = {}
    for entry_file in (site / "pagefind").glob("*/pagefind-entry.json"):
        bundle = entry_file.parent
        for info in json.loads(entry_file.read_text(encoding="utf-8"))["languages"].values():
            meta = _unpack((bundle / f"pagefind.{info['hash']}.pf_meta").read_bytes())
            for name, file in meta[3]:
                index = _unpack((bundle / "filter" / f"{file}.pf_filter").read_bytes())
                found.setdefault(name, set()).update(value for value, _ in index[1])
    return found


def test_a_topic_with_a_bar_or_a_comma_is_one_filter_value(desk: Desk) -> None:
    desk.write_check("bar.yaml", entry(tags='"a|b", "x, y", c'))
    assert desk.run("build").code == 0
    filters = pagefind_filters(desk.root / "site")
    assert {"a|b", "x, y", "c"} <= filters["tag"]
    assert not {"a", "b", "x", "y"} & filters["tag"]


def test_a_long_near_miss_says_where_it_parts(desk: Desk) -> None:
    import random

    random.seed(7)
    words = "the regime council vote russia china veto ceasefire rebels eastern aleppo".split()
    body = " ".join(f"{random.choice(words)}{random.randrange(1000)}" for _ in range(14_000)) + "\n"
    (desk.articles / "long.txt").write_text(body, encoding="utf-8")
    quote = body[500:50_500]
    quote = quote[:25_000] + "#" + quote[25_001:]
    desk.write_check("long.yaml", entry(quote=quote).replace("cnn-2016-12-05", "long"))
    result = desk.run("check")
    assert result.code == 1 and "quote-not-found" in result.out
    assert "(99% alike)" in result.out and "100% alike" not in result.out
    assert "the article has the first 25000 characters of the quote" in result.out


def test_text_fragments_index_each_article_once(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    import factcheck.site.fragments as fragments

    article = desk.articles / "cnn-2016-12-05.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("---\n", "---\nurl: https://cnn.example/x\n", 1))
    sentences = [s for s in article.read_text(encoding="utf-8").split("\n") if len(s) > 60][5:25]
    for n, sentence in enumerate(sentences):
        desk.write_check(f"c{n}.yaml", entry(quote=sentence[:50].replace('"', '\\"')))
    made = []
    real = fragments.Words

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, body: str):
            made.append(len(body))
            super().__init__(body)

    monkeypatch.setattr(fragments, "Words", Counting)
    import factcheck.site.render

    monkeypatch.setattr(factcheck.site.render, "Words", Counting)
    result = desk.run("build")
    assert result.code == 0, result.out
    assert len(made) == 1


def test_a_planted_find_index_is_set_aside(sample_desk: Desk) -> None:
    from factcheck.editor.findindex import _TABLES, FILE, fts5_trigram_available
    from factcheck.sqlitefile import expected_schema

    if not fts5_trigram_available():
        pytest.skip("this Python's SQLite has no FTS5 trigram tokenizer")
    path = sample_desk.root / FOLDER / FILE
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.executescript(
        _TABLES + "CREATE TABLE log (x); CREATE TRIGGER spy AFTER INSERT ON docs BEGIN "
        "INSERT INTO log VALUES (new.text); END;"
    )
    db.close()
    result = sample_desk.run("find", "60% of eastern Aleppo")
    assert result.code == 0
    db = sqlite3.connect(path)
    assert set(db.execute("SELECT type, name, sql FROM sqlite_master")) == expected_schema(_TABLES)
    db.close()


# Controls, the characters whose UTF-8 begins as a C1 control's does (0xC2),
# and any other character.
_NEAR_CONTROLS = st.one_of(
    st.characters(max_codepoint=0xBF),
    st.sampled_from("\x00\t\n\x0b\x0c\r\x1b\x7f\x80\x85\x9f\xa0\xb7·é–"),
    st.characters(codec="utf-8"),
)


@given(st.text(_NEAR_CONTROLS))
def test_a_page_in_utf8_shows_every_control_and_only_those(text: str) -> None:
    # Pages are looked at for controls in their bytes (render._encoded): the
    # same bytes as translating the text first.
    assert _encoded(text) == text.translate(_SHOWN_CONTROLS).encode("utf-8")


def test_control_characters_in_an_archived_text_are_shown_in_the_exports(desk: Desk) -> None:
    # The exports are joined from cached runs of parts; each run is made fit
    # for the page as it is made, never the whole file at once.
    (desk.articles / "odd.txt").write_text(
        "---\ntitle: Odd\n---\nBefore a \x7f rub-out and a \x85 next-line, the quoted words stand here.\n",
        encoding="utf-8",
    )
    desk.write_check(
        "odd.yaml", entry().replace("cnn-2016-12-05", "odd").replace("Venezuela also rejected", "the quoted words")
    )
    result = desk.run("build")
    assert result.code == 0, result.out
    for name in ("annotations.jsonld", "claims.json"):
        text = (desk.root / "site" / name).read_text(encoding="utf-8")
        assert "\x7f" not in text and "\x85" not in text
        json.loads(text)
    annotations = (desk.root / "site" / "annotations.jsonld").read_text(encoding="utf-8")
    assert "a \u2421 rub-out and a \ufffd next-line, " in annotations
