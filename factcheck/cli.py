"""The command line. The only place that turns diagnostics into exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

from . import DISTRIBUTION, __version__
from .config import config_file
from .diagnostics import format_github, format_json, format_markdown, format_sarif, format_text
from .pipeline import Verification, build, verify
from .progress import Progress
from .site.output import Written

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 128 + signal.SIGINT  # as a shell reports a command Ctrl-C stopped
FORMATS = ("text", "github", "json", "sarif")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting the interpreter."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}\n{self.format_usage()}")


class _UsageError(Exception):
    pass


def _config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=Path("config.yaml"),
        metavar="PATH",
        help="the site's config.yaml, or its folder (default: ./config.yaml)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="factcheck",
        description="Verify fact-check citations against the corpus and build the site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        _config_option(p)
        p.add_argument(
            "--format",
            choices=FORMATS,
            default="text",
            metavar="F",
            help="how to report problems: text (default), github, json or sarif",
        )
        p.add_argument("--strict", action="store_true", help="treat warnings as errors")

    b = commands.add_parser("build", help="verify, then write the site (nothing is written on any error)")
    common(b)
    b.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: paths.output in config.yaml)")
    _base_url_option(b)
    _jobs_option(b)
    c = commands.add_parser("check", help="verify every citation; write nothing")
    common(c)
    _jobs_option(c)
    s = commands.add_parser("serve", help="preview the site, rebuilt as you edit (writes nothing to site/)")
    _config_option(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    _base_url_option(s)
    _find_and_new_parsers(commands)
    _import_parser(commands)
    i = commands.add_parser("init", help="make a new desk in DIR, ready to commit and publish")
    i.add_argument("dir", type=Path, metavar="DIR", help="the desk's folder (made if missing)")
    i.add_argument("--force", action="store_true", help="allow a folder that is not empty (no file is ever replaced)")
    i.add_argument(
        "--tool",
        metavar="REQUIREMENT",
        help=f"what the desk's CI installs (default: {DISTRIBUTION}=={__version__}; a git URL works too)",
    )
    return parser


def _base_url_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="the site's address for this run only, instead of config.yaml's base_url (a staging copy)",
    )


def _jobs_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--jobs",
        type=int,
        choices=(1, 2),
        default=2,
        metavar="N",
        help="processes for the work the cache does not hold yet, and for walking a large desk: "
        "2 (default, where there are two cores) or 1",
    )


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    try:
        with _long_lived_heap():
            code = _main(argv, stdout, stderr)
    except KeyboardInterrupt as exc:
        # Ctrl-C: a build has left the site as it was on the way here (its
        # writer stages, and undoes what it began), or says what it left
        # (site.output.Interrupted); a traceback would only alarm.
        code = EXIT_INTERRUPTED
        said = _what_is_left(exc)
        (stderr or sys.stderr).write(f"factcheck: interrupted{': ' + said if said else ''}\n")
    if argv is None and sys.getprofile() is None and sys.gettrace() is None:
        _end_process(code)  # (a profiler or coverage writes what it found on the way out: not then)
    return code


def _what_is_left(exc: BaseException | None) -> str:
    """What the first Ctrl-C said it left (site.output.Interrupted), where
    a second came while the build cleaned up after it."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt) and str(exc):
            return str(exc)
        exc = exc.__context__
    return ""


def _end_process(code: int) -> NoReturn:
    """The command line's own run ends here, without Python taking the heap
    apart object by object first and searching it for cycles once more: a
    cold `check` of 10,000 checks spent 0.22-0.26 s on that after its work
    was done (mypy ends its runs the same way). Everything the run wrote is
    closed by now (files in `with` blocks, the cache and the state by the
    pipeline); only the standard streams still hold output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream closed
            pass
    if code == EXIT_INTERRUPTED:
        # Ended by the signal itself, so that a shell script running this
        # stops too, as it would for any command Ctrl-C stops.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(code)


# Python's collector scans every object it tracks in a full collection,
# and starts one each time the objects that survived grow by a quarter. A
# desk is millions of objects that live as long as the command: at 10,000
# checks ten full collections, finding nothing to free, took 1.1 s of a 5.9
# s rebuild, and 1.1 s of a cold check. Young objects are still collected as
# usual (rendering leaves short-lived cycles); full collections wait for
# 100 times as many young ones as Python's default.
_FULL_AFTER = 1000


@contextmanager
def _long_lived_heap() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], _FULL_AFTER))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _main(argv: Sequence[str] | None, stdout: TextIO | None, stderr: TextIO | None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "build")  # `build` is the default command
    try:
        args = _parser().parse_args(args_list)
    except _UsageError as exc:
        stderr.write(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)

    if args.command == "init":
        return _init(args, stdout, stderr)
    args.config = config_file(args.config)
    if args.command == "find":
        return _find(args, stdout, stderr)
    if args.command == "new":
        return _new(args, stdout, stderr)
    if args.command == "import":
        return _import(args, stdout, stderr)
    if args.command == "serve":
        from .editor.serve import serve

        return serve(args.config, args.host, args.port, stdout, _wants_color(stdout), args.base_url)
    progress = Progress(stderr)
    try:
        if args.command == "check":
            result = verify(args.config, strict=args.strict, progress=progress, parallel=args.jobs == 2)
        else:
            result = build(
                args.config,
                out_dir=args.out,
                strict=args.strict,
                progress=progress,
                notice=_notice(stderr),
                base_url=args.base_url,
                parallel=args.jobs == 2,
            )
    finally:
        progress.clear()
    _report(result, args.format, args.config, stdout)
    if args.command == "build" and args.format == "text":
        if result.ok and result.output and result.written:
            stderr.write(_built(result.output, result.written) + "\n")
        elif not result.ok and result.desk is not None:
            where = (args.out or result.desk.config.output_dir).resolve()
            if result.site_changed:
                stderr.write(
                    f"the build stopped part way: some files of {where} were replaced; the next build finishes it\n"
                )
            else:
                stderr.write(f"nothing was written: {where} is as it was\n")
    return exit_code(result)


def _notice(stderr: TextIO):  # type: ignore[no-untyped-def]
    def notice(message: str) -> None:
        stderr.write(message + "\n")
        stderr.flush()

    return notice


def _built(out: Path, w: Written) -> str:
    where = out / "index.html"
    if w.cold:
        return f"built the site: {where} ({_count(w.added, 'file')})"
    if not (w.added or w.changed or w.removed):
        return f"the site is up to date: {where}"
    counts = f"{w.added} added, {w.changed} changed, {w.removed} removed, {w.unchanged} unchanged"
    return f"updated the site: {where} ({counts})"


_TOOL_ERRORS = ("config", "template", "search", "render-worker", "changed-during-build", "output")


def exit_code(result: Verification) -> int:
    if any(d.code in _TOOL_ERRORS for d in result.errors):
        return EXIT_USAGE
    if result.desk is None and result.output is None:
        return EXIT_USAGE
    return EXIT_CONTENT if result.errors else EXIT_OK


def _report(result: Verification, fmt: str, config_path: Path, out: TextIO) -> None:
    diagnostics = list(result.diagnostics)
    if fmt == "json":
        citations = list(result.citations_json)
        out.write(format_json(diagnostics, citations, dict(result.stats)) + "\n")
    elif fmt == "sarif":
        out.write(format_sarif(diagnostics, __version__, default_file=config_path.name) + "\n")
    elif fmt == "github":
        if diagnostics:
            out.write(format_github(diagnostics) + "\n")
        _write_step_summary(format_markdown(diagnostics, dict(result.stats)))
    else:
        color = _wants_color(out)
        if diagnostics:
            out.write(format_text(diagnostics, config_path.parent, color=color) + "\n")
        else:
            s = result.stats
            out.write(
                f"ok: {_count(s['citations'], 'citation')} in {_count(s['checks'], 'check')} verified "
                f"against {_count(s['articles'], 'article')}\n"
            )


def _write_step_summary(markdown: str) -> None:
    """Where GitHub Actions asks for it, the whole report for the job's page."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(markdown + "\n")
    except OSError:
        pass  # the annotations were printed; the summary is a convenience


def _wants_color(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(out, "isatty") and out.isatty()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- find and new -------------------------------------------------------------


def _find_and_new_parsers(commands: argparse._SubParsersAction) -> None:
    f = commands.add_parser("find", help="where a text occurs in the corpus, as citations ready to paste")
    f.add_argument("text", nargs="+", metavar="TEXT", help="the text to find (several words are joined by spaces)")
    _config_option(f)
    f.add_argument("--format", choices=("text", "json"), default="text", metavar="F", help="text (default) or json")
    f.add_argument("--limit", type=int, default=20, metavar="N", help="show at most N occurrences (default: 20)")
    n = commands.add_parser("new", help="scaffold a fact-check entry: <checks folder>/ID.yaml")
    n.add_argument("id", metavar="ID", help="the new check's id: lowercase letters, digits and '-'")
    _config_option(n)


def _find(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .config import load_config
    from .editor.find import FindError, find_text, index_note
    from .editor.find import format_json as find_json
    from .editor.find import format_text as find_report
    from .verify.normalize import normalize_quote

    text = " ".join(args.text)
    if not normalize_quote(text):
        stderr.write("factcheck find: error: nothing to find: TEXT is empty\n")
        return EXIT_USAGE
    if args.limit < 1:
        stderr.write("factcheck find: error: --limit must be at least 1\n")
        return EXIT_USAGE
    config, problems = load_config(args.config)
    if config is None:
        stderr.write(format_text(problems, args.config.parent, color=_wants_color(stderr)) + "\n")
        return EXIT_USAGE
    try:
        result = find_text(config, text, args.limit)
    except FindError as exc:
        stderr.write(format_text([exc.diagnostic], config.root, color=_wants_color(stderr)) + "\n")
        return EXIT_USAGE
    if args.format == "json":
        stdout.write(find_json(result) + "\n")
    else:
        stdout.write(find_report(result, args.limit, color=_wants_color(stdout)) + "\n")
        note = index_note(result)
        if note:
            stderr.write(note + "\n")
    return EXIT_OK if result.hits else EXIT_CONTENT


def _new(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    import datetime as dt
    import shlex

    from .config import load_config
    from .editor.scaffold import ScaffoldError, new_check

    config, problems = load_config(args.config)
    if config is None:
        stderr.write(format_text(problems, args.config.parent, color=_wants_color(stderr)) + "\n")
        return EXIT_USAGE
    try:
        made = new_check(config, args.id, dt.date.today())
    except ScaffoldError as exc:
        stderr.write(f"factcheck new: error: {exc.message}\n  help: {exc.hint}\n")
        return EXIT_USAGE if exc.usage else EXIT_CONTENT
    config_arg = "" if args.config == Path("config.yaml") else f" --config {shlex.quote(str(args.config))}"
    stdout.write(
        f"wrote {made.path}\n"
        "next:\n"
        "  1. fill in the claim, claimant, verdict and summary\n"
        f'  2. find each quote: factcheck find "words from the article"{config_arg}\n'
        "     and paste the blocks it prints under citations:\n"
        f"  3. factcheck check{config_arg}\n"
    )
    return EXIT_OK


# --- import -------------------------------------------------------------------


def _import_parser(commands: argparse._SubParsersAction) -> None:
    i = commands.add_parser(
        "import", help="archive a saved web page, a WARC capture or a PDF into the corpus: <articles folder>/ID.txt"
    )
    i.add_argument(
        "files",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="pages saved from the browser as HTML, WARC captures (.warc, .warc.gz) or PDF documents",
    )
    i.add_argument("--id", metavar="ID", help="the article's id (default: publisher-YYYY-MM-DD, from the page)")
    i.add_argument(
        "--url",
        metavar="URL",
        help="which page of a WARC capture is the article; for a saved page or a PDF, the address it came from",
    )
    _config_option(i)


def _import(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .editor.archive import import_page

    for option in ("id", "url"):
        if getattr(args, option) is not None and len(args.files) > 1:
            stderr.write(f"factcheck import: error: --{option} names one article: import one FILE with it\n")
            return EXIT_USAGE
    progress = Progress(stderr)
    codes = []
    for n, file in enumerate(args.files, start=1):
        if len(args.files) > 1:
            progress("importing", n, len(args.files))
        result = import_page(file, str(file), args.config, args.id, args.url)
        progress.clear()
        if result.diagnostics:
            stderr.write(format_text(list(result.diagnostics), result.root, color=_wants_color(stderr)) + "\n")
        if result.usage_error:
            codes.append(EXIT_USAGE)
            continue
        if result.imported is None:
            codes.append(EXIT_CONTENT)
            continue
        a = result.imported
        on_pages = f" on {_count(a.pages, 'page')}" if a.pages is not None else ""
        stdout.write(
            f'archived {a.shown}: id {a.id}, "{a.title}", {_count(a.paragraphs, "paragraph")}{on_pages}; '
            f'cite it as article: {a.id} (factcheck find "words from it" prints ready-to-paste citations)\n'
        )
        codes.append(EXIT_OK)
    if len(args.files) > 1:
        done = codes.count(EXIT_OK)
        stderr.write(f"imported {done} of {len(args.files)} pages\n")
    return max(codes)


# --- init ---------------------------------------------------------------------


def _init(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from .editor.newdesk import InitError, init_desk

    try:
        made = init_desk(args.dir, force=args.force, tool=args.tool or f"{DISTRIBUTION}=={__version__}")
    except InitError as exc:
        stderr.write(f"factcheck init: error: {exc.message}\n  help: {exc.hint}\n")
        return EXIT_USAGE
    stdout.write(f"made a desk in {made.root}: {_count(len(made.written), 'file')}\n")
    for shown in made.written:
        stdout.write(f"  {shown}\n")
    if made.skipped:
        stdout.write(f"left as they were ({_count(len(made.skipped), 'file')} already there):\n")
        for shown in made.skipped:
            stdout.write(f"  {shown}\n")
    stdout.write(
        "next:\n"
        "  1. set title, base_url and publisher in config.yaml, and adapt the verdict scale\n"
        "  2. archive a source: factcheck import page.html (or a .warc or .pdf)\n"
        "  3. write a check: factcheck new my-first-check, then factcheck check\n"
        "  4. preview: factcheck serve; publish: see README.md in the desk\n"
    )
    return EXIT_OK
