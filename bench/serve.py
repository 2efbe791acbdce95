"""How long after saving an edit the preview serves it: ours (`serve`) and
Hugo's (`hugo server`), polled over HTTP as a browser's reload would."""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Edit:
    """Change the desk; the page (relative to the preview's address) and a
    text that show the change."""

    apply: Callable[[int], tuple[str, str]]  # run number -> (page, text)
    # Made first, and shown, then `pause` seconds before `apply`: an edit
    # saved while the preview is still busy with the one before.
    before: Callable[[int], tuple[str, str]] | None = None
    pause: float = 0.0


def _ready(proc: subprocess.Popen[str], pattern: str, timeout: float) -> str:
    """Read the process's output until a line matches; its first group."""
    found: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            match = re.search(pattern, line)
            if match and not found:
                found.append(match.group(1))
                done.set()
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout) or not found:
        proc.kill()
        raise SystemExit(f"the preview did not start: {' '.join(map(str, proc.args))}")  # type: ignore[arg-type]
    return found[0]


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _cpu(pid: int) -> float:
    """CPU seconds of a process and of the processes it runs (Pagefind) so
    far, finished ones included."""
    fields = _stat(pid)
    total = sum(int(v) for v in fields[11:15]) if fields else 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            child = _stat(int(entry.name))
            if child and child[1] == str(pid):  # its parent
                total += sum(int(v) for v in child[11:13])
    return total / os.sysconf("SC_CLK_TCK")


def _idle(pid: int, quiet: float = 3.0, limit: float = 300.0) -> None:
    """Wait until the preview has done its work (the full build behind a
    quick one starts after 1 s of quiet, then search catches up): no CPU
    used for `quiet` seconds."""
    end = time.monotonic() + limit
    last = _cpu(pid)
    while time.monotonic() < end:
        time.sleep(quiet)
        now = _cpu(pid)
        if now - last < 0.02:
            return
        last = now


def _shows(url: str, text: str, limit: float = 120.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return time.perf_counter()
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.005)
    raise SystemExit(f"the preview never showed {text!r} at {url}")


def latency(command: list[str], cwd: Path, ready: str, edits: dict[str, Edit], runs: int) -> dict[str, float]:
    """Median seconds from saving each kind of edit to the preview serving it."""
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        base = _ready(proc, ready, timeout=900)
        _idle(proc.pid)
        result: dict[str, float] = {}
        counter = 0
        for kind, edit in edits.items():
            times = []
            for _ in range(runs):
                counter += 1
                if edit.before is not None:
                    page, text = edit.before(counter)
                    _shows(base.rstrip("/") + "/" + page, text)
                    time.sleep(edit.pause)
                    counter += 1
                saved = time.perf_counter()
                page, text = edit.apply(counter)
                times.append(_shows(base.rstrip("/") + "/" + page, text) - saved)
                _idle(proc.pid)
            result[kind] = statistics.median(times)
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _replace(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    changed, n = re.subn(pattern, new, text, count=1, flags=re.M)
    if not n:
        raise SystemExit(f"{pattern!r} not in {path}")
    path.write_text(changed, encoding="utf-8")


VERDICTS = ("accurate", "misleading")


def _mark(n: int) -> str:
    """A word no run of the benchmark has written before (desks are kept)."""
    return f"Edited{time.time_ns()}x{n} "


def _other_verdict(text: str, pattern: str) -> str:
    found = re.search(pattern, text, re.M)
    return VERDICTS[1] if found and found.group(1).strip() == VERDICTS[0] else VERDICTS[0]


def ours(desk: Path, runs: int) -> dict[str, float]:
    """`serve` on a synthetic desk (bench/generate.py): a summary edited, a
    verdict changed (the check moves between lists), an entry added, and a
    summary edited again while the preview builds in full behind the first."""
    checks = desk / "content" / "checks"
    newest = sorted(checks.glob("c*.yaml"))[-1]
    middle = sorted(checks.glob("c*.yaml"))[len(list(checks.glob("c*.yaml"))) // 2]

    def summary(n: int) -> tuple[str, str]:
        mark = _mark(n)
        _replace(middle, r"^summary: \|\n  (?:Edited\d+x\d+ )?", f"summary: |\n  {mark}")
        return f"checks/{middle.stem}/", mark

    def verdict(n: int) -> tuple[str, str]:
        to = _other_verdict(newest.read_text(encoding="utf-8"), r"^verdict: (.*)$")
        _replace(newest, r"^verdict: .*$", f"verdict: {to}")
        return f"verdicts/{to}/", f"checks/{newest.stem}/"

    def added(n: int) -> tuple[str, str]:
        name = f"n{time.time_ns()}"
        shutil.copy(newest, checks / f"{name}.yaml")
        return "", f"checks/{name}/"

    py = sys.executable
    build_py = Path(__file__).resolve().parent.parent / "build.py"
    try:
        return latency(
            [py, str(build_py), "serve", "--port", "0"],
            desk,
            r"serving the preview at (\S+)",
            {
                "summary": Edit(summary),
                "verdict": Edit(verdict),
                "new entry": Edit(added),
                # 1.5 s after the first is shown: the full build behind it (after 1 s of quiet) is running.
                "summary while busy": Edit(summary, before=summary, pause=1.5),
            },
            runs,
        )
    finally:
        for extra in checks.glob("n*.yaml"):
            extra.unlink()


def hugo(site: Path, runs: int) -> dict[str, float]:
    """`hugo server` on the same pages (bench/run.py's make_hugo_site)."""
    checks = site / "content" / "checks"
    files = sorted(checks.glob("c*.md"))
    newest, middle = files[-1], files[len(files) // 2]

    def summary(n: int) -> tuple[str, str]:
        mark = _mark(n)
        _, front, body = middle.read_text(encoding="utf-8").split("---\n", 2)
        body = re.sub(r"^(?:Edited\d+x\d+ )?", mark, body, count=1)
        middle.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        return f"checks/{middle.stem}/", mark

    def verdict(n: int) -> tuple[str, str]:
        to = _other_verdict(newest.read_text(encoding="utf-8"), r"^verdicts:\n- (.*)$")
        _replace(newest, r"^verdicts:\n- .*$", f"verdicts:\n- {to}")
        return f"verdicts/{to}/", f"/checks/{newest.stem}/"

    def added(n: int) -> tuple[str, str]:
        name = f"n{time.time_ns()}"
        shutil.copy(newest, checks / f"{name}.md")
        return "", f"/checks/{name}/"

    with socket.socket() as probe:  # hugo server takes no port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [shutil.which("hugo") or "hugo", "server", "-s", str(site), "--port", str(port), "--bind", "127.0.0.1"]
    try:
        return latency(
            [*command, "--baseURL", "http://127.0.0.1/", "--appendPort"],
            site,
            r"Web Server is available at (\S+)",
            {"summary": Edit(summary), "verdict": Edit(verdict), "new entry": Edit(added)},
            runs,
        )
    finally:
        for extra in checks.glob("n*.md"):
            extra.unlink()
