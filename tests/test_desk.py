"""A desk of one's own: `init`, the built-in theme overridden file by file,
staging builds at another address, and links that must lead somewhere."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from factcheck.cli import main
from factcheck.editor.newdesk import FILES, init_desk

from .conftest import REPO, Desk, Run


def cli(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


# --- init -----------------------------------------------------------------------------


def test_init_makes_a_desk_that_checks_and_builds(tmp_path: Path) -> None:
    desk = tmp_path / "newsroom-desk"
    made = cli("init", str(desk))
    assert made.code == 0
    for target in [*FILES.values(), "schema/check.schema.json", "content/articles/.gitkeep"]:
        assert (desk / target).is_file(), target
        assert target in made.out
    assert "content/articles/** -text" in (desk / ".gitattributes").read_text(encoding="utf-8")
    assert "site/" in (desk / ".gitignore").read_text(encoding="utf-8")
    schema = json.loads((desk / "schema" / "check.schema.json").read_text(encoding="utf-8"))
    assert schema == json.loads((REPO / "schema" / "check.schema.json").read_text(encoding="utf-8"))
    assert cli("check", "--config", str(desk)).code == 0
    assert cli("build", "--config", str(desk)).code == 0
    assert (desk / "site" / "index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "notes.txt").write_text("mine\n", encoding="utf-8")
    refused = cli("init", str(desk))
    assert refused.code == 2 and "is not empty" in refused.err and "--force" in refused.err
    assert sorted(p.name for p in desk.iterdir()) == ["notes.txt"]


def test_init_never_replaces_a_file(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "config.yaml").write_text("title: Mine\n", encoding="utf-8")
    made = cli("init", str(desk), "--force")
    assert made.code == 0
    assert (desk / "config.yaml").read_text(encoding="utf-8") == "title: Mine\n"
    assert "left as they were" in made.out and "  config.yaml" in made.out.split("left as they were")[1]
    assert (desk / "README.md").is_file()


def test_init_takes_a_git_repository_and_a_tool_of_ones_own(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    (desk / ".git").mkdir(parents=True)  # `git init` first is fine
    made = init_desk(desk, tool="factcheck-desk @ git+https://git.example.org/tools/factcheck@v0.2.0")
    assert ".github/workflows/factcheck.yml" in made.written
    workflow = (desk / ".github" / "workflows" / "factcheck.yml").read_text(encoding="utf-8")
    assert 'pip install "factcheck-desk @ git+https://git.example.org/tools/factcheck@v0.2.0"' in workflow


# --- the theme ----------------------------------------------------------------------


def test_a_desk_without_templates_uses_the_built_in_theme(sample_desk: Desk) -> None:
    shutil.rmtree(sample_desk.root / "templates")
    assert sample_desk.run("check").code == 0
    assert sample_desk.run("build").code == 0
    site = sample_desk.root / "site"
    assert (site / "static" / "style.css").read_bytes() == (
        REPO / "factcheck" / "theme" / "static" / "style.css"
    ).read_bytes()
    assert "This is the sample desk" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_sample_desk_overrides_only_its_banner(sample_desk: Desk) -> None:
    assert sorted(p.name for p in (REPO / "templates").iterdir()) == ["base.html"]
    assert sample_desk.run("build").code == 0
    page = (sample_desk.root / "site" / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert "This is the sample desk" in page and "Our verdict" in page


def test_a_desk_template_replaces_the_built_in_one_file_by_file(sample_desk: Desk) -> None:
    templates = sample_desk.root / "templates"
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Nothing here</h1>{% endblock %}', encoding="utf-8"
    )
    (templates / "static").mkdir()
    (templates / "static" / "style.css").write_text("body { color: teal }\n", encoding="utf-8")
    (templates / "static" / "extra.js").write_text("// ours\n", encoding="utf-8")
    assert sample_desk.run("build").code == 0
    site = sample_desk.root / "site"
    assert "<h1>Nothing here</h1>" in (site / "404.html").read_text(encoding="utf-8")
    assert (site / "static" / "style.css").read_text(encoding="utf-8") == "body { color: teal }\n"
    assert (site / "static" / "extra.js").is_file()
    assert (site / "static" / "search.js").is_file()  # the rest stays built in


def test_list_items_link_from_every_depth_with_the_built_in_macros_or_a_desks_own(sample_desk: Desk) -> None:
    """The built-in list item is rendered once for every depth of the site
    (its links' root a marker put in its place on each page); a desk's own
    `_macros.html`, which may use `root` as it likes, is rendered per depth."""
    site = sample_desk.root / "site"

    def item_links() -> dict[str, list[str]]:
        found = {}
        for page in ("index.html", "tags/russia/index.html", "claimants/cnn/index.html"):
            html = (site / page).read_text(encoding="utf-8")
            assert "factcheck:root" not in html
            found[page] = re.findall(r'<h3 dir="auto"><a href="([^"]*)">', html)
        return found

    assert sample_desk.run("build").code == 0
    built_in = item_links()
    assert "checks/russia-china-veto/" in built_in["index.html"]
    assert "../../checks/russia-china-veto/" in built_in["tags/russia/index.html"]
    macros = (REPO / "factcheck" / "theme" / "_macros.html").read_text(encoding="utf-8")
    ours = macros.replace("{{ url('checks/' ~ check.id ~ '/') }}", "{{ root }}checks/{{ check.id }}/")
    assert ours != macros
    (sample_desk.root / "templates" / "_macros.html").write_text(ours, encoding="utf-8")
    assert sample_desk.run("build").code == 0
    assert item_links() == built_in


def test_an_error_in_a_built_in_template_is_named_as_such(sample_desk: Desk) -> None:
    (sample_desk.root / "templates" / "base.html").write_text('{% extends "theme/nowhere.html" %}', encoding="utf-8")
    result = sample_desk.run("check")
    assert result.code == 2 and "error[template]" in result.out and "theme/nowhere.html" in result.out


# --- staging builds -------------------------------------------------------------------


def test_base_url_for_one_build_is_followed_everywhere(sample_desk: Desk, tmp_path: Path) -> None:
    out = tmp_path / "staging"
    result = sample_desk.run("build", "--out", str(out), "--base-url", "https://staging.example.net/pr-42")
    assert result.code == 0, result.out
    base = "https://staging.example.net/pr-42/"
    page = (out / "checks" / "russia-china-veto" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}checks/russia-china-veto/">' in page
    review = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert review["url"] == f"{base}checks/russia-china-veto/"
    feed = ET.parse(out / "feed.xml").getroot()
    assert all(link.get("href", "").startswith(base) for link in feed.iter("{http://www.w3.org/2005/Atom}link"))
    assert all(
        loc.text.startswith(base)
        for loc in ET.parse(out / "sitemap.xml").getroot().iter()
        if loc.text and "http" in loc.text
    )
    assert '"url":"https://staging.example.net/pr-42/checks/' in (out / "claims.json").read_text(encoding="utf-8")
    not_found = (out / "404.html").read_text(encoding="utf-8")
    assert 'href="/pr-42/static/style.css"' in not_found and "/factchecks/" not in not_found
    assert "example.org/factchecks" not in "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    # The next build at the usual address is not "up to date": the address is an input.
    again = sample_desk.run("build", "--out", str(out))
    assert again.code == 0 and "up to date" not in again.err
    assert "https://example.org/factchecks/checks/" in (out / "claims.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", ["staging.example.net/x/", "https://ex.org/a b/", "ftp://ex.org/"])
def test_a_base_url_that_is_not_an_address_is_refused(sample_desk: Desk, url: str) -> None:
    result = sample_desk.run("build", "--base-url", url)
    assert result.code == 2 and "error[config]: --base-url" in result.out


# --- broken links ---------------------------------------------------------------------


def test_a_template_asking_for_a_file_the_site_lacks_fails_the_build(sample_desk: Desk) -> None:
    # A home page copied from an earlier version of the theme, which had its filters in filters.js.
    index = (REPO / "factcheck" / "theme" / "index.html").read_text(encoding="utf-8")
    stale = index.replace("{{ root }}static/search.js", "{{ root }}static/filters.js")
    assert stale != index
    (sample_desk.root / "templates" / "index.html").write_text(stale, encoding="utf-8")
    line = next(n for n, text in enumerate(stale.splitlines(), 1) if "static/filters.js" in text)
    result = sample_desk.run("build")
    assert result.code == 1
    assert (
        f"templates/index.html:{line}:" in result.out
        and "error[broken-link]: index.html links to 'static/filters.js', which is not a file of the site" in result.out
    ), result.out
    assert "help: link to a file the site has, or remove the link" in result.out
    assert "nothing was written" in result.err and not (sample_desk.root / "site").exists()


def test_a_link_in_an_entry_that_leads_nowhere_points_at_the_entry(sample_desk: Desk) -> None:
    entry = sample_desk.checks / "russia-china-veto.yaml"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "summary: |\n", "summary: |\n  See [this](../russia-china-vet/).\n\n", 1
        ),
        encoding="utf-8",
    )
    result = sample_desk.run("build")
    assert result.code == 1
    assert "content/checks/russia-china-veto.yaml:7:" in result.out
    assert "help: did you mean checks/russia-china-veto/?" in result.out


def test_check_knows_the_pages_of_the_lists_and_says_which_link_leads_nowhere(sample_desk: Desk) -> None:
    # `check` tells the lists' pages only when a link is not among the
    # site's other files; a link to one is not broken, one to a list the
    # site does not have is.
    entry = sample_desk.checks / "russia-china-veto.yaml"
    original = entry.read_text(encoding="utf-8")
    links = (
        "[a topic](../../tags/ceasefire/), [a claimant](../../claimants/cnn/), [a verdict](../../verdicts/accurate/)"
    )
    entry.write_text(original.replace("summary: |\n", f"summary: |\n  See {links}.\n\n", 1), encoding="utf-8")
    assert sample_desk.run("check").code == 0
    entry.write_text(
        original.replace("summary: |\n", "summary: |\n  See [a topic](../../tags/ceasfire/).\n\n", 1), encoding="utf-8"
    )
    result = sample_desk.run("check")
    assert result.code == 1 and "error[broken-link]" in result.out and "tags/ceasfire" in result.out


def test_every_link_of_the_sample_site_leads_somewhere(sample_desk: Desk) -> None:
    result = sample_desk.run("build")
    assert result.code == 0 and "broken-link" not in result.out


def test_the_readme_documents_every_built_in_template() -> None:
    from factcheck.site.builtin import builtin_files

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The theme") : readme.index("### Rebuilds")]
    for name in builtin_files():
        if name.endswith(".html"):
            assert f"| `{name}` |" in section, name
        else:
            assert f"`{name}`" in section, name
