"""Measure build speed and what readers download on synthetic desks, side
by side with Hugo.

    .venv/bin/python bench/run.py                 # N = 1,000 and 10,000, 3 runs each
    .venv/bin/python bench/run.py --sizes 1000 --runs 5
    .venv/bin/python bench/run.py --huge          # and N = 100,000 (an hour or more)

For each N it generates a desk (bench/generate.py; kept in bench/out/ and
reused), then times, as medians of the runs, each in a fresh process as an
editor would run it:

- check, cold (no cache) and warm (cache from the previous run);
- a cold build (no site/, no cache);
- a rebuild with no change;
- a rebuild after one entry changed;

and reports pages per second of the cold build and the peak memory (max
RSS) of any build. Then what a reader gets: the home page's size and
elements and the largest listing page's (bench/pages.py), the bytes a first
search and a first filter download (in headless Chromium), and how long
after an edit is saved the preview serves it (bench/serve.py: a summary, a
verdict, a new entry). Where `hugo` is installed it builds a Hugo site with
the same pages from the same synthetic text, its lists paginated by 20 as
ours are, and reports Hugo's figures beside ours (`--no-serve` skips the
previews, the slowest part). Hugo makes no search index, and ours is part
of our build, so it also times what a Hugo desk with search runs: Hugo,
then Pagefind's command (the same binary ours uses) over Hugo's site, its
check pages marked for the index with the filters and sort ours have.
Timings belong here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import pages  # noqa: E402
import serve  # noqa: E402
from generate import generate  # noqa: E402


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time and peak memory (bytes, the largest process of the tree)
    of one command, which must succeed."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    own = usage.ru_maxrss * 1024
    return elapsed, own


def median_of(runs: int, prepare, command: list[str], cwd: Path) -> tuple[float, int]:
    times, peaks = [], []
    for _ in range(runs):
        prepare()
        t, m = run(command, cwd)
        times.append(t)
        peaks.append(m)
    return statistics.median(times), max(peaks)


def touch_entry(desk: Path, counter: list[int]) -> None:
    """Change one entry's claim, as an editor would (to a text it never had:
    the desk is kept from one run of the benchmark to the next)."""
    entry = desk / "content" / "checks" / "c00001.yaml"
    text = entry.read_text(encoding="utf-8")
    counter[0] += 1
    mark = f"[edit {time.time_ns()}] "
    entry.write_text(re.sub(r'^claim: "(?:\[edit \d+\] )?', f'claim: "{mark}', text, count=1, flags=re.M))


def touch_hugo_entry(site: Path) -> None:
    """The same edit in the Hugo site: a new first word of one check's text."""
    entry = site / "content" / "checks" / "c00001.md"
    _, front, body = entry.read_text(encoding="utf-8").split("---\n", 2)
    body = re.sub(r"^(?:\[edit \d+\] )?", f"[edit {time.time_ns()}] ", body, count=1)
    entry.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


TRASH = BENCH / "out" / "trash"
SETTLE_S = 35


def set_aside(path: Path) -> None:
    """Move a site (or cache) out of the way of a cold run, to be deleted
    once nothing is timed any more (`empty_trash`). Deleting it just before
    the run would time the file system instead of the build: right after
    tens of thousands of files are deleted, ext4 looks at each recently freed
    inode before it reuses one (`recently_deleted`, for about half a
    minute), and creating the next site's files took several times as long
    (a cold build of N = 1,000 measured 7.3 s after `rm -rf`, 4.6 s after a
    move). A cold build in CI starts in a fresh clone, having deleted
    nothing, and so does Hugo's here."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{path.name}-{time.time_ns()}")


def empty_trash(settle: bool) -> None:
    if TRASH.exists():
        shutil.rmtree(TRASH, ignore_errors=True)
        if settle:
            time.sleep(SETTLE_S)  # let the file system forget the deleted inodes before anything is timed


def bench_desk(n: int, runs: int, previews: bool, with_hugo: bool = True) -> dict[str, float]:
    desk = BENCH / "out" / f"desk-{n}"
    if not (desk / "config.yaml").exists():
        print(f"generating a desk of {n} articles and {n} checks ...", flush=True)
        generate(n, desk)
    py = sys.executable
    build = [py, str(REPO / "build.py"), "build"]
    check = [py, str(REPO / "build.py"), "check"]
    site, cache = desk / "site", desk / ".factcheck-cache"

    def clean() -> None:
        set_aside(site)
        set_aside(cache)

    def nothing() -> None:
        pass

    counter = [0]
    r: dict[str, float] = {}
    r["check_cold"], m1 = median_of(runs, lambda: set_aside(cache), check, desk)
    r["check_warm"], m2 = median_of(runs, nothing, check, desk)
    r["build_cold"], m3 = median_of(runs, clean, build, desk)
    r["rebuild_nochange"], m4 = median_of(runs, nothing, build, desk)
    r["rebuild_one"], m5 = median_of(runs, lambda: touch_entry(desk, counter), build, desk)
    run(build, desk)  # leave the site as the desk is
    r["pages"] = sum(1 for p in site.rglob("*.html"))
    r["files"] = sum(1 for p in site.rglob("*") if p.is_file())
    r["peak_mb"] = max(m1, m2, m3, m4, m5) / 2**20
    r["pages_per_s"] = r["pages"] / r["build_cold"]
    r.update({f"our_{k}": v for k, v in pages.page_sizes(site).items()})
    found = pages.search_bytes(site, "/factchecks/", "Aleppo", "misleading")
    if found:
        r.update({f"our_{k}": v for k, v in found.items()})
    if previews:
        r.update({f"serve_{k}": v for k, v in serve.ours(desk, runs).items()})
    hugo = shutil.which("hugo") if with_hugo else None
    if hugo:
        hugo_site = BENCH / "out" / f"hugo-{n}"
        made = hugo_site / ".bench-version"
        if not made.exists() or made.read_text(encoding="utf-8") != HUGO_SITE_VERSION:
            make_hugo_site(desk, hugo_site)
            made.write_text(HUGO_SITE_VERSION, encoding="utf-8")
        public = hugo_site / "public"
        r["hugo_cold"], r["hugo_peak_mb"] = median_of(
            runs, lambda: set_aside(public), [hugo, "--quiet", "-s", str(hugo_site)], hugo_site
        )
        r["hugo_peak_mb"] /= 2**20
        # A Hugo desk's search: Pagefind's command after Hugo, as its docs set it up.
        from pagefind_bin import get_executable

        with_search = ["sh", "-c", '"$1" --quiet -s "$2" && "$3" --quiet --site "$2/public"', "sh"]
        r["hugo_pagefind_cold"], r["hugo_pagefind_peak_mb"] = median_of(
            runs, lambda: set_aside(public), [*with_search, hugo, str(hugo_site), str(get_executable())], hugo_site
        )
        r["hugo_pagefind_peak_mb"] /= 2**20
        # Hugo has no incremental build outside its server: after an edit it renders every page again.
        r["hugo_rebuild_one"], _ = median_of(
            runs, lambda: touch_hugo_entry(hugo_site), [hugo, "--quiet", "-s", str(hugo_site)], hugo_site
        )
        r["hugo_pages"] = sum(1 for p in public.rglob("*.html"))
        r.update({f"hugo_{k}": v for k, v in pages.page_sizes(public).items()})
        if previews:
            r.update({f"hugo_serve_{k}": v for k, v in serve.hugo(hugo_site, runs).items()})
    return r


# What make_hugo_site makes: a Hugo site made by an earlier version is made again.
HUGO_SITE_VERSION = "2: check pages marked for Pagefind\n"


def make_hugo_site(desk: Path, out: Path) -> None:
    """The same desk as a Hugo site: a page per check (claim, verdict,
    Markdown summary, the quotes) and per article (its paragraphs), with
    verdict, tag and claimant list pages as taxonomies. A check page is
    marked for Pagefind as a Hugo desk would mark it for a search like
    ours: its text indexed, filtered by verdict, topic and claimant,
    sorted by date."""
    import yaml  # the desk's entries are plain YAML

    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "checks").mkdir(parents=True)
    (out / "content" / "articles").mkdir(parents=True)
    layouts = out / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (out / "hugo.toml").write_text(
        'baseURL = "https://example.org/factchecks/"\ntitle = "Desk"\ndisableKinds = ["RSS"]\npaginate = 20\n'
        '[taxonomies]\n  tag = "tags"\n  verdict = "verdicts"\n  claimant = "claimants"\n',
        encoding="utf-8",
    )
    head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
    (layouts / "baseof.html").write_text(head + '{{ block "main" . }}{{ end }}</body></html>\n', encoding="utf-8")
    (layouts / "single.html").write_text(
        '{{ define "main" }}<article{{ if eq .Section "checks" }} data-pagefind-body'
        ' data-pagefind-sort="date:{{ .Date.Format "2006-01-02" }}"{{ end }}><h1>{{ .Title }}</h1>'
        '{{ with .Params.claimant }}<p data-pagefind-filter="claimant">{{ . }}</p>{{ end }}'
        '{{ range .Params.verdicts }}<p data-pagefind-filter="verdict">{{ . }}</p>{{ end }}'
        '{{ with .Params.tags }}<ul>{{ range . }}<li data-pagefind-filter="topic">{{ . }}</li>{{ end }}</ul>{{ end }}'
        "{{ .Content }}</article>{{ end }}\n",
        encoding="utf-8",
    )
    # Lists of 20 a page, newest first, with Hugo's own pager, as a Hugo
    # desk would have them (the home page lists the checks).
    item = '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 January 2006" }}</li>'
    pager = '{{ template "_internal/pagination.html" . }}'
    (layouts / "list.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range (.Paginate .Pages).Pages }}'
        + item
        + "{{ end }}</ol>"
        + pager
        + "{{ end }}\n",
        encoding="utf-8",
    )
    (out / "layouts" / "index.html").write_text(
        '{{ define "main" }}<h1>{{ .Title }}</h1><ol>'
        '{{ range (.Paginate (where site.RegularPages "Section" "checks")).Pages }}'
        + item
        + "{{ end }}</ol>"
        + pager
        + "{{ end }}\n",
        encoding="utf-8",
    )
    bodies = {}
    for path in sorted((desk / "content" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        bodies[path.stem] = body
        (out / "content" / "articles" / f"{path.stem}.md").write_text(
            f"---\ntitle: {yaml.safe_dump(meta['title']).strip().removesuffix('...').strip()}\n"
            f"date: {meta['published']}\n---\n{body}",
            encoding="utf-8",
        )
    for path in sorted((desk / "content" / "checks").glob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        quotes = "\n".join(
            f"> {c['quote']}\n>\n> — [{c['article']}](/articles/{c['article']}/)\n" for c in entry["citations"]
        )
        front = {
            "title": entry["claim"],
            "date": str(entry["published"]),
            "claimant": entry["claimant"],
            "tags": entry.get("tags", []),
            "verdicts": [entry["verdict"]],
            "claimants": [entry["claimant"]],
        }
        (out / "content" / "checks" / f"{path.stem}.md").write_text(
            "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + entry["summary"] + "\n\n" + quotes,
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--huge", action="store_true", help="also N = 100,000")
    parser.add_argument("--no-serve", dest="serve", action="store_false", help="skip the preview latencies")
    parser.add_argument(
        "--no-hugo",
        dest="hugo",
        action="store_false",
        help="skip Hugo (at 100,000 it needs more memory than most machines have)",
    )
    args = parser.parse_args()
    if args.huge and 100_000 not in args.sizes:
        args.sizes.append(100_000)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"machine: {os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; medians of {args.runs} runs")
    # The package's bytecode, as an installed factcheck has it: run from a
    # checkout with PYTHONDONTWRITEBYTECODE set, every run would compile
    # the package again (a tenth of a second) and time that too.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "factcheck")], check=True)
    rows = []
    empty_trash(settle=True)  # left by a run that was stopped
    for n in args.sizes:
        r = bench_desk(n, args.runs, args.serve, args.hugo)
        empty_trash(settle=n != args.sizes[-1])
        rows.append((n, r))
        ratio = "hugo not installed" if args.hugo else "hugo skipped (--no-hugo)"
        if "hugo_cold" in r:
            hugo = f"{r['hugo_cold']:.2f} s, {r['hugo_pages']:,} pages, {r['hugo_peak_mb']:.0f} MB"
            ratio = f"{r['build_cold'] / r['hugo_cold']:.2f}x Hugo ({hugo})"
            if "hugo_pagefind_cold" in r:
                ratio += (
                    f"; {r['build_cold'] / r['hugo_pagefind_cold']:.2f}x Hugo then Pagefind "
                    f"({r['hugo_pagefind_cold']:.2f} s, {r['hugo_pagefind_peak_mb']:.0f} MB)"
                )
        print(
            f"N={n:,}: {r['pages']:,.0f} pages ({r['files']:,.0f} files)\n"
            f"  check        cold {r['check_cold']:.2f} s, warm {r['check_warm']:.2f} s\n"
            f"  build        cold {r['build_cold']:.2f} s ({r['pages_per_s']:,.0f} pages/s); {ratio}\n"
            f"  rebuild      no change {r['rebuild_nochange']:.2f} s; one entry changed {r['rebuild_one']:.2f} s"
            + (f" (Hugo {r['hugo_rebuild_one']:.2f} s)" if "hugo_rebuild_one" in r else "")
            + "\n"
            f"  peak memory  {r['peak_mb']:.0f} MB",
            flush=True,
        )
        for who in ("our", "hugo"):
            if f"{who}_home_kb" in r:
                print(
                    f"  {who + ' pages':<12} home {r[f'{who}_home_kb']:,.1f} KB, "
                    f"{r[f'{who}_home_elements']:,} elements; "
                    f"largest of {r[f'{who}_lists']:,} listing pages {r[f'{who}_list_kb']:,.1f} KB "
                    f"({r[f'{who}_list_kb_page']}), most elements {r[f'{who}_list_elements']:,} "
                    f"({r[f'{who}_list_elements_page']})"
                )
        if "our_search_kb" in r:
            print(
                f"  downloads    home page {r['our_page_kb']:,.1f} KB; first search +{r['our_search_kb']:,.1f} KB "
                f"({r['our_search_requests']} requests in all), first filter +{r['our_filter_kb']:,.1f} KB "
                f"({r['our_filter_requests']}); Hugo has no search of its own"
            )
        for who, label in (("serve", "our preview"), ("hugo_serve", "hugo server")):
            if f"{who}_summary" in r:
                print(
                    f"  {label:<12} edit shown after: summary {r[f'{who}_summary']:.2f} s, "
                    f"verdict {r[f'{who}_verdict']:.2f} s, new entry {r[f'{who}_new entry']:.2f} s"
                    + (f", summary while busy {r[f'{who}_summary while busy']:.2f} s" if who == "serve" else "")
                )


if __name__ == "__main__":
    main()
