"""Talking to Pagefind's service (site/search.py): its answers, each a
base64 JSON message ended by a comma, are read whatever the pieces the
pipe hands them over in."""

from __future__ import annotations

import base64
import io
import json
import random

import pytest

from factcheck.site import search


def _answer(number: int, payload: dict[str, object]) -> bytes:
    return base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode()) + b","


class _Pipe:
    def __init__(self, pieces: list[bytes]):
        self.pieces = pieces

    def read1(self, size: int) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""


class _Service:
    def __init__(self, pieces: list[bytes]):
        self.stdin = io.BytesIO()
        self.stdout = _Pipe(pieces)


def _cut(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(0, 40))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


@pytest.mark.parametrize("seed", range(20))
def test_the_bundle_is_read_however_the_pipe_cuts_the_answers(seed: int) -> None:
    rng = random.Random(seed)
    files = {f"pagefind/part-{n}.pf_fragment": rng.randbytes(rng.randint(0, 30_000)) for n in range(5)}
    stream = b"".join(_answer(n, {"type": "AddFile", "file": {}}) for n in range(30))
    content = [{"path": p, "content": base64.b64encode(d).decode()} for p, d in files.items()]
    stream += _answer(30, {"type": "GetFiles", "files": content})
    service = _Service(_cut(stream, rng))
    assert search._talk(service, [b"sent"], 30) == files  # type: ignore[arg-type]
    assert service.stdin.getvalue() == b"sent"


def test_an_error_it_reports_is_said_and_a_stop_is_none() -> None:
    error = _answer(3, {"type": "Error", "message": "thread main panicked"})
    assert search._talk(_Service([error[:5], error[5:]]), [], 9) == "thread main panicked"  # type: ignore[arg-type]
    assert search._talk(_Service([_answer(1, {"type": "AddFile"})[:-1]]), [], 9) is None  # type: ignore[arg-type]
    said = search._talk(_Service([b"not base64 json,"]), [], 9)  # type: ignore[arg-type]
    assert isinstance(said, str) and said.startswith("an answer it gave could not be read")
