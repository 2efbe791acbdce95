"""`factcheck serve`: a live preview while editing.

The site is built into a temporary folder (never into site/), served on
127.0.0.1 under base_url's path (so even the 404 page's absolute links
work), and rebuilt when content, templates or config.yaml change. A rebuild
goes through the same pipeline as `build`, so only the pages whose inputs
changed are rendered. Open pages learn of each rebuild over Server-Sent
Events: they reload, or show the build's errors over the last good page
until the entry is fixed.
"""

from __future__ import annotations

import json
import mimetypes
import os
import posixpath
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Collection
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from ..cache import FOLDER as CACHE_FOLDER
from ..cache import Cache
from ..config import load_config
from ..diagnostics import format_text
from ..model import Config
from ..pipeline import Verification, build, spaces_to_prune
from ..progress import Cancelled
from ..site.builtin import BUILTIN
from .quick import Snapshot, quick, snapshot

LIVE = "__factcheck/"  # the preview's own URLs, under the site's path
DEBOUNCE = 0.05  # seconds of quiet before a rebuild: editors save in bursts
# Seconds of quiet after a quick rebuild before the full build behind it
# (search, feeds, exports): an editor saving again and again gets quick
# rebuilds, and the full one when they pause. A save while it runs stops it
# (at its next file or page): the save is shown first, and it starts again.
CATCH_UP = 1.0
_SCRIPT = (Path(__file__).parent / "live.js").read_text(encoding="utf-8")
_NOTHING_YET = (
    b'<!doctype html><html lang="en"><meta charset="utf-8"><title>Nothing built yet</title>'
    b"<body><h1>Nothing built yet</h1><p>The site appears here once the build succeeds: "
    b"fix the problems shown below (and in the terminal) and this page reloads itself.</p></body></html>"
)


_PREFIX = "factcheck-preview-"


def _clear_dead_previews() -> None:
    """Remove the temporary folders of previews whose process is gone (killed
    with no chance to clean up). A folder is named after its process."""
    top = Path(tempfile.gettempdir())
    for folder in top.glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OverflowError, ValueError):
            continue  # alive (another user's), or not a process id


class State:
    """What open pages are told: the build number and the errors, if any."""

    def __init__(self) -> None:
        self.version = 0
        self.error: str | None = None
        self.changed = threading.Condition()
        self.closing = False

    def publish(self, error: str | None) -> None:
        with self.changed:
            self.version += 1
            self.error = error
            self.changed.notify_all()

    def as_json(self) -> str:
        return json.dumps({"version": self.version, "error": self.error})

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()


class Preview:
    def __init__(self, config_path: Path, out: TextIO, color: bool, base_url: str | None = None):
        self.config_path = config_path
        self.base_url = base_url
        self.out = out
        self.color = color
        _clear_dead_previews()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-")) / "site"
        self.state = State()
        self.cache: Cache | None = None
        self.config: Config | None = None
        self.snapshot: Snapshot | None = None  # what the last good full build was made from
        self._lock = threading.Lock()
        self._catch_up: threading.Timer | None = None
        self._generation = 0  # of changes seen: a build behind stops once it is not the newest's

    def rebuild(self, changed: Collection[Path] = ()) -> Verification | None:
        """Build, tell the open pages, then bring search up to date. When
        only entries `changed`, show them with a quick rebuild first
        (quick.py), then build in full behind it. A build behind (the full
        one after a quick rebuild, or the one that brings search up to date)
        stops when the next change comes: that change is shown first."""
        self._stop_behind()
        if changed and self._quick(changed):
            self._catch_up = threading.Timer(
                CATCH_UP, self._build, kwargs={"defer_search": False, "behind": self._generation}
            )
            self._catch_up.daemon = True
            self._catch_up.start()
            return None
        result = self._build(defer_search=True)
        if result is not None and result.search_stale:
            self._build(defer_search=False, behind=self._generation)
        return result

    def _stop_behind(self) -> None:
        if self._catch_up is not None:
            self._catch_up.cancel()  # the next build, quick or full, comes first; a quick one starts another
            self._catch_up = None
        self._generation += 1  # and one that runs now stops at its next page or file

    def _quick(self, changed: Collection[Path]) -> bool:
        with self._lock:
            if self.snapshot is None or self.cache is None:
                return False
            try:
                done = quick(self.snapshot, changed, self.cache, self.folder)
            except (OSError, ValueError):
                done = None  # the full build that follows says what is wrong, if anything
            if done is None:
                return False
            self.snapshot = done.snapshot
            if done.diagnostics:
                self.out.write(format_text(list(done.diagnostics), self.config_path.parent, color=self.color) + "\n")
            fixed = "fixed: " if self.state.error else ""
            self.out.write(f"{fixed}shown ({done.written} written, {done.removed} removed; the rest follows)\n")
            self.out.flush()
            self.state.publish(None)
            return True

    def _build(self, defer_search: bool, behind: int | None = None) -> Verification | None:
        """A full build; None when it stopped for a newer change. `behind`:
        a build nobody waits for (quiet unless it finds errors), stopped once
        the change it follows (this generation) is no longer the newest."""
        quiet = behind is not None

        def progress(what: str, done: int = 0, total: int = 0) -> None:
            if behind is not None and behind != self._generation:
                raise Cancelled

        with self._lock:
            if behind is not None and behind != self._generation:
                return None
            config, _ = load_config(self.config_path, self.base_url)
            if config is not None and (self.cache is None or self.config is None or config.root != self.config.root):
                self.cache = Cache.open(config.root)
            self.config = config or self.config
            try:
                result = build(
                    self.config_path,
                    out_dir=self.folder,
                    cache=self.cache,
                    progress=progress,
                    defer_search=defer_search,
                    base_url=self.base_url,
                    shortcut=False,  # watchdog said something changed
                    drafts=True,  # the preview shows them, marked
                )
            except Cancelled:
                return None  # the site is as the last build or quick rebuild left it
            # A quick rebuild starts from the last full build with search up to date, and only from it.
            self.snapshot = None
            if self.cache is not None and result.desk is not None and result.ok:
                self.cache.prune(spaces_to_prune(result.written))  # what the desk no longer has is gone
                if not result.search_stale:
                    self.snapshot = snapshot(result.desk, result.diagnostics, self.folder, self.cache)
            errors = [d for d in result.diagnostics if d.is_error]
            root = self.config_path.parent
            if quiet and not errors:
                return result
            if result.diagnostics:
                self.out.write(format_text(list(result.diagnostics), root, color=self.color) + "\n")
            if errors:
                self.out.write("the preview keeps the last good build, if any, until this is fixed\n")
                self.out.flush()  # the terminal first: it is where the editor looks
                self.state.publish(format_text(list(result.diagnostics), root, color=False))
            else:
                w = result.written
                if w is None or w.cold:
                    what = "built the site"
                elif w.added or w.changed or w.removed:
                    what = f"rebuilt ({w.added + w.changed} written, {w.removed} removed)"
                else:
                    what = "up to date"
                if self.state.error:
                    what = "fixed: " + what
                self.out.write(f"{what}\n")
                self.out.flush()
                self.state.publish(None)
            return result

    def close(self) -> None:
        self._stop_behind()
        self.state.close()
        if self.cache is not None:
            self.cache.save(prune=())
        shutil.rmtree(self.folder.parent, ignore_errors=True)


def serve(config_path: Path, host: str, port: int, out: TextIO, color: bool, base_url: str | None = None) -> int:
    """Build, serve and watch until interrupted. Returns the exit code.
    `base_url` replaces config.yaml's, as `build --base-url` does."""
    config, problems = load_config(config_path, base_url)
    if config is None:
        out.write(format_text(problems, config_path.parent, color=color) + "\n")
        return 2
    preview = Preview(config_path, out, color, base_url)
    _stop_on_interrupt()
    try:
        prefix = urlsplit(config.base_url).path or "/"
        try:  # the port first: a busy one is said at once, before a long first build
            server = ThreadingHTTPServer((host, port), _handler(preview, prefix))
        except OSError as exc:
            out.write(f"factcheck serve: error: cannot listen on {host}:{port}: {exc.strerror}\n")
            out.write("  help: another program may be using the port; pass --port with another number\n")
            return 2
        first = preview.rebuild()
        assert first is not None  # a full build, with nothing changed to show quickly
        if any(d.code == "output" for d in first.errors):
            server.server_close()
            return 2
        server.daemon_threads = True
        _stop_on_terminate()
        url = f"http://{_host_for_url(host)}:{server.server_address[1]}{prefix}"
        watcher = _watch(preview)
        out.write(f"serving the preview at {url} (Ctrl-C stops it)\n")
        out.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            out.write("stopped\n")
        finally:
            _ignore_interrupts()  # a second Ctrl-C must not cut the clean-up short
            watcher()
            preview.state.close()
            server.server_close()
        return 0
    finally:
        preview.close()


def _stop_on_interrupt() -> None:
    """Ctrl-C (SIGINT) stops the preview, even when the shell that started it
    in the background had it ignored (as scripts' `cmd &` does)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _stop_on_terminate() -> None:
    """`kill` (SIGTERM) stops the preview as Ctrl-C does, cleaning up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def _ignore_interrupts() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _watch(preview: Preview) -> Callable[[], None]:
    """Watch what the site is made from; returns a function that stops it."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    timer: list[threading.Timer] = []
    lock = threading.Lock()
    pending: set[Path] = set()  # what changed since the last rebuild began (the quick one reads these alone)

    def relevant(path: str) -> bool:
        name = Path(path).name
        parts = Path(path).parts
        return not (name.startswith(".") or name.endswith("~") or CACHE_FOLDER in parts or name.endswith(".swp"))

    def later() -> None:
        with lock:
            if timer:
                timer[0].cancel()
            t = threading.Timer(DEBOUNCE, run)
            t.daemon = True
            timer[:] = [t]
            t.start()

    def run() -> None:
        with lock:
            changed = set(pending)
            pending.clear()
        try:
            preview.rebuild(changed)
        except Exception as exc:  # noqa: BLE001 - a preview keeps serving whatever happens
            preview.out.write(f"the rebuild failed: {exc!r}\n")
            preview.out.flush()
        reschedule()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            if event.is_directory and event.event_type == "modified":
                return  # a folder's listing changed: the events of its files say what
            paths = [event.src_path, getattr(event, "dest_path", "") or ""]
            seen = [Path(os.fsdecode(p)) for p in paths if p and relevant(os.fsdecode(p))]
            if seen:
                with lock:
                    pending.update(seen)
                later()

    observer = Observer()
    watched: dict[str, object] = {}

    def reschedule() -> None:
        config = preview.config
        if config is None:
            return
        wanted = {str(config.root): False}
        # The built-in theme too: someone working on the theme sees each save.
        for folder in (config.articles_dir, config.checks_dir, config.pages_dir, config.templates_dir, BUILTIN):
            if folder is not None and folder.is_dir():
                wanted[str(folder)] = True
        for path in set(watched) - set(wanted):
            observer.unschedule(watched.pop(path))  # type: ignore[arg-type]
        for path, recursive in wanted.items():
            if path not in watched:
                watched[path] = observer.schedule(Handler(), path, recursive=recursive)

    reschedule()
    observer.daemon = True
    observer.start()

    def stop() -> None:
        with lock:
            for t in timer:
                t.cancel()
        observer.stop()
        observer.join(timeout=5)

    return stop


def _handler(preview: Preview, prefix: str) -> type[BaseHTTPRequestHandler]:
    folder = preview.folder
    state = preview.state

    class Handler(BaseHTTPRequestHandler):
        server_version = "factcheck-preview"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
            pass  # a request log would bury the build's diagnostics

        def do_HEAD(self) -> None:
            self._respond(head=True)

        def do_GET(self) -> None:
            self._respond(head=False)

        def _respond(self, head: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            if not path.startswith(prefix):
                if path in ("/", "/index.html"):
                    return self._send(HTTPStatus.FOUND, b"", "text/plain", head, location=prefix)
                return self._send(HTTPStatus.NOT_FOUND, b"not part of this site\n", "text/plain", head)
            rel = path[len(prefix) :]
            if rel == LIVE + "live.js":
                return self._send(HTTPStatus.OK, _SCRIPT.encode("utf-8"), "text/javascript", head)
            if rel == LIVE + "state":
                return self._send(HTTPStatus.OK, state.as_json().encode("utf-8"), "application/json", head)
            if rel == LIVE + "events":
                return self._events()
            file = _file_for(folder, rel)
            if file is None:
                if rel and not rel.endswith("/") and _file_for(folder, rel + "/") is not None:
                    return self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", head, location=path + "/")
                missing = folder / "404.html"
                if missing.is_file():
                    data, status = missing.read_bytes(), HTTPStatus.NOT_FOUND
                else:  # no build has succeeded yet
                    data, status = _NOTHING_YET, HTTPStatus.SERVICE_UNAVAILABLE
                return self._send(status, _inject(data, prefix), "text/html; charset=utf-8", head)
            data = file.read_bytes()
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind == "text/html":
                data = _inject(data, prefix)
            if kind.startswith("text/") or kind in ("application/json", "application/javascript"):
                kind += "; charset=utf-8"
            self._send(HTTPStatus.OK, data, kind, head)

        def _send(self, status: HTTPStatus, data: bytes, kind: str, head: bool, location: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if location:
                self.send_header("Location", location)
            self.end_headers()
            if not head:
                self.wfile.write(data)

        def _events(self) -> None:
            """Server-Sent Events: the state now, then at every change."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    with state.changed:
                        if state.version == seen and not state.closing:
                            state.changed.wait(timeout=15)
                        if state.closing:
                            return
                        message = state.as_json() if state.version != seen else None
                        seen = state.version
                    self.wfile.write(f"data: {message}\n\n".encode() if message else b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def _file_for(folder: Path, rel: str) -> Path | None:
    """The file a site path names, never outside the folder."""
    clean = posixpath.normpath("/" + rel).lstrip("/")
    if clean.startswith("..") or "\0" in clean:
        return None
    target = folder / clean if clean and clean != "." else folder
    if rel.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def _inject(page: bytes, prefix: str) -> bytes:
    """The live-reload script, added to pages as they are served (the files
    themselves are exactly what `build` writes)."""
    tag = f'<script src="{prefix}{LIVE}live.js" defer></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at != -1 else page + tag
