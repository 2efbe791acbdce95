"""The command line. The only place that turns diagnostics into exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .config import config_file
from .diagnostics import format_github, format_json, format_sarif, format_text
from .pipeline import Verification, build, verify

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check")
FORMATS = ("text", "github", "json", "sarif")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting the interpreter."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}\n{self.format_usage()}")


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="build.py",
        description="Verify fact-check citations against the corpus and build the site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--config",
            type=Path,
            default=Path("config.yaml"),
            metavar="PATH",
            help="the site's config.yaml (default: ./config.yaml)",
        )
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
    c = commands.add_parser("check", help="verify every citation; write nothing")
    common(c)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
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

    args.config = config_file(args.config)
    if args.command == "check":
        result = verify(args.config, strict=args.strict)
    else:
        result = build(args.config, out_dir=args.out, strict=args.strict)
    _report(result, args.format, args.config, stdout)
    if args.command == "build" and result.ok and args.format == "text" and result.desk:
        out = (args.out or result.desk.config.output_dir).resolve()
        stderr.write(f"built the site: {out / 'index.html'}\n")
    return exit_code(result)


def exit_code(result: Verification) -> int:
    if result.desk is None or any(d.code in ("config", "template", "search", "output") for d in result.errors):
        return EXIT_USAGE
    return EXIT_CONTENT if result.errors else EXIT_OK


def _report(result: Verification, fmt: str, config_path: Path, out: TextIO) -> None:
    diagnostics = list(result.diagnostics)
    if fmt == "json":
        citations = [c.as_json() for c in result.desk.citations] if result.desk else []
        out.write(format_json(diagnostics, citations, dict(result.stats)) + "\n")
    elif fmt == "sarif":
        out.write(format_sarif(diagnostics, __version__, default_file=config_path.name) + "\n")
    elif fmt == "github":
        if diagnostics:
            out.write(format_github(diagnostics) + "\n")
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


def _wants_color(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(out, "isatty") and out.isatty()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
