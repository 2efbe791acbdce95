"""A rebuild from what the last build kept (factcheck/rebuild.py, state.py):
after any edit to entries it makes the site a build from nothing makes, byte
for byte, the build's own records included; and it is that rebuild, not the
full build it falls back to, that makes it where it can."""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import factcheck.pipeline

from .conftest import REPO, Desk
from .test_incremental import _age, cold_build, tree

ARTICLE = re.compile(r"Report \d+ paragraph \d+ says the count was \d+\.")


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """300 checks over ten years by 4 claimants (bench/generate.py): lists
    of several archive pages a year."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(300, tmp_path / "desk", claimants=4)
    _age(tmp_path / "desk")  # old enough that the state vouches for every file's signature
    return Desk(tmp_path / "desk")


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each build was a rebuild from the state (True) or a full build."""
    taken: list[bool] = []
    rebuilt = factcheck.pipeline._rebuilt

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = rebuilt(*args, **kwargs)
        taken.append(done is not None)
        return done

    monkeypatch.setattr(factcheck.pipeline, "_rebuilt", spy)
    return taken


def _entry(desk: Desk, rng: random.Random) -> Path:
    return rng.choice(sorted(desk.checks.glob("*.yaml")))


def _edit(desk: Desk, rng: random.Random, pattern: str, new: str, entry: Path | None = None) -> None:
    """Replace the first match in an entry (a random one, until one changes)."""
    for _ in range(50):
        path = entry or _entry(desk, rng)
        text = path.read_text(encoding="utf-8")
        changed = re.sub(pattern, new, text, count=1, flags=re.M)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
            return
    raise AssertionError(f"no entry changed by {pattern!r}")


def claim(desk: Desk, rng: random.Random) -> None:
    _edit(desk, rng, r'^claim: "', f'claim: "Edited {rng.randrange(1000)}: ')


def summary(desk: Desk, rng: random.Random) -> None:
    # A link to another check's page, which the rebuild must find there.
    other = _entry(desk, rng).stem
    _edit(desk, rng, r"^summary: \|\n", f"summary: |\n  See [another](../{other}/), *now*.\n\n")


def verdict(desk: Desk, rng: random.Random) -> None:
    new = rng.choice(["accurate", "mostly-accurate", "unproven", "misleading", "inaccurate"])
    _edit(desk, rng, r"^verdict: (?!" + new + "$).*$", f"verdict: {new}")


def tags(desk: Desk, rng: random.Random) -> None:
    _edit(desk, rng, r"^tags: \[", f"tags: [brand new {rng.randrange(3)}, ")


def claimant(desk: Desk, rng: random.Random) -> None:
    name = rng.choice(["Zoë Newcomer", "Amal Abbott", "Сергей Новый"])
    _edit(desk, rng, r'^claimant: (?!"' + name + '"$).*$', f'claimant: "{name}"')


def published(desk: Desk, rng: random.Random) -> None:
    day = f"20{rng.randrange(17, 26)}-0{rng.randrange(1, 10)}-1{rng.randrange(10)}"
    _edit(desk, rng, r"^published: .*$", f"published: {day}")


def correction(desk: Desk, rng: random.Random) -> None:
    entry = _entry(desk, rng)
    published = re.search(r"^published: (\d{4})-", entry.read_text(encoding="utf-8"), re.M)
    assert published
    note = f"corrections:\n  - date: {int(published[1]) + 1}-02-03\n    note: A figure *was* wrong.\ncitations:\n"
    _edit(desk, rng, r"^citations:\n", note, entry)


def quote(desk: Desk, rng: random.Random) -> None:
    # Another sentence of another article: the pages of both articles change.
    article = rng.choice(sorted(desk.articles.glob("*.txt")))
    sentence = rng.choice(ARTICLE.findall(article.read_text(encoding="utf-8")))
    _edit(desk, rng, r'^  - article: .*\n    quote: ".*"$', f'  - article: {article.stem}\n    quote: "{sentence}"')


def stance(desk: Desk, rng: random.Random) -> None:
    _edit(desk, rng, r"^    stance: contradicts$", "    stance: context")


def new_entry(desk: Desk, rng: random.Random) -> None:
    source = _entry(desk, rng)
    shutil.copy(source, desk.checks / f"n{rng.randrange(10**6):06d}.yaml")


def touch(desk: Desk, rng: random.Random) -> None:
    entry = _entry(desk, rng)
    entry.write_bytes(entry.read_bytes())  # the same bytes, a new time stamp


EDITS: dict[str, Callable[[Desk, random.Random], None]] = {
    f.__name__: f
    for f in (claim, summary, verdict, tags, claimant, published, correction, quote, stance, new_entry, touch)
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_each_edit_is_rebuilt_as_a_build_from_nothing_makes_it(
    desk: Desk, tmp_path: Path, quick: list[bool], edit: str
) -> None:
    site = desk.root / "site"
    assert desk.run("build").code == 0
    EDITS[edit](desk, random.Random(edit))
    result = desk.run("build")
    assert result.code == 0, result.out
    assert quick == [True], "the rebuild did not come from the state"
    assert tree(site) == cold_build(desk, tmp_path / "cold")


def test_edits_one_after_another_stay_what_a_build_from_nothing_makes(
    desk: Desk, tmp_path: Path, quick: list[bool]
) -> None:
    """Each rebuild starts from the state the one before it kept."""
    rng = random.Random(2016)
    site = desk.root / "site"
    assert desk.run("build").code == 0
    for step in range(6):
        edits = rng.sample(sorted(EDITS), 2)  # two entries at once, sometimes the same one
        for name in edits:
            EDITS[name](desk, rng)
        assert desk.run("build").code == 0
        assert quick[-1], f"step {step} ({edits}) was not rebuilt from the state"
        cold = tmp_path / f"cold-{step}"
        keep = desk.root / ".factcheck-cache"
        shutil.move(keep, tmp_path / "kept-cache")  # the cold build must not see (or change) it
        assert tree(site) == cold_build(desk, cold), f"step {step}: {edits}"
        shutil.rmtree(desk.root / ".factcheck-cache", ignore_errors=True)
        shutil.move(tmp_path / "kept-cache", keep)


def test_a_year_that_grows_a_page_changes_the_link_of_the_year_after(
    desk: Desk, tmp_path: Path, quick: list[bool]
) -> None:
    """The first archive page of a year links to the last page of the year
    before: when that year gets a page more, the rebuild makes it again."""
    site = desk.root / "site"
    assert desk.run("build").code == 0
    entries = sorted(desk.checks.glob("*.yaml"))
    first = entries[0].read_text(encoding="utf-8")
    year = re.search(r"^published: (\d{4})-", first, re.M)
    assert year
    same_year = [e for e in entries if f"published: {year[1]}-" in e.read_text(encoding="utf-8")]
    for n in range(20 - len(same_year) % 20 + 1):  # past the year's last full page
        shutil.copy(same_year[0], desk.checks / f"grown-{n:02d}.yaml")
    assert desk.run("build").code == 0
    assert quick == [True]
    assert tree(site) == cold_build(desk, tmp_path / "cold")


@pytest.mark.parametrize("when", ["once it is read", "while the pages are made"])
def test_an_entry_saved_during_a_build_is_not_taken_as_built(
    desk: Desk, tmp_path: Path, quick: list[bool], monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    """A build tells at its end that an entry changed after it was read (its
    hash is of the bytes it was parsed from), and keeps no state for the
    next one, which reads the desk again."""
    import factcheck.site.render

    entry = sorted(desk.checks.glob("*.yaml"))[7]
    this_process = os.getpid()

    def save_the_entry() -> None:
        if os.getpid() != this_process:
            return  # the process rendering a share of the pages: one of them saves it, not both at once
        text = entry.read_text(encoding="utf-8")
        if "Saved meanwhile" not in text:
            entry.write_text(text.replace('claim: "', 'claim: "Saved meanwhile: ', 1), encoding="utf-8")

    module, name = (factcheck.pipeline, "_verify")
    if when == "while the pages are made":
        module, name = (factcheck.site.render, "render_site")
    original = getattr(module, name)

    def then_saved(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = original(*args, **kwargs)
        save_the_entry()
        return done

    monkeypatch.setattr(module, name, then_saved)
    assert desk.run("build").code == 0
    monkeypatch.setattr(module, name, original)
    assert "Saved meanwhile" not in (desk.root / "site" / "checks" / entry.stem / "index.html").read_text()
    assert desk.run("build").code == 0
    assert quick == [], "the build kept a state as if the entry were as it read it"
    assert tree(desk.root / "site") == cold_build(desk, tmp_path / "cold")
