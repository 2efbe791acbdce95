"""`new`: a fact-check entry to fill in, with every field explained.

The scaffold is written from the same field declarations the loader checks
(`entries.ENTRY_FIELDS`), so it cannot offer a field that does not exist or
miss one that does. Required values are left empty on purpose: `check`
reports each of them, so an unfinished entry can never be published.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..model import Config
from ..verify.entries import CITATION_FIELDS, ENTRY_FIELDS
from ..verify.fields import FieldSpec
from ..verify.ids import ID_RE, id_slug
from ..verify.sources import discover

SCHEMA = Path("schema") / "check.schema.json"  # relative to config.yaml's folder


class ScaffoldError(Exception):
    def __init__(self, message: str, hint: str, usage: bool):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.usage = usage  # a bad argument (exit 2), not a clash with content (exit 1)


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    shown: str  # relative to the config folder, as reports show files


def new_check(config: Config, check_id: str, today: dt.date) -> Scaffolded:
    """Write `<checks>/<id>.yaml`; never replaces a file or reuses an id."""
    if not ID_RE.match(check_id):
        raise ScaffoldError(f"'{check_id}' is not a valid check id", _id_hint(check_id), usage=True)
    path = config.checks_dir / f"{check_id}.yaml"
    shown = _shown(path, config.root)
    if path.exists() or path.is_symlink():
        raise ScaffoldError(
            f"refusing to overwrite {shown}: it already exists",
            "edit it, or choose another id",
            usage=False,
        )
    sources, _problems = discover(config.checks_dir, config.root, (".yaml", ".yml"), "check")
    clash = next((s for s in sources if s.id == check_id), None)
    if clash is not None:
        raise ScaffoldError(
            f"check id '{check_id}' is already used by {clash.shown}",
            "ids must be unique across subfolders too; edit that file, or choose another id",
            usage=False,
        )
    text = scaffold(config, path, today)
    _write_new(path, text)
    return Scaffolded(path, shown)


def scaffold(config: Config, path: Path, today: dt.date) -> str:
    """The text of a new entry at `path`."""
    schema = Path(os.path.relpath(config.root / SCHEMA, path.parent)).as_posix()
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "# A new fact-check. Fill in every field below that is not commented out;",
        "# `factcheck check` lists each one still empty. To use an optional",
        "# field, remove the '# ' in front of it.",
    ]
    for spec in ENTRY_FIELDS:
        lines.append("")
        lines.extend(_field(spec, config, today))
    return "\n".join(lines) + "\n"


def _field(spec: FieldSpec, config: Config, today: dt.date) -> list[str]:
    need = "Required" if spec.required else "Optional"
    about = f"# {_sentence(spec.description)} {need}."
    name = spec.name
    if name == "verdict":
        width = max(len(v.key) for v in config.verdicts)
        scale = [f"#   {v.key.ljust(width)}  {v.label}" for v in config.verdicts]
        return [f"# {_sentence(spec.description)} {need}; one of, best first:", *scale, 'verdict: ""']
    if name == "citations":
        return [
            f"# {_sentence(spec.description)} {need}. Each citation has:",
            *(_citation_field(c) for c in CITATION_FIELDS),
            '# `factcheck find "words from an article"` prints citations to',
            "# paste below, each one checked against the corpus.",
            "citations:",
        ]
    if name == "draft":
        # A new check is a draft until its desk says otherwise: checked and
        # previewed, left out of the site.
        return [f"# {_sentence(spec.description)} Remove this line to publish the check.", "draft: true"]
    if spec.type == "date":
        # Only a required date gets a real one: an optional date uncommented
        # as it is must not pass for a real one.
        value = f"{name}: {today.isoformat() if spec.required else 'YYYY-MM-DD'}"
    elif spec.type == "markdown":
        # A block scalar: the editor writes the Markdown on the lines below it.
        about = f"# {_sentence(spec.description)} {need}; write it on the lines below, indented."
        value = f"{name}: |"
    elif spec.type == "strings":
        value = f"{name}: [first-{name[:-1]}, second-{name[:-1]}]"
    elif spec.type == "maps":
        value = f"{name}:\n" + "\n".join(
            f"{'  - ' if i == 0 else '    '}{f.name}: {'YYYY-MM-DD' if f.type == 'date' else '...'}  # {f.description}"
            for i, f in enumerate(spec.fields)
        )
    else:
        value = f'{name}: ""'
    if not spec.required:
        value = "\n".join("# " + line for line in value.splitlines())
    return [about, *value.splitlines()]


def _citation_field(spec: FieldSpec) -> str:
    need = "required" if spec.required else "optional"
    choices = f"; {' | '.join(spec.choices)}" if spec.choices else ""
    return f"#   {spec.name} ({need}): {spec.description}{choices}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:].rstrip(".") + "."


def _id_hint(check_id: str) -> str:
    stem = check_id
    for suffix in (".yaml", ".yml"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    valid = id_slug(stem)
    if stem != check_id and ID_RE.match(stem):
        return f"give the id without the extension: '{stem}'"
    return f"ids are lowercase letters, digits and '-', up to 80 characters, e.g. '{valid}'"


def _write_new(path: Path, text: str) -> None:
    """Write the file whole or not at all, and never over one that appeared
    meanwhile: a hidden temporary file (not content) is linked into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # os.open with 0o666 leaves the permissions to the umask, as an editor would.
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            try:
                os.link(tmp, path)  # fails if the name is taken: no overwrite, no race
            except FileExistsError:
                raise
            except OSError:
                # A file system without hard links: claim the name, then move the text in.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                os.replace(tmp, path)
        except FileExistsError:
            raise ScaffoldError(
                f"refusing to overwrite {path.name}: it appeared while writing", "choose another id", usage=False
            ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
