"""`factcheck serve`, driven for real: a server process, edits on disk,
pages over HTTP, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REPO, Desk

WAIT = 30.0  # seconds: generous for a loaded CI machine; a pass takes well under one


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    lines: list[str]
    tmp: Path

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def state(self) -> dict[str, object]:
        return json.loads(self.get("__factcheck/state")[1])

    def wait_for_line(self, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, "".join(self.lines)
            time.sleep(0.02)

    def wait_for(self, path: str, text: str, error: str | None) -> dict[str, object]:
        """The state once a build shows `text` at `path` and has `error` in
        its report (None: no error). Editors' saves can start more than one
        build, so wait for what the build must show, not for a count."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            state = self.state()
            reported = state["error"]
            if (error is None) == (reported is None) and (error is None or error in str(reported)):
                if text in self.get(path)[1]:
                    return state
            time.sleep(0.02)
        raise AssertionError(f"not seen within {WAIT} s; the server said:\n" + "".join(self.lines))


def start(desk: Desk, tmp: Path, *extra: str) -> Server:
    tmp.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--config", str(desk.config), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp), "NO_COLOR": "1"},
    )
    lines: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"serving the preview at (\S+)", line)
            if m:
                url.append(m.group(1))
                found.set()

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(WAIT):
        proc.kill()
        raise AssertionError("the server did not start:\n" + "".join(lines))
    return Server(proc, url[0], lines, tmp)


@pytest.fixture
def server(sample_desk: Desk, tmp_path: Path) -> Iterator[Server]:
    s = start(sample_desk, tmp_path / "tmp")
    yield s
    if s.proc.poll() is None:
        s.proc.kill()
        s.proc.wait()


ENTRY = "russia-china-veto.yaml"


def test_serves_the_site_under_its_base_path_with_live_reload(server: Server, sample_desk: Desk) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/factchecks/")
    status, home = server.get("")
    assert status == 200 and "Latest fact-checks" in home
    assert "__factcheck/live.js" in home  # added while serving ...
    assert not (sample_desk.root / "site").exists()  # ... and nothing is written to site/
    status, page = server.get("checks/russia-china-veto/")
    assert status == 200 and "ClaimReview" in page
    status, missing = server.get("checks/no-such-check/")
    assert status == 404 and "Page not found" in missing
    assert server.get("__factcheck/live.js")[0] == 200
    assert server.get("../etc/passwd")[0] == 404


def test_serves_a_staging_address_given_for_the_run(sample_desk: Desk, tmp_path: Path) -> None:
    s = start(sample_desk, tmp_path / "tmp", "--base-url", "https://staging.example.net/pr-7")
    try:
        assert s.url.endswith("/pr-7/")
        status, page = s.get("checks/russia-china-veto/")
        assert status == 200
        assert '<link rel="canonical" href="https://staging.example.net/pr-7/checks/russia-china-veto/">' in page
    finally:
        s.proc.send_signal(signal.SIGINT)
        s.proc.wait(timeout=WAIT)


def test_an_edit_shows_a_break_is_reported_and_a_fix_clears_it(server: Server, sample_desk: Desk) -> None:
    entry = sample_desk.checks / ENTRY
    good = entry.read_text(encoding="utf-8")

    entry.write_text(good.replace('claim: "', 'claim: "Edited live: ', 1), encoding="utf-8")
    server.wait_for("checks/russia-china-veto/", "Edited live: ", error=None)
    # The home page lists it too (written last: pages reach the disk before the pages that link to them).
    server.wait_for("", "Edited live: ", error=None)
    server.wait_for_line("shown (")  # by the quick rebuild (editor/quick.py), a full build behind it

    broken = good.replace('quote: "Russia and China on Monday', 'quote: "Russia and China on Tuesday', 1)
    assert broken != good
    entry.write_text(broken, encoding="utf-8")
    state = server.wait_for("checks/russia-china-veto/", "Edited live: ", error="error[quote-not-found]")
    assert f"content/checks/{ENTRY}:" in str(state["error"])  # the last good page is still served
    server.wait_for_line("error[quote-not-found]")  # and the terminal says it too

    entry.write_text(good, encoding="utf-8")
    server.wait_for(
        "checks/russia-china-veto/", '<h1 dir="auto"><span class="visually-hidden">Claim: </span>Russia', error=None
    )


def test_events_tell_open_pages_of_each_build(server: Server, sample_desk: Desk) -> None:
    with urllib.request.urlopen(server.url + "__factcheck/events", timeout=WAIT) as events:
        first = json.loads(events.readline().decode().removeprefix("data: "))
        events.readline()
        entry = sample_desk.checks / ENTRY
        entry.write_text(entry.read_text(encoding="utf-8").replace('claim: "', 'claim: "Again: ', 1), encoding="utf-8")
        line = events.readline().decode()
        while line.startswith(":") or not line.strip():  # keep-alive comments
            line = events.readline().decode()
        second = json.loads(line.removeprefix("data: "))
    assert second["version"] > first["version"] and second["error"] is None


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_stopping_is_clean_and_leaves_nothing_behind(server: Server, stop: signal.Signals) -> None:
    assert server.get("")[0] == 200
    server.proc.send_signal(stop)
    assert server.proc.wait(timeout=WAIT) == 0
    assert not list(server.tmp.iterdir()), "the preview's temporary folder was left behind"


def test_a_port_in_use_is_a_clear_error(server: Server, sample_desk: Desk) -> None:
    port = server.url.split(":")[2].split("/")[0]
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--config", str(sample_desk.config), "--port", port],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env={**os.environ, "TMPDIR": str(server.tmp)},
    )
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stdout


def test_an_open_page_reloads_and_shows_a_broken_build_over_itself(server: Server, sample_desk: Desk) -> None:
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        if os.environ.get("FACTCHECK_REQUIRE_TOOLS") == "1":
            raise AssertionError(f"FACTCHECK_REQUIRE_TOOLS=1 but there is no browser at {chromium}")
        pytest.skip(f"no Chromium at {chromium} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from .test_browser import ARGS

    entry = sample_desk.checks / ENTRY
    good = entry.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        page = browser.new_page()
        page.goto(server.url + "checks/russia-china-veto/")
        heading = page.get_by_role("heading", level=1)
        expect(heading).not_to_contain_text("Seen live")
        page.wait_for_timeout(300)  # the page's event stream is open
        entry.write_text(good.replace('claim: "', 'claim: "Seen live: ', 1), encoding="utf-8")
        expect(heading).to_contain_text("Seen live", timeout=WAIT * 1000)  # it reloaded itself

        entry.write_text(
            good.replace('claim: "', 'claim: "Seen live: ', 1).replace(
                'quote: "Russia and China on Monday', 'quote: "Russia and China on Friday', 1
            ),
            encoding="utf-8",
        )
        panel = page.get_by_role("alert")
        expect(panel).to_contain_text("error[quote-not-found]", timeout=WAIT * 1000)
        expect(panel).to_contain_text(f"content/checks/{ENTRY}:")
        expect(heading).to_contain_text("Seen live")  # the last good page, behind the panel

        entry.write_text(good, encoding="utf-8")
        expect(heading).not_to_contain_text("Seen live", timeout=WAIT * 1000)
        expect(page.get_by_role("alert")).to_have_count(0)
        browser.close()
